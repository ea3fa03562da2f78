# Identity (issue "Identity"): a copied-up file keeps its lower origin's
# inode number, as on the kernel's overlayfs with all layers on one file
# system.  Programs compare st_ino across a copy-up: vim refuses to save
# when the descriptor it opened for writing is another inode than the file
# it stat'ed; git clone -l checks that a hard link has its source's inode.
# shellcheck shell=bash disable=SC2016,SC2034

test_identity_vim_and_ex_save_lower_files() {
	command -v vim >/dev/null || skip "vim is not installed"
	put "$L/a.txt" "aaa" "bab"
	put "$L/b.txt" "one" "two"
	kernel_compare 'vim -u NONE -i NONE -es -c "%s/a/b/g" -c wq a.txt; echo "vim $?";
		ex -u NONE -i NONE -s -c "%s/o/0/g" -c wq b.txt; echo "ex $?"; cat a.txt b.txt'
}

test_identity_git_clone_of_a_local_repository() {
	command -v git >/dev/null || skip "git is not installed"
	mkdir -p "$L/repo"
	git -C "$L/repo" init -q
	put "$L/repo/f" one
	git -C "$L/repo" -c user.name=t -c user.email=t@t add f
	git -C "$L/repo" -c user.name=t -c user.email=t@t commit -qm one
	kernel_compare 'git clone -q repo clone 2>&1; echo "clone $?"; git -C clone fsck 2>&1 | grep -v "^Checking"; echo "fsck $?"; cat clone/f
		git -C clone gc -q 2>&1; echo "gc $?"; git -C clone fsck 2>&1 | grep -v "^Checking"; echo "fsck after gc $?"; git -C clone log --format=%s
		rm -rf clone/.git # it holds the paths, times and inode numbers of each side'
}

