#!/usr/bin/env bash
# Real programs under the library, run by valgrind (memcheck, children
# traced): any invalid access, use of uninitialised memory or definite leak
# in the library's code fails the run.  `make test-valgrind`.
set -euo pipefail
lib=${OVERLAY_LIB:?set OVERLAY_LIB to the built liboverlay.so}
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lower/src/sub" "$work/lower/gone/deep" "$work/upper"
for i in 1 2 3 4 5; do echo "line $i" >"$work/lower/src/f$i.c"; done
echo deep >"$work/lower/gone/deep/x"
ln -s src/f1.c "$work/lower/link"
sum_before=$(cd "$work/lower" && find . -printf '%p %y %m %s %l\n' | sort | sha256sum)

script='cd "$1" && ls -laR >/dev/null && cat link >/dev/null &&
echo more >>src/f1.c && rm src/f2.c && mkdir -p newd/a && mv src/f3.c newd/ &&
rm -rf gone && mkdir gone && find . -type f && test ! -e gone/deep'
out=$(OVERLAY_UPPER=$work/upper OVERLAY_LOWER=$work/lower LD_PRELOAD=$lib \
	valgrind -q --trace-children=yes --leak-check=full --errors-for-leak-kinds=definite \
	sh -c "$script" sh "$work/lower" 2>"$work/vg.log") || {
	echo "FAIL: the script failed under valgrind:"; cat "$work/vg.log"; exit 1; }
out=$(LC_ALL=C sort <<<"$out")
expected='./link
./newd/f3.c
./src/f1.c
./src/f4.c
./src/f5.c'
# find -type f does not list the symlink; the rest is the merged view
expected=$(printf '%s\n' "$expected" | grep -v '^./link$')
[[ $out == "$expected" ]] || { echo "FAIL: merged view differs:"; diff <(echo "$expected") <(echo "$out"); exit 1; }
# Memory errors anywhere fail; leaks only when the library allocated them
# (coreutils do not free everything before exit, and need not).
if grep -qE 'Invalid (read|write|free)|uninitialised|Syscall param|liboverlay' "$work/vg.log"; then
	echo "FAIL: valgrind reported:"; cat "$work/vg.log"; exit 1
fi
sum_after=$(cd "$work/lower" && find . -printf '%p %y %m %s %l\n' | sort | sha256sum)
[[ $sum_before == "$sum_after" ]] || { echo "FAIL: the lower changed"; exit 1; }
echo "valgrind: clean (1 passed, 0 failed)"
