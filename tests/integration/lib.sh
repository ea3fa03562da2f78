# Helpers for the integration tests; sourced by run.sh for each test.
# shellcheck shell=bash disable=SC2016,SC2034
#
# Every test runs in a fresh directory $T holding:
#   $L   the lower (created empty), $L2 a second lower (not created)
#   $U   the upper (not created: overlay-run creates it)
#   $M   a spare mount point (not created)
# A test builds its trees, calls `freeze` on every directory that must not
# change, runs programs with `ovl` / `run_ovl` / `run`, and asserts with the
# expect_* functions.  Frozen trees are compared again when the test ends.

RUN_OVERLAY=$ROOT/scripts/overlay-run

# ---- recording results ----------------------------------------------------

FAILED=0
fail() {
	printf 'assertion failed: %s\n' "$*"
	FAILED=1
}

# skip REASON: the test cannot run here; it counts as skipped.
skip() {
	printf '%s\n' "$*" >"$OT_NOTE"
	exit 77
}

# ---- building trees ---------------------------------------------------------

# put FILE LINE...: create FILE (and its parents) holding the lines given.
put() {
	mkdir -p -- "$(dirname -- "$1")"
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# manifest DIR: everything that identifies the tree: name, type, mode, owner,
# size, link count, inode, mtime, ctime, symlink target, and each file's
# sha256.  Two manifests are equal only if nothing in the tree changed.
manifest() {
	(
		cd -- "$1" || exit 1
		find . -printf '%p %y %m %U:%G %s %n %i %T@ %C@ %l\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
	)
}

# The library's own files at the root of an upper (its change counters, see
# OVL_GEN_FILE in core/ovl.h, which every process using the upper creates;
# and OVL_WHITEOUT_FILE, the empty file every whiteout is a hard link to):
# internal, hidden from the view, and left out of the checks of an upper.
GEN_FILE=.wh..wh.liboverlay.gen
WH_FILE=.wh..wh.liboverlay.wh

# upper_manifest DIR: the manifest of an upper without $GEN_FILE (and the
# root's own times, which its creation changes).
upper_manifest() {
	manifest "$1" | grep -v -e '^\. ' -e "^\./$GEN_FILE " -e "  \./$GEN_FILE\$" \
		-e "^\./$WH_FILE " -e "  \./$WH_FILE\$"
}

# freeze DIR...: remember the state of each tree; it must not change.
# freeze_upper DIR...: the same for an upper that the program only reads.
FROZEN=() FROZEN_HOW=()
freeze() {
	local d
	for d; do
		manifest "$d" >"$T/.frozen.${#FROZEN[@]}"
		FROZEN+=("$d") FROZEN_HOW+=(manifest)
	done
}
freeze_upper() {
	local d
	for d; do
		upper_manifest "$d" >"$T/.frozen.${#FROZEN[@]}"
		FROZEN+=("$d") FROZEN_HOW+=(upper_manifest)
	done
}

# expect_unchanged: every frozen tree is as it was (also run at the end).
expect_unchanged() {
	local i
	for i in "${!FROZEN[@]}"; do
		if ! "${FROZEN_HOW[i]}" "${FROZEN[i]}" | cmp -s - "$T/.frozen.$i"; then
			fail "${FROZEN[i]} changed:"
			"${FROZEN_HOW[i]}" "${FROZEN[i]}" | diff "$T/.frozen.$i" - | head -20
		fi
	done
}

# ---- running programs -----------------------------------------------------

# run [-C DIR] CMD...: run CMD (in DIR); its stdout goes to $T/out, stderr to
# $T/err, status to $RC.  Standard input is empty.
run() {
	local dir=$PWD
	if [[ $1 == -C ]]; then
		dir=$2
		shift 2
	fi
	RC=0
	(cd -- "$dir" && "$@") </dev/null >"$T/out" 2>"$T/err" || RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# run_ovl [-C DIR] OVERLAY-RUN-ARGS...: run overlay-run.
run_ovl() {
	if [[ $1 == -C ]]; then
		run -C "$2" "$RUN_OVERLAY" "${@:3}"
	else
		run "$RUN_OVERLAY" "$@"
	fi
}

# ovl CMD...: the usual in-place overlay: upper $U over lower $L, cwd $L.
ovl() {
	run_ovl -C "$L" --upper "$U" --lower "$L" -- "$@"
}

# needs_wrapper SYMBOL WHAT: skip the test when the library does not define
# SYMBOL (a family the shim does not intercept yet), saying so.
needs_wrapper() {
	command -v nm >/dev/null || return 0
	nm -D --defined-only "$OVERLAY_LIB" | awk '{print $NF}' | grep -qx "$1" ||
		skip "the library does not wrap $1 yet: $2"
}

# The LD_PRELOAD value for running a program under the library by hand.
preload() {
	printf '%s' "${OVERLAY_PRELOAD_EXTRA:+$OVERLAY_PRELOAD_EXTRA }$OVERLAY_LIB"
}

# ---- assertions -------------------------------------------------------------

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [[ $2 != "$3" ]]; then
		fail "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /' | head -40
	fi
}

expect_rc() { [[ $RC == "$1" ]] || fail "exit status $RC, expected $1${ERR:+ (stderr: $(head -c 600 <<<"$ERR"))}"; }

# expect_out LINE...: the program printed exactly these lines.
expect_out() { expect_eq "stdout" "$(printf '%s\n' "$@")" "$OUT"; }

# expect_err_has TEXT: stderr contains TEXT.
expect_err_has() { [[ $ERR == *"$1"* ]] || fail "stderr lacks '$1': $ERR"; }

# expect_err_empty
expect_err_empty() { [[ -z $ERR ]] || fail "unexpected stderr: $(head -c 600 <<<"$ERR")"; }

# expect_one_line PREFIX: stderr is exactly one line starting with PREFIX.
expect_one_line() {
	[[ $ERR == "$1"* ]] || fail "stderr does not start with '$1': $ERR"
	[[ $(printf '%s\n' "$ERR" | wc -l) == 1 ]] || fail "stderr has more than one line: $ERR"
}

# expect_file PATH LINE...: PATH is a regular file holding exactly these lines.
expect_file() {
	local f=$1
	shift
	if [[ ! -f $f || -L $f ]]; then
		fail "$f is not a regular file"
		return
	fi
	expect_eq "content of $f" "$(printf '%s\n' "$@")" "$(cat -- "$f")"
}

# expect_missing PATH: nothing at all (not even a dangling symlink) at PATH.
expect_missing() { [[ ! -e $1 && ! -L $1 ]] || fail "$1 exists"; }

# expect_tree DIR LINE...: DIR holds exactly these entries, each "path type"
# with find's %y types (f d l...); `.wh.` whiteouts and markers included,
# $GEN_FILE at the top left out.
expect_tree() {
	local d=$1
	shift
	local got
	if [[ ! -d $d ]]; then
		fail "$d is not a directory"
		return
	fi
	got=$(cd -- "$d" && find . -mindepth 1 -printf '%P %y\n' | grep -vxF -e "$GEN_FILE f" -e "$WH_FILE f" | LC_ALL=C sort)
	expect_eq "entries of $d" "$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort)" "$got"
}

# expect_whiteout DIR NAME: DIR/.wh.NAME is a whiteout, DIR/NAME is gone.
expect_whiteout() {
	[[ -f $1/.wh.$2 ]] || fail "no whiteout $1/.wh.$2"
	expect_missing "$1/$2"
}

# ---- the kernel's overlayfs, for comparison ---------------------------------

# A script printing a merged view: each entry's name, type and mode, each
# symlink's target, each file's checksum.  Run with cwd at the mount point.
MERGED_VIEW='find . -mindepth 1 -printf "%p %y %m\n" | LC_ALL=C sort
find . -type l -printf "%p -> %l\n" | LC_ALL=C sort
find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2'

# kernel_mount LOWER...: mount copies of the lowers (whiteouts converted from
# the OCI form `.wh.NAME` / `.wh..wh..opq` to the kernel's) under a fresh
# upper at $KM.  Skips the test when the kernel cannot do it here.
kernel_mount() {
	[[ $(id -u) == 0 ]] || skip "kernel overlayfs comparison needs root"
	grep -qw overlay /proc/filesystems 2>/dev/null || modprobe overlay 2>/dev/null ||
		skip "kernel has no overlay filesystem"
	local k=$T/kernel i=0 l lowers='' f
	mkdir -p "$k/upper" "$k/work" "$k/mnt"
	for l; do
		i=$((i + 1))
		cp -a -- "$l" "$k/lower$i"
		while IFS= read -r -d '' f; do
			if [[ ${f##*/} == .wh..wh..opq ]]; then
				rm -f -- "$f"
				python3 -c 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' \
					"${f%/*}" 2>/dev/null || skip "cannot set trusted.overlay.opaque (python3, xattrs)"
			else
				rm -f -- "$f"
				mknod -- "${f%/*}/${f##*/.wh.}" c 0 0 || skip "cannot make a kernel whiteout"
			fi
		done < <(find "$k/lower$i" -name '.wh.*' -print0)
		lowers+=${lowers:+:}$k/lower$i
	done
	local err
	err=$(mount -t overlay overlay -o "lowerdir=$lowers,upperdir=$k/upper,workdir=$k/work" "$k/mnt" 2>&1) ||
		skip "mount -t overlay failed here: $err"
	KM=$k/mnt
	UNMOUNT=$KM
}

# ---- per-test set-up and tear-down (run.sh calls these) --------------------

ot_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/ovltest.XXXXXX") || exit 1
	T=$(realpath -e -- "$T")
	L=$T/lower L2=$T/lower2 U=$T/upper M=$T/mnt
	mkdir "$L"
	UNMOUNT=''
	trap ot_cleanup EXIT
	trap 'exit 143' TERM # timeout: still unmount and clean up
}

ot_cleanup() {
	local rc=$?
	[[ -n $UNMOUNT ]] && umount -- "$UNMOUNT" 2>/dev/null
	if [[ ${OVERLAY_KEEP:-0} == 1 ]]; then
		echo "kept $T"
	else
		chmod -R u+rwX -- "$T" 2>/dev/null
		rm -rf -- "$T"
	fi
	exit "$rc"
}

ot_finish() {
	expect_unchanged
	((FAILED == 0))
}
