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
