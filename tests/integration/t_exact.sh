# Regression tests of issue "Exact": what real programs met that differed
# from the kernel's overlayfs.  Each scenario runs on liboverlay and on the
# kernel's overlayfs over copies of the same lowers (kernel_compare in
# t_kernel.sh's helpers, lib.sh), and the two must agree on output, status
# and the merged tree.
# shellcheck shell=bash disable=SC2016,SC2034


# A rename chain in one directory, then unlinks: a lookup of the lowers alone
# (is a whiteout needed?) used to list the wrong directory after a few
# misses and cache "no lower has anything here" for good, so a renamed lower
# file kept showing under its old name, with no whiteout.
test_exact_rename_chain_keeps_whiteouts() {
	local i
	for i in 100 101 102 103 104 105; do put "$L/a/foo$i" "$i"; done
	kernel_compare 'python3 -c "
import os; m = \"a/\"
os.rename(m+\"foo100\", m+\"no_foo100\"); os.rename(m+\"no_foo100\", m+\"foo100\")
os.rename(m+\"foo101\", m+\"no_foo101\"); os.rename(m+\"no_foo101\", m+\"foo101\"); os.unlink(m+\"foo101\")
os.rename(m+\"foo102\", m+\"no_foo102\"); os.rename(m+\"no_foo102\", m+\"foo102\")
os.unlink(m+\"foo103\")
os.rename(m+\"foo104\", m+\"no_foo104\"); os.unlink(m+\"no_foo104\")
os.rename(m+\"foo105\", m+\"no_foo105\")
print(os.path.lexists(m+\"foo105\"), sorted(os.listdir(m)))
"'
}

# patch deleting files among many: the deleted names must stay deleted, and
# the reversed patch must bring them back.
test_exact_patch_deletes() {
	command -v patch >/dev/null || skip "patch is not installed"
	local i
	for i in $(seq 1 30); do put "$L/src/f$i.c" "int f$i;" "int g$i;"; done
	mkdir -p "$T/new/src"
	cp -a "$L/src/." "$T/new/src/"
	for i in 2 5 7 11 12 13 20 21 29; do rm "$T/new/src/f$i.c"; done
	put "$T/new/src/f3.c" "int f3;" "int changed3;"
	put "$T/new/src/added.c" "int added;"
	(cd "$T" && mkdir -p old && cp -a "$L/src" old/ && diff -ruN old new >"$T/p.diff")
	cp "$T/p.diff" "$T/kp.diff"
	kernel_compare "patch -s -p1 <$T/p.diff && ls src | tr \"\\n\" \" \"; patch -s -R -p1 <$T/p.diff && ls src | tr \"\\n\" \" \" && cat src/f3.c"
}

# Two `mkdir -p` of sibling paths at once, 200 times, in a merged directory
# (every Makefile's `@mkdir -p $(dir $@)` under make -j): the loser's mkdir
# meets EEXIST from the host while its lookup, and its cache, still said
# "missing"; its next look at the name must not be answered from that cache.
# Natively and on the kernel's overlayfs none fails.
test_exact_parallel_mkdir_p() {
	put "$L/m/keep" keep
	ovl bash -c 'for n in $(seq 200); do
		mkdir -p m/d$n/a 2>>"$0" & mkdir -p m/d$n/b 2>>"$0" & wait
	done; python3 -c "
import os, threading
def mk(p):
    try: os.makedirs(p, exist_ok=True)
    except OSError as e: print(p, e)
for n in range(100):
    ts = [threading.Thread(target=mk, args=(\"m/p%d/%s\" % (n, s),)) for s in \"ab\"]
    [t.start() for t in ts]; [t.join() for t in ts]
" >>"$0"' "$T/mkdir.err"
	expect_rc 0
	expect_eq "failed mkdir -p (none natively)" "" "$(cat "$T/mkdir.err")"
	[[ -d $U/m/d200/a && -d $U/m/d200/b && -d $U/m/p99/b ]] || fail "the directories were not made"
}

# ftruncate on a read-only descriptor fails (EINVAL) before anything can
# change: it must not copy the file up, which would break its hard links.
# An empty path names nothing, also right after names in the cwd (whose
# walk memo has an empty directory part): mkdir, stat, open all ENOENT.
test_exact_empty_path_after_names_in_the_cwd() {
	put "$L/d/f" lower
	kernel_compare 'cd d && python3 -c "
import os
for i in range(3): os.lstat(\"f\")
for call in (lambda: os.lstat(\"\"), lambda: os.stat(\"\"), lambda: os.mkdir(\"\"),
             lambda: os.open(\"\", os.O_RDONLY), lambda: os.open(\"\", os.O_WRONLY | os.O_CREAT)):
    try: call(); print(\"ok\")
    except OSError as e: print(e.strerror)
"'
}

# A listing read through a descriptor that lseek moved to the end lists
# nothing (natively, and on the kernel's overlayfs) and must not teach that
# the directory is empty: its names stay there for open and access.
test_exact_listing_from_the_end_hides_nothing() {
	put "$L/d/f" one
	put "$L/d/g" two
	kernel_compare 'python3 -c "
import os
fd = os.open(\"d\", os.O_RDONLY | os.O_DIRECTORY)
os.lseek(fd, 0, os.SEEK_END)
print(\"from the end\", sorted(os.listdir(fd)))
print(\"again\", sorted(os.listdir(fd)))
print(\"open\", os.read(os.open(\"d/f\", os.O_RDONLY), 10))
print(\"access\", os.access(\"d/g\", os.R_OK))
print(\"listdir\", sorted(os.listdir(\"d\")))
"'
}

test_exact_failed_ftruncate_changes_nothing() {
	put "$L/f" hello
	ln "$L/f" "$L/g"
	kernel_compare 'python3 -c "
import os
fd = os.open(\"f\", os.O_RDONLY)
try: os.ftruncate(fd, 2); print(\"ftruncate ok\")
except OSError as e: print(\"ftruncate\", e.strerror)
print(\"nlink\", os.lstat(\"f\").st_nlink, os.lstat(\"g\").st_nlink)
os.fchmod(fd, 0o600)
print(oct(os.lstat(\"f\").st_mode), os.lstat(\"f\").st_nlink)
"'
}

# errno as the kernel gives it, for the calls whose errno programs branch
# on (mkdir -p, mv, cp, shutil): names ending in "." or "..", trailing
# slashes on new non-directories, renames onto an ancestor, a merged
# directory renamed onto a non-empty one (EXDEV before ENOTEMPTY).
test_exact_errno_of_namespace_calls() {
	mkdir -p "$L/d" "$L/e/sub" "$L/merged" "$L/full" "$L2/merged"
	put "$L/d/f" f
	put "$L/file" f
	put "$L/full/x" x
	put "$L/merged/m" 1
	put "$L2/merged/m2" 2
	ln -s file "$L/lnk"
	ln -s d "$L/lnkdir"
	ln -s nowhere "$L/dangling"
	ln -s loop "$L/loop"
	cat >"$T/probe.py" <<'PY'
import os, errno
def t(name, f, *a):
    try:
        r = f(*a)
        print(name, 'ok')
    except OSError as e:
        print(name, errno.errorcode[e.errno])
t('rename d/f d', os.rename, 'd/f', 'd')
t('link dir existing', os.link, 'd', 'file')
t('rename merged onto non-empty', os.rename, 'merged', 'full')
t('open dir O_CREAT', os.open, 'd', os.O_CREAT | os.O_WRONLY)
t('open dir O_CREAT rdonly', os.open, 'd', os.O_CREAT | os.O_RDONLY)
t('mkdir existing file', os.mkdir, 'file')
t('mkdir d/ existing', os.mkdir, 'd/')
t('symlink t d/ existing', os.symlink, 't', 'd/')
t('symlink y nosuch/', os.symlink, 'y', 'nosuch/')
t('mknod nosuch/', os.mknod, 'nosuch/')
t('link file nosuch/', os.link, 'file', 'nosuch/')
t('mkdir newdir/', os.mkdir, 'newdir/')
t('stat file/x', os.stat, 'file/x')
t('stat nosuch/x', os.stat, 'nosuch/x')
t('open file/x creat', os.open, 'file/x', os.O_CREAT | os.O_WRONLY)
t('open nosuch/x creat', os.open, 'nosuch/x', os.O_CREAT | os.O_WRONLY)
t('mkdir nosuch/x', os.mkdir, 'nosuch/x')
t('unlink d', os.unlink, 'd')
t('unlink e/.', os.unlink, 'e/.')
t('rmdir file', os.rmdir, 'file')
t('rmdir d', os.rmdir, 'd')
t('rmdir e/.', os.rmdir, 'e/.')
t('rmdir e/..', os.rmdir, 'e/..')
t('mkdir e/.', os.mkdir, 'e/.')
t('rename e/. x', os.rename, 'e/.', 'x')
t('rename file e/..', os.rename, 'file', 'e/..')
t('rename file e', os.rename, 'file', 'e')
t('rename e file', os.rename, 'e', 'file')
t('rename e e/sub/x', os.rename, 'e', 'e/sub/x')
t('rename file x/', os.rename, 'file', 'x/')
t('rename file/ x', os.rename, 'file/', 'x')
t('stat dangling/', os.stat, 'dangling/')
t('lstat file/', os.lstat, 'file/')
t('lstat lnkdir/', os.lstat, 'lnkdir/')
t('readlink file', os.readlink, 'file')
t('truncate d', os.truncate, 'd', 0)
t('open file O_DIRECTORY', os.open, 'file', os.O_RDONLY | os.O_DIRECTORY)
t('open lnk O_NOFOLLOW', os.open, 'lnk', os.O_RDONLY | os.O_NOFOLLOW)
t('mkdir lnk', os.mkdir, 'lnk')
t('mkdir dangling', os.mkdir, 'dangling')
t('open dangling creat excl', os.open, 'dangling', os.O_CREAT | os.O_WRONLY | os.O_EXCL)
t('open loop', os.open, 'loop', os.O_RDONLY)
t('rmdir merged', os.rmdir, 'merged')
t('rmdir e', os.rmdir, 'e')
print(sorted(os.listdir('.')))
PY
	kernel_compare "python3 $T/probe.py" "$L2"
}

# A descriptor (and the cwd) on a directory removed from the view, while a
# new directory of the same name is made: nothing can be found or made
# through it (ENOENT), it lists nothing, and its ".." still leads out.
test_exact_descriptor_on_removed_directory() {
	put "$L/a/d/f1" 1
	put "$L/a/g" 2
	cat >"$T/probe.py" <<'PY'
import os, errno, shutil
def t(name, f, *a, **k):
    try:
        r = f(*a, **k)
        print(name, 'ok', r if not isinstance(r, int) else '')
    except OSError as e:
        print(name, errno.errorcode[e.errno])
fd = os.open('a', os.O_RDONLY)
fd2 = os.open('a/d', os.O_RDONLY)
os.chdir('a/d')
shutil.rmtree('../../a')
os.mkdir('../../a'); os.mkdir('../../a/d'); open('../../a/d/new', 'w').close()
t('mkdirat fd x', os.mkdir, 'x', dir_fd=fd)
t('listdir fd', lambda: sorted(os.listdir(fd)))
t('listdir fd2', lambda: sorted(os.listdir(fd2)))
t('stat new relative to fd2', os.stat, 'new', dir_fd=fd2)
t('open new in the cwd', os.open, 'new', os.O_RDONLY)
t('listdir .', lambda: sorted(os.listdir('.')))
t('getcwd', os.getcwd)
t('create f in the cwd', os.open, 'f', os.O_CREAT | os.O_WRONLY)
os.chdir('../..')
print(sorted(os.listdir('a')), sorted(os.listdir('a/d')))
PY
	kernel_compare "python3 $T/probe.py"
}

# A directory renamed onto a name that was whited out is made opaque; the
# marker is the library's own, so the directory keeps its mtime (the
# kernel's marker is an xattr, which does not touch it).
test_exact_opaque_rename_keeps_mtime() {
	put "$L/old/x" x
	kernel_compare 'rm -r old && mkdir -p new/sub && touch -d @1000000000 new &&
		mv new old && stat -c "%Y %n" old && ls -A old'
}

# make -j with `@mkdir -p $(dir $@)` in its rules, over a tree whose
# directories merge a lower and a pre-made upper: every object is built,
# and the merged tree is the kernel's.
test_exact_make_j_mkdir_p_rules() {
	command -v make >/dev/null || skip "make is not installed"
	command -v cc >/dev/null || skip "cc is not installed"
	local i d
	for d in a b c d; do
		for i in 1 2 3 4 5 6; do put "$L/src/$d/s$i.c" "int ${d}$i(void) { return $i; }"; done
	done
	mkdir -p "$L/out/a"
	put "$L/out/a/keep" keep
	cat >"$L/Makefile" <<'MK'
SRCS := $(sort $(wildcard src/*/*.c))
OBJS := $(SRCS:src/%.c=out/%.o)
all: $(OBJS)
	@echo built $(words $(OBJS))
out/%.o: src/%.c
	@mkdir -p $(dir $@)
	@cc -c -o $@ $<
MK
	kernel_compare 'make -s -j4 && ls out/*/ | wc -l'
}

# A directory that one lower holds alone is read as it is, as the kernel's
# overlayfs reads it: the same entries in the same order (on ext4, hash
# order, "." and ".." wherever their hashes put them; `ls -f` keeps it),
# and a merged one beside it still lists every layer once.
test_exact_listing_order_of_a_lower_directory() {
	local f
	for f in alpha beta gamma delta epsilon zeta eta theta iota kappa; do
		put "$L/d/$f" "$f"
		put "$L/m/$f" "$f"
	done
	mkdir -p "$L/d/sub"
	put "$L/d/sub/x" x
	kernel_compare 'ls -af d; ls -af d/sub; echo new >m/lambda; rm m/beta; ls -a m; find d | sort'
}

# What a plain listing teaches (the names of a directory one lower holds)
# must not outlive a change another process makes there: the directory is
# copied up by it, and the names the reader had listed, or not, are then
# looked up again.
test_exact_plain_listing_then_another_process_changes() {
	local f
	for f in alpha beta gamma; do put "$L/d/$f" "$f"; done
	kernel_compare 'python3 -c "
import os, subprocess
print(sorted(os.listdir(\"d\")))
for n in (\"alpha\", \"new\"): print(n, os.path.exists(\"d/\" + n))
subprocess.run([\"sh\", \"-c\", \"echo x >d/new; rm d/alpha\"], check=True)
for n in (\"alpha\", \"new\", \"beta\"): print(n, os.path.exists(\"d/\" + n))
print(sorted(os.listdir(\"d\")))
"'
}

# rewinddir of a directory read as it is (one lower's alone), after a
# change made it merged: the new reading is the merged listing, as the
# kernel's overlayfs resets a directory read at offset 0; seekdir back to a
# telldir position resumes where it was.
test_exact_plain_listing_rewind_after_change() {
	local f
	for f in a b c d; do put "$L/d/$f" "$f"; done
	kernel_compare 'perl -e "
opendir(D, q(d)) or die; my @a = sort readdir(D); print qq(@a\n);
rewinddir(D); readdir(D); my \$pos = telldir(D); my \$next = readdir(D);
seekdir(D, \$pos); print readdir(D) eq \$next ? qq(seek ok\n) : qq(seek lost\n);
open(my \$fh, q(>), q(d/new)) or die; close(\$fh); unlink(q(d/a)) or die;
rewinddir(D); my @b = sort readdir(D); print qq(@b\n); closedir(D);
"'
}

# A process that has written something teaches, from a plain listing, the
# answers for after the directory is merged too (rm -rf lists a directory
# and then removes in it); a change another process makes while the
# listing is open must not be taught over: here a name listed (the stream
# was opened before it went) and removed meanwhile is missing afterwards.
test_exact_plain_listing_of_a_writer_across_a_change() {
	local f
	for f in alpha beta gamma; do put "$L/d/$f" "$f"; done
	kernel_compare 'python3 -c "
import os, subprocess
open(\"written\", \"w\").close()
it = os.scandir(\"d\")
subprocess.run([\"sh\", \"-c\", \"rm d/alpha; echo x >d/new\"], check=True)
print(sorted(e.name for e in it))
for n in (\"alpha\", \"beta\", \"new\"): print(n, os.path.exists(\"d/\" + n))
print(sorted(os.listdir(\"d\")))
"'
}
