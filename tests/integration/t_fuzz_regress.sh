# The differences the fuzzer found and that were fixed, each kept as the
# short program it was shrunk to (tests/fuzz/regress/): every one must now
# give the kernel's answers, op by op and in the final view.  Skipped where
# the kernel's overlayfs cannot be mounted.
# shellcheck shell=bash disable=SC2016,SC2034

# regress_all [VAR=VALUE]: every reproducer, with the environment given.
regress_all() {
	[[ ${OVERLAY_SANITIZE:-0} == 0 ]] || skip "the reproducers preload the library alone; make test runs them"
	[[ $(id -u) == 0 ]] || skip "the kernel overlayfs comparison needs root"
	grep -qw overlay /proc/filesystems 2>/dev/null || modprobe overlay 2>/dev/null ||
		skip "kernel has no overlay filesystem"
	local f bad=0 n=0
	for f in "$ROOT"/tests/fuzz/regress/*.py; do
		n=$((n + 1))
		run env "$@" LIB="$OVERLAY_LIB" python3 "$f"
		if [[ $(tail -1 "$T/out") != SAME ]]; then
			bad=$((bad + 1))
			echo "differs again: ${f##*/}"
			grep -A2 '^!!' "$T/out" | head -9
		fi
	done
	((n > 0)) || fail "no reproducer found"
	expect_eq "reproducers that differ from the kernel again (of $n)" 0 "$bad"
}

test_fuzz_regress_all_agree() {
	regress_all
}

# The same through the second front end: the workers run under the
# supervisor (overlay-supervise beside the library), the library aside.
test_fuzz_regress_all_agree_supervised() {
	[[ -x ${OVERLAY_LIB%/*}/overlay-supervise ]] || fail "no overlay-supervise beside $OVERLAY_LIB"
	regress_all FUZZ_SUPERVISE=1
}
