# Deep paths (issue "Reliability"): host paths longer than PATH_MAX.  The
# kernel limits each path argument to PATH_MAX (4096) bytes, not the depth
# of a tree: relative names below a deep cwd work natively and on the
# kernel's overlayfs, and so must they here, where every call is turned into
# a host path (the upper's or a lower's) that may be longer than the
# program's: an upper path longer than the mount's, a copy-up's temporary
# name, a virtual cwd deeper than PATH_MAX.
# shellcheck shell=bash disable=SC2016,SC2034

# The program: cwd walks down a chain of 200-byte names, 19 levels (the
# virtual cwd about 3,850 bytes, the upper's over 4,096), then 6 more
# (over 5,000), and at each depth reads, copies up, creates, renames,
# removes and lists; last, at the mount root, /proc/self/cwd and
# /proc/self/fd/N name the same files.
DEEP_PROG='
import errno, hashlib, os, sys
M = sys.argv[1]
N = "d" * 200
def t(name, f, *a):
    try:
        r = f(*a)
        print(name, "ok", "" if r is None else r)
    except OSError as e:
        print(name, errno.errorcode[e.errno])
def app(p, s):
    with open(p, "a") as fh:
        fh.write(s)
def here():
    t("read orig", lambda: open("orig.txt").read().split())
    t("append orig", app, "orig.txt", "more\n")
    t("read orig again", lambda: open("orig.txt").read().split())
    t("create f", app, "f", "new\n")
    t("mkdir sub", os.mkdir, "sub")
    t("rename f", os.rename, "f", "sub/g")
    t("unlink gone", os.unlink, "gone.txt")
    t("stat gone", os.stat, "gone.txt")
    t("symlink", os.symlink, "orig.txt", "ln")
    t("read link", lambda: open("ln").read().split())
    t("chmod", os.chmod, "orig.txt", 0o600)
    t("mode", lambda: oct(os.stat("orig.txt").st_mode & 0o777))
    t("list", lambda: sorted(os.listdir(".")))
    t("list sub", lambda: os.listdir("sub"))
    t("getcwd", lambda: len(os.getcwd()))
    t("rmdir sub", lambda: (os.unlink("sub/g"), os.rmdir("sub")) and None)
for i in range(19):
    os.chdir(N)
here()
for i in range(6):
    os.chdir(N)
here()
t("back up", lambda: os.chdir("../" * 25))
t("cwd is the mount", lambda: os.getcwd() == M)
t("via /proc/self/cwd", lambda: open("/proc/self/cwd/top.txt").read().split())
fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
t("via /proc/self/fd/N", lambda: open("/proc/self/fd/%d/top.txt" % fd).read().split())
t("append via /proc/self/cwd", app, "/proc/self/cwd/top.txt", "X\n")
t("read top", lambda: open("top.txt").read().split())
# the merged tree, walked by descriptor (no path is longer than a name)
for root, dirs, files, rfd in os.fwalk("."):
    dirs.sort()
    for f in sorted(files):
        st = os.stat(f, dir_fd=rfd, follow_symlinks=False)
        h = hashlib.sha256((root + "/" + f).encode()).hexdigest()[:12]
        print("entry", len(root), h, f, oct(st.st_mode))
'

# deep_lower DIR: the tree the program walks.
deep_lower() {
	python3 -c '
import os, sys
os.chdir(sys.argv[1])
open("top.txt", "w").write("top\n")
for depth in (19, 6):
    for i in range(depth):
        os.mkdir("d" * 200)
        os.chdir("d" * 200)
    open("orig.txt", "w").write("orig\n")
    open("gone.txt", "w").write("gone\n")
' "$1"
}

test_deep_paths_beside_the_kernel() {
	[[ $(id -u) == 0 ]] || skip "kernel overlayfs comparison needs root"
	# the same tree built twice: cp -a cannot copy it (ENAMETOOLONG)
	local k=$T/kernel
	mkdir -p "$k/lower" "$k/upper" "$k/work" "$k/mnt"
	deep_lower "$L"
	deep_lower "$k/lower"
	freeze "$L"
	mount -t overlay overlay -o "lowerdir=$k/lower,upperdir=$k/upper,workdir=$k/work" "$k/mnt" ||
		skip "mount -t overlay failed here"
	UNMOUNT=$k/mnt
	run -C "$k/mnt" python3 -c "$DEEP_PROG" "$k/mnt"
	local kout=$OUT krc=$RC
	[[ $kout == *"entry "* && $krc == 0 ]] || fail "the kernel run failed: $ERR"
	# the library's mount point has the kernel's length, its upper a
	# longer path than the mount's
	local m=$k/lib u=$T/$(printf 'u%.0s' {1..150})/$(printf 'u%.0s' {1..150})
	mkdir -p "$m" "$u"
	run_ovl -C "$m" --upper "$u" --lower "$L" --mount "$m" -- python3 -c "$DEEP_PROG" "$m"
	expect_eq "deep paths: kernel (<) vs liboverlay (>)" "$kout" "$OUT"
	expect_eq "status: kernel vs liboverlay" "$krc" "$RC"
	expect_err_empty
}
