# Routes into a lower through ordinary libc calls (issue "Reliability"): a
# host path that the kernel takes into a lower (a symlink, /proc/self/cwd,
# /proc/self/fd/N, /proc/self/root), a lower file's descriptor reopened for
# writing, a hard link from a lower into the mount.  Each must act on the
# view (the upper copy) or fail cleanly; the lower never changes.
# shellcheck shell=bash disable=SC2016,SC2034

routes_setup() {
	mkdir -p "$L/d" "$M"
	put "$L/f" orig
	put "$L/d/g" orig
	put "$L/d/h" orig
	ln -s "$L" "$T/link"
	freeze "$L"
}

test_routes_aliases_reach_the_view() {
	routes_setup
	run_ovl -C "$M" --no-verify --upper "$U" --lower "$L" --mount "$M" -- python3 -c '
import os, errno, sys
T, M = sys.argv[1], sys.argv[2]
def t(name, f, *a, **k):
    try:
        f(*a, **k)
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
def app(p):
    with open(p, "a") as fh: fh.write("X\n")
t("append through a symlink to the lower", app, T + "/link/f")
t("append through /proc/self/cwd", app, "/proc/self/cwd/d/g")
fd = os.open(M + "/d", os.O_RDONLY)
t("create through /proc/self/fd/N/", app, "/proc/self/fd/%d/new" % fd)
t("append through /proc/self/root", app, "/proc/self/root" + T + "/link/d/h")
t("unlink through a symlink", os.unlink, T + "/link/d/g")
t("mkdir through a symlink", os.mkdir, T + "/link/newdir")
t("chmod through a symlink", os.chmod, T + "/link/d/h", 0o600)
print(open(M + "/f").read().split(), open(M + "/d/h").read().split())
print(sorted(os.listdir(M)), sorted(os.listdir(M + "/d")))
' "$T" "$M"
	expect_rc 0
	expect_out "append through a symlink to the lower ok" "append through /proc/self/cwd ok" \
		"create through /proc/self/fd/N/ ok" "append through /proc/self/root ok" \
		"unlink through a symlink ok" "mkdir through a symlink ok" "chmod through a symlink ok" \
		"['orig', 'X'] ['orig', 'X']" \
		"['d', 'f', 'newdir'] ['h', 'new']"
}

