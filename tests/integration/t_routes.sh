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
