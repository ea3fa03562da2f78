#!/usr/bin/env bash
# Integration tests: real programs under scripts/overlay-run.
#
#   OVERLAY_LIB=build/liboverlay.so tests/integration/run.sh [PATTERN]
#
# Runs every test_* function of tests/integration/t_*.sh (those whose
# "file/function" name contains PATTERN), each in its own process and temp
# directory, and ends with the line "N passed, N failed[, N skipped]".
# OVERLAY_SANITIZE=1: the library is an ASan+UBSan build; the ASan runtime is
# preloaded before it.  OVERLAY_KEEP=1 keeps each test's temp directory.
# shellcheck source-path=SCRIPTDIR
set -u
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
export ROOT LC_ALL=C
# Started from make, a make in a test would say "Entering directory".
unset OVERLAY_UPPER OVERLAY_LOWER OVERLAY_MOUNT MAKELEVEL MAKEFLAGS MFLAGS

[[ -n ${OVERLAY_LIB:-} && -f ${OVERLAY_LIB:-} ]] || {
	echo "run.sh: set OVERLAY_LIB to the built liboverlay.so (make test-integration does)" >&2
	exit 2
}
OVERLAY_LIB=$(realpath -e -- "$OVERLAY_LIB")
export OVERLAY_LIB
if [[ ${OVERLAY_SANITIZE:-0} == thread ]]; then
	OVERLAY_PRELOAD_EXTRA=$(${CC:-gcc} -print-file-name=libtsan.so)
	[[ -f $OVERLAY_PRELOAD_EXTRA ]] || { echo "run.sh: libtsan.so not found" >&2; exit 2; }
	export OVERLAY_PRELOAD_EXTRA
	# every report ends its process with status 66 and is printed on its
	# stderr, and the runner looks for them in each test's log; the
	# runtime's own log_path deadlocked here (a crash while it created the
	# log file under its report lock)
	export TSAN_OPTIONS=halt_on_error=1:exitcode=66:report_signal_unsafe=0
elif [[ ${OVERLAY_SANITIZE:-0} == 1 ]]; then
	OVERLAY_PRELOAD_EXTRA=$(${CC:-gcc} -print-file-name=libasan.so)
	[[ -f $OVERLAY_PRELOAD_EXTRA ]] || { echo "run.sh: libasan.so not found" >&2; exit 2; }
	export OVERLAY_PRELOAD_EXTRA
	export ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

# One test: run.sh --one FILE FUNCTION (exit 0 pass, 77 skip, else fail).
if [[ ${1:-} == --one ]]; then
	# shellcheck source=lib.sh
	. "$HERE/lib.sh"
	# shellcheck disable=SC1090
	. "$2" || { echo "cannot load $2"; exit 1; }
	ot_setup
	"$3"
	ot_finish
	exit
fi

pattern=${1:-}
pass=0 failed=0 skipped=0 names=()
note=$(mktemp) log=$(mktemp)
trap 'rm -f "$note" "$log"' EXIT
for file in "$HERE"/t_*.sh; do
	base=$(basename "$file" .sh)
	while read -r fn; do
		name=$base/${fn#test_}
		[[ $name == *"$pattern"* ]] || continue
		: >"$note"
		OT_NOTE=$note timeout -k 10 "${OVERLAY_TEST_TIMEOUT:-300}" \
			"$HERE/run.sh" --one "$file" "$fn" </dev/null >"$log" 2>&1
		rc=$?
		case $rc in
		0) pass=$((pass + 1)); echo "PASS $name" ;;
		77) skipped=$((skipped + 1)); echo "SKIP $name: $(cat "$note")" ;;
		*)
			failed=$((failed + 1)); names+=("$name")
			[[ $rc == 124 ]] && echo "  (timed out)" >>"$log"
			echo "FAIL $name"
			sed 's/^/    /' "$log"
			;;
		esac
	done < <(sed -n 's/^\(test_[A-Za-z0-9_]*\)() *{.*/\1/p' "$file")
done

((failed)) && printf 'failed: %s\n' "${names[*]}"
printf '%d passed, %d failed' "$pass" "$failed"
((skipped)) && printf ', %d skipped' "$skipped"
printf '\n'
((failed == 0))
