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