# The tree named through a symlink ($T/alias -> the lower, as a workspace
# link would be), given so to overlay-run and used so by the command: its
# logical $PWD and absolute paths through the link.  The kernel follows the
# link into the mount, so reads see the view; the library had mapped only
# changes onto the view (host_alias), so a file written through the link
# read back as missing, an appended one as the lower's.  The same alias
# name points at the kernel's mount for the first run.
test_routes_tree_named_through_a_symlink() {
	put "$L/f" orig
	put "$L/d/g" orig
	freeze "$L"
	kernel_mount "$L"
	local script='cd "$A" && echo new >"$PWD/n" && cat "$PWD/n" "$A/n" && echo X >>"$A/f" &&
cat "$A/f" && rm "$A/d/g" && ls "$A/d" && ls "$A" && stat -c %s "$A/f" && stat -c %F "$A" "$A/" &&
cat "$A/d/g"; mkdir "$A/d"; cd / && ls -d "$A"/* && test -f "$A/./d/../n" && echo dotdot ok'
	ln -s "$KM" "$T/alias"
	run -C / env A="$T/alias" sh -c "$script"
	local kout=$OUT kerr=$ERR krc=$RC
	rm "$T/alias" && ln -s "$L" "$T/alias"
	run_ovl -C "$T/alias" --upper "$U" --lower . -- env A="$T/alias" sh -c "$script"
	expect_eq "stdout: kernel (<) vs liboverlay (>)" "$kout" "$OUT"
	expect_eq "stderr: kernel (<) vs liboverlay (>)" "$kerr" "$ERR"
	expect_eq "status: kernel vs liboverlay" "$krc" "$RC"
	[[ $kout == *"dotdot ok"* ]] || fail "the kernel run did not get to its end: $kout"
}

# A descriptor opened read-only on a lower file, reopened for writing by its
# /proc name: the write lands in the upper copy.
test_routes_reopen_lower_descriptor_for_writing() {
	routes_setup
	run_ovl -C "$M" --no-verify --upper "$U" --lower "$L" --mount "$M" -- python3 -c '
import os
fd = os.open("f", os.O_RDONLY)
with open("/proc/self/fd/%d" % fd, "a") as fh: fh.write("X\n")
print(open("f").read().split())
'
	expect_rc 0
	expect_out "['orig', 'X']"
}

# ln from the lower's host path into the mount: the kernel says EXDEV (two
# mounts).  A link made anyway would share the lower's inode, and a later,
# innocent append through the overlay would change the lower.  A link of a
# lower file's descriptor (AT_EMPTY_PATH, as root may) copies it up first.
test_routes_link_from_a_lower() {
	routes_setup
	run_ovl -C "$M" --no-verify --upper "$U" --lower "$L" --mount "$M" -- python3 -c '
import os, errno, ctypes, sys
L = sys.argv[1]
try:
    os.link(L + "/f", "h"); print("ln: ok")
except OSError as e:
    print("ln:", errno.errorcode[e.errno])
fd = os.open("d/g", os.O_RDONLY)
libc = ctypes.CDLL(None, use_errno=True)
AT_EMPTY_PATH = 0x1000
rc = libc.linkat(fd, b"", -100, b"g2", AT_EMPTY_PATH)
print("linkat AT_EMPTY_PATH:", "ok" if rc == 0 else errno.errorcode[ctypes.get_errno()])
with open("g2", "a") as fh: fh.write("X\n")
print(open("d/g").read().split(), os.stat("d/g").st_nlink)
' "$L"
	expect_rc 0
	expect_out "ln: EXDEV" "linkat AT_EMPTY_PATH: ok" "['orig', 'X'] 2"
}

# chattr on a read-only descriptor of a lower file (FS_IOC_SETFLAGS) sets
# the flag on the upper copy, name_to_handle_at in a mount is EOPNOTSUPP
# (open_by_handle_at could reach a lower), and glibc's utimensat refuses a
# NULL path with EINVAL: as on the kernel's overlayfs.
test_routes_descriptor_ioctls_and_handles() {
	command -v lsattr >/dev/null || skip "lsattr (e2fsprogs) is not installed"
	put "$L/f" orig
	cat >"$T/probe.py" <<'PY'
import os, fcntl, struct, errno, ctypes
FS_IOC_GETFLAGS, FS_IOC_SETFLAGS = 0x80086601, 0x40086602
fd = os.open('f', os.O_RDONLY)
buf = bytearray(struct.pack('l', 0))
fcntl.ioctl(fd, FS_IOC_GETFLAGS, buf)
flags = struct.unpack('l', buf)[0] | 0x40  # FS_NODUMP_FL, chattr +d
try:
    fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack('l', flags))
    print('setflags ok')
except OSError as e:
    print('setflags', errno.errorcode[e.errno])
class FH(ctypes.Structure):
    _fields_ = [('bytes', ctypes.c_uint), ('type', ctypes.c_int), ('h', ctypes.c_ubyte * 128)]
libc = ctypes.CDLL(None, use_errno=True)
h = FH(); h.bytes = 128; mid = ctypes.c_int()
rc = libc.name_to_handle_at(-100, b'f', ctypes.byref(h), ctypes.byref(mid), 0)
print('name_to_handle_at', 'ok' if rc == 0 else errno.errorcode[ctypes.get_errno()])
rc = libc.utimensat(fd, None, None, 0)
print('utimensat(fd, NULL)', 'ok' if rc == 0 else errno.errorcode[ctypes.get_errno()])
PY
	kernel_compare "python3 $T/probe.py && lsattr f | cut -c1-8"
}

# Names of 252 to 255 bytes leave no room for ".wh.": their whiteouts take
# the long form (core/whiteout.c).  rm, rmdir and mv of such lower names
# work as on the kernel, and a new file of the name brings nothing back.
test_routes_long_names_can_be_removed() {
	local n252 n255
	n252=$(printf 'a%.0s' $(seq 252)) n255=$(printf 'b%.0s' $(seq 255))
	put "$L/$n252" 252
	put "$L/$n255" 255
	mkdir -p "$L/d$n252"
	put "$L/d$n252/x" x
	put "$L/keep" keep
	kernel_compare "rm $n252 && mv $n255 moved && rm -r d$n252 && ls | cut -c1-12 && echo new > $n252 && cat $n252 && ls | wc -l"
}

# io_uring (issue "Nothing escapes"): a ring's opens, unlinks and writes run
# inside the kernel, where the library never sees them.  Under the library
# io_uring_setup fails with ENOSYS, as on a kernel without io_uring, so
# liburing and libuv fall back to ordinary calls (core/seccomp.c); the
# filter doing it is installed once per process tree, not again by each
# child that loads the library.
uring_probe_prog() {
	${CC:-cc} -std=gnu11 -Wall -O -o "$T/uring_probe" "$ROOT/tests/integration/progs/uring_probe.c" 2>"$T/cc.err" ||
		skip "cannot build progs/uring_probe.c: $(cat "$T/cc.err")"
	run "$T/uring_probe"
	[[ $OUT != "io_uring_setup: ENOSYS" ]] ||
		skip "io_uring_setup is ENOSYS here already (a kernel without io_uring, or a filter)"
}

test_routes_io_uring_is_enosys_once_per_tree() {
	grep -q '^Seccomp_filters:' /proc/self/status ||
		skip "this kernel does not count seccomp filters in /proc/self/status (before 5.9)"
	uring_probe_prog
	local n
	n=$(($(awk '$1 == "Seccomp_filters:" { print $2 }' /proc/self/status) + 1))
	put "$L/f" orig
	freeze "$L"
	ovl "$T/uring_probe" "$T/uring_probe" sh -c \
		'grep Seccomp_filters /proc/self/status; sh -c "grep Seccomp_filters /proc/self/status"'
	expect_rc 0
	expect_out "io_uring_setup: ENOSYS" "io_uring_setup: ENOSYS" \
		"Seccomp_filters:	$n" "Seccomp_filters:	$n"
}

# node's libuv with UV_USE_IO_URING=1 made its unlink and write in a ring:
# it deleted and rewrote the lower files.  Now it falls back to ordinary
# calls and acts on the view, as the kernel's overlayfs shows it.
test_routes_io_uring_node_falls_back() {
	command -v node >/dev/null || skip "node is not installed"
	uring_probe_prog
	put "$L/f" orig
	put "$L/g" orig
	kernel_compare 'UV_USE_IO_URING=1 node -e '\''
const fs = require("fs");
fs.unlink("f", e => { if (e) throw e;
  fs.writeFile("g", "new\n", e => { if (e) throw e;
    fs.readFile("g", "utf8", (e, d) => { if (e) throw e; console.log(d.trim()); }); }); });'\'''
}

# A setuid or setgid program: when its exec grants privileges (AT_SECURE)
# the loader drops LD_PRELOAD and the program would see the lowers.  Under
# no_new_privs, set by overlay-run and by the library for every exec, the
# kernel grants none: it stays inside and runs with the caller's ids, as
# under bubblewrap.  The runner is root, so the copies belong to nobody:
# an exec is secure only when it changes the effective ids.
suid_copies() {
	[[ $(id -u) == 0 ]] || skip "making setuid programs of another user needs root"
	local uid gid
	uid=$(id -u nobody 2>/dev/null) && gid=$(id -g nobody) || skip "there is no user nobody"
	mkdir "$T/suid"
	cp /usr/bin/cat "$T/suid/cat-u" && cp /usr/bin/cat "$T/suid/cat-g" && cp /usr/bin/id "$T/suid/id-u" &&
		chown "$uid" "$T/suid/cat-u" "$T/suid/id-u" && chgrp "$gid" "$T/suid/cat-g" &&
		chmod u+s "$T/suid/cat-u" "$T/suid/id-u" && chmod g+s "$T/suid/cat-g" ||
		fail "cannot make the setuid and setgid copies"
	run "$T/suid/id-u" -u
	[[ $OUT == "$uid" ]] || skip "the setuid bit has no effect in $T (a nosuid mount?)"
}

test_routes_setuid_programs_stay_inside() {
	suid_copies
	put "$L/f" orig
	put "$L/g" orig
	kernel_compare "rm f && echo new > g && for p in cat-u cat-g; do $T/suid/\$p f; echo \$?; $T/suid/\$p g; done"
	ovl "$T/suid/id-u" -u
	expect_rc 0
	expect_out 0
}

# posix_spawn's file actions are run by glibc in the child, with its own
# internal open: each addopen is resolved in the view when it is added
# (shim/spawn.c).  A read of a lower file, an append to one and a
# truncation (both into the upper copy), a create in a lower-only
# directory, an open of a name removed from the view (ENOENT, as the
# spawn's error), and its re-creation, which the parent then reads; the
# lookup's other errors are the spawn's too.
test_routes_spawn_file_actions_open() {
	put "$L/f" orig
	put "$L/d/g" orig
	put "$L/w" gone
	put "$L/t" orig
	cat >"$T/spawn.py" <<'PY'
import errno, os
O = os.POSIX_SPAWN_OPEN
def spawn(what, argv, *actions):
    try:
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=list(actions))
        print(what, "status", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
    except OSError as e:
        print(what, errno.errorcode[e.errno], flush=True)
spawn("read", ["/bin/cat"], (O, 0, "f", os.O_RDONLY, 0))
spawn("append", ["/bin/echo", "appended"], (O, 1, "f", os.O_WRONLY | os.O_APPEND, 0))
spawn("create", ["/bin/echo", "created"], (O, 1, "d/new", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
spawn("truncate", ["/bin/echo", "truncated"], (O, 1, "d/g", os.O_WRONLY | os.O_TRUNC, 0))
os.unlink("w")
spawn("removed", ["/bin/cat"], (O, 0, "w", os.O_RDONLY, 0))
spawn("recreate", ["/bin/echo", "again"], (O, 1, "w", os.O_WRONLY | os.O_CREAT, 0o644))
spawn("exists", ["/bin/cat"], (O, 1, "d/new", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
spawn("directory", ["/bin/true"], (O, 1, "d", os.O_WRONLY, 0))
spawn("below a file", ["/bin/true"], (O, 0, "f/x", os.O_RDONLY, 0))
spawn("read-only truncate", ["/bin/true"], (O, 0, "t", os.O_RDONLY | os.O_TRUNC, 0))
print(open("f").read().split(), open("d/g").read().split(), open("w").read().split(), os.stat("t").st_size)
print(sorted(os.listdir(".")), sorted(os.listdir("d")))
PY
	kernel_compare "python3 $T/spawn.py"
}

# addchdir_np and addfchdir_np (progs/spawn_chdir.c): the child moves into
# the directory the view shows, later relative actions name paths below it
# (a read of a lower file, creates in a lower-only directory), ls there
# lists the merged directory, and a missing directory fails the spawn.
test_routes_spawn_file_actions_chdir() {
	put "$L/d/g" "g from lower"
	put "$L/d/sub/s" "s from lower"
	${CC:-cc} -std=gnu11 -Wall -O -o "$T/spawn_chdir" "$ROOT/tests/integration/progs/spawn_chdir.c" 2>"$T/cc.err" ||
		skip "cannot build progs/spawn_chdir.c: $(cat "$T/cc.err")"
	kernel_compare "'$T/spawn_chdir' d"
}