# stat, fstat and statx agree on st_ino before and after copy-up, rename
# and link, in one process and in the next one.
test_identity_inode_numbers_survive_copy_up() {
	put "$L/f" one
	put "$L/d/g" two
	kernel_compare 'python3 -c "
import os
a = os.stat(\"f\").st_ino
fd = os.open(\"f\", os.O_WRONLY | os.O_APPEND); os.write(fd, b\"x\")
b, c = os.stat(\"f\").st_ino, os.fstat(fd).st_ino
os.rename(\"f\", \"f2\"); d = os.stat(\"f2\").st_ino
os.link(\"d/g\", \"g2\"); e, e2 = os.stat(\"d/g\").st_ino, os.stat(\"g2\").st_ino
print(a == b == c == d, e == e2, os.stat(\"g2\").st_nlink)
open(\"ino\", \"w\").write(\"%d\" % a)
" && python3 -c "import os; print(os.stat(\"f2\").st_ino == int(open(\"ino\").read()))" && rm ino'
}

# The record of a copy-up's origin is the library's own: cp -a of a
# copied-up file makes a file with an inode number of its own, and the
# record shows in no listing of attributes.
test_identity_record_is_hidden() {
	command -v getfattr >/dev/null || skip "getfattr (attr) is not installed"
	put "$L/f" one
	kernel_compare 'echo two >> f && cp -a f g && python3 -c "
import os; print(os.stat(\"f\").st_ino != os.stat(\"g\").st_ino, [x for x in os.listxattr(\"f\") if \"overlay\" in x])
" && getfattr -d -m - f g 2>&1 | grep -c overlay'
}

# A read-only descriptor opened before another process copied the file up
# reads the new data (read, pread, readv, lseek, fstat), as on the kernel
# since 4.19; a descriptor of a file removed since keeps its old data.
test_identity_reader_follows_copy_up() {
	put "$L/f" "0123456789"
	put "$L/g" "gone"
	kernel_compare 'python3 -c "
import os, subprocess
fd = os.open(\"f\", os.O_RDONLY)
print(\"first\", os.read(fd, 4))
subprocess.run([\"sh\", \"-c\", \"echo appended >> f\"], check=True)
print(\"rest\", os.read(fd, 100))
print(\"size\", os.fstat(fd).st_size, \"end\", os.lseek(fd, 0, os.SEEK_END))
print(\"pread\", os.pread(fd, 5, 8))
fd2 = os.open(\"f\", os.O_RDONLY)
subprocess.run([\"sh\", \"-c\", \"echo twice >> f\"], check=True)
buf = bytearray(40)
print(\"readv\", os.readv(fd2, [buf]), bytes(buf).rstrip(b\"\\0\"))
gd = os.open(\"g\", os.O_RDONLY)
subprocess.run([\"sh\", \"-c\", \"rm g; echo new > g\"], check=True)
print(\"removed\", os.read(gd, 100))
print(\"same inode\", os.fstat(fd).st_ino == os.stat(\"f\").st_ino)
"'
}

# flock through a descriptor opened before a copy-up and through one opened
# after it exclude each other, from either side, and a descriptor that
# followed the copy-up (above) keeps its lock; as on the kernel, where the
# lock is on the overlay's inode.
test_identity_flock_across_copy_up() {
	command -v flock >/dev/null || skip "flock (util-linux) is not installed"
	put "$L/f" f
	put "$L/g" g
	put "$L/h" h
	kernel_compare 'exec 3< f
flock -x -n 3 && echo "locked before the copy-up"
sh -c "echo x >> f"
flock -n f true; echo "a locker after it: $?"
exec 3<&-
flock -n f true; echo "once released: $?"
exec 4< g
sh -c "echo y >> g"
flock g sleep 2 & sleep 0.5
flock -n 4; echo "the older descriptor: $?"
wait
python3 -c "
import fcntl, os, subprocess
fd = os.open(\"h\", os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
subprocess.run([\"sh\", \"-c\", \"echo z >> h\"], check=True)
print(\"read\", os.read(fd, 10))
print(\"after following:\", subprocess.run([\"flock\", \"-n\", \"h\", \"true\"]).returncode)
fcntl.flock(fd, fcntl.LOCK_UN)
print(\"unlocked:\", subprocess.run([\"flock\", \"-n\", \"h\", \"true\"]).returncode)
"'
}

# fcntl record locks (lockf in Python) across a copy-up, from two
# processes: a read lock through the older descriptor holds off a writer of
# the copy, also once a read made that descriptor follow the copy-up; the
# copy's write lock holds off (and F_SETLKW waits for) the older
# descriptor, and a test through the older descriptor (F_GETLK: the lock is
# the tester's own) leaves the lock in place; an unlock through it reaches
# the lock taken through the copy.
test_identity_fcntl_locks_across_copy_up() {
	put "$L/f" f
	put "$L/g" g
	put "$L/h" h
	put "$L/k" k
	cat >"$T/locks.py" <<'PY'
import errno, fcntl, os, struct, subprocess, sys, time
TRY = """
import errno, fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("locked")
except OSError as e:
    print("busy" if e.errno in (errno.EAGAIN, errno.EACCES) else errno.errorcode[e.errno])
"""
def other(name):
    return subprocess.run([sys.executable, "-c", TRY, name], capture_output=True, text=True).stdout.strip()
fd = os.open("f", os.O_RDONLY)
fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
subprocess.run(["sh", "-c", "echo x >> f"], check=True)
print("a writer of the copy:", other("f"))
fcntl.lockf(fd, fcntl.LOCK_UN)
print("once unlocked:", other("f"))
gd = os.open("g", os.O_RDONLY)
subprocess.run(["sh", "-c", "echo y >> g"], check=True)
holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, time\n"
                           "fd = os.open('g', os.O_RDWR)\nfcntl.lockf(fd, fcntl.LOCK_EX)\n"
                           "print('held', flush=True)\ntime.sleep(1.5)"], stdout=subprocess.PIPE, text=True)
print(holder.stdout.readline().strip())
try:
    fcntl.lockf(gd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    print("the older descriptor: locked")
except OSError as e:
    print("the older descriptor: busy" if e.errno in (errno.EAGAIN, errno.EACCES) else e)
t = time.time()
fcntl.lockf(gd, fcntl.LOCK_SH)
print("waited for it:", time.time() - t > 0.5)
holder.wait()
hd = os.open("h", os.O_RDONLY)
fcntl.lockf(hd, fcntl.LOCK_SH | fcntl.LOCK_NB)
subprocess.run(["sh", "-c", "echo z >> h"], check=True)
print("read through it:", os.read(hd, 10))
print("a writer, after the read:", other("h"))
kd = os.open("k", os.O_RDONLY)
subprocess.run(["sh", "-c", "echo w >> k"], check=True)
wd = os.open("k", os.O_RDWR)
fcntl.lockf(wd, fcntl.LOCK_EX | fcntl.LOCK_NB)
probe = struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0)
print("the older descriptor tests:", struct.unpack("hhqqi", fcntl.fcntl(kd, fcntl.F_GETLK, probe))[0] == fcntl.F_UNLCK)
print("a writer, after the test:", other("k"))
fcntl.lockf(kd, fcntl.LOCK_UN)
print("unlocked through the older descriptor:", other("k"))
PY
	kernel_compare "python3 '$T/locks.py'"
}

# d_ino agrees with st_ino for copied-up files moved or linked into a
# directory that exists only in the upper (the kernel lists an "impure"
# directory's origins), and its record stays hidden.
test_identity_d_ino_in_upper_only_directories() {
	put "$L/f" f
	put "$L/g" g
	put "$L/h" h
	kernel_compare 'mkdir new; mv f new/; ln g new/g2; echo x >> h; mv h new/; touch new/fresh
python3 -c "
import os
for e in sorted(os.scandir(\"new\"), key=lambda e: e.name):
    print(e.name, e.inode() == os.stat(e.path, follow_symlinks=False).st_ino)
print(os.listxattr(\"new\"))
"'
}
