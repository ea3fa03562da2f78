#!/usr/bin/env bash
# make demo: build the example project examples/hello in place in a source
# tree that must stay untouched, with every file the build writes diverted to
# an upper directory.  Exits non-zero if anything is off.
# DEMO_KEEP=1 keeps the temporary directory for a look around.
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
run=$root/scripts/overlay-run
work=$(mktemp -d "${TMPDIR:-/tmp}/overlay-demo.XXXXXX")
if [[ ${DEMO_KEEP:-0} == 1 ]]; then
	trap 'echo "(kept $work)"' EXIT
else
	trap 'rm -rf -- "$work"' EXIT
fi
src=$work/src upper=$work/upper

step() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }
# checksum DIR: names, types, modes, sizes, times and contents of the tree.
checksum() {
	(
		cd -- "$1"
		find . -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort
		find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2
	) | sha256sum | cut -d' ' -f1
}

cp -R -- "$root/examples/hello" "$src"
rm -f -- "$src"/*.o "$src/hello"
before=$(checksum "$src")

step "the source tree (the lower): $src"
ls -l -- "$src"

step "build in place: overlay-run --upper $upper --lower $src -- make -C $src"
"$run" --upper "$upper" --lower "$src" -- make -C "$src"

step "what the build wrote: the upper"
(cd -- "$work" && find upper | LC_ALL=C sort)
if [[ -e $upper/.wh..wh.liboverlay.gen ]]; then
	echo "(.wh..wh.liboverlay.gen: the library's change counters, hidden in the merged view)"
fi
for f in main.o greet.o multiply.o hello; do
	[[ -f $upper/$f ]] || die "$f is not in the upper"
done

step "the lower is unchanged"
after=$(checksum "$src")
echo "checksum before: $before"
echo "checksum after:  $after"
[[ $before == "$after" ]] || die "the lower changed"
[[ ! -e $src/hello && ! -e $src/main.o ]] || die "build output in the lower"

step "run the binary: $upper/hello demo"
out=$("$upper/hello" demo)
echo "$out"
[[ $out == "Hello from a build under liboverlay, demo!"* ]] || die "unexpected output from hello"

step "run it through the overlay: overlay-run ... -- $src/hello overlay"
out=$("$run" --upper "$upper" --lower "$src" -- "$src/hello" overlay) ||
	die "$src/hello did not run through the overlay"
echo "$out"
[[ $out == "Hello from a build under liboverlay, overlay!"* ]] || die "unexpected output from hello"

step "the merged view, as the command saw it"
"$run" --upper "$upper" --lower "$src" -- ls -l "$src"

printf '\ndemo OK: built in %s, output in %s, source unchanged\n' "$src" "$upper"
