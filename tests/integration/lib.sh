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
		find . -type f -print0 | LC_ALL=C sort -z | python3 -c "$HASH_FILES"
	)
}

# sha256sum's lines for the NUL-separated names on stdin, each file opened a
# directory at a time, so that a tree deeper than PATH_MAX hashes too.
HASH_FILES='
import hashlib, os, sys
for name in sys.stdin.buffer.read().split(b"\0")[:-1]:
    parts, fd = name.split(b"/"), os.open(".", os.O_PATH)
    for d in parts[:-1]:
        fd, old = os.open(d, os.O_PATH | os.O_DIRECTORY, dir_fd=fd), fd
        os.close(old)
    try:
        with open(os.open(parts[-1], os.O_RDONLY, dir_fd=fd), "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
    except OSError as e:
        h = "unreadable: " + os.strerror(e.errno)
    os.close(fd)
    sys.stdout.buffer.write(h.encode() + b"  " + name + b"\n")
'

# The library's own files at the root of an upper (its change counters, see
# OVL_GEN_FILE in core/ovl.h, which every process using the upper creates;
# and OVL_WHITEOUT_FILE, the empty file every whiteout is a hard link to):
# internal, hidden from the view, and left out of the checks of an upper.
GEN_FILE=.wh..wh.liboverlay.gen
# its size (core/ovl.h OVL_GEN_BYTES): 16384 counters of 8 bytes, 1024 lock words of 4
GEN_BYTES=135168
WH_FILE=.wh..wh.liboverlay.wh
# overlay-run's record of the lowers' state for `overlay-run apply`.
BASE_FILE=.wh..wh.liboverlay.base

# upper_manifest DIR: the manifest of an upper without $GEN_FILE (and the
# root's own times, which its creation changes).
upper_manifest() {
	manifest "$1" | grep -v -e '^\. ' -e "^\./$GEN_FILE " -e "  \./$GEN_FILE\$" \
		-e "^\./$WH_FILE " -e "  \./$WH_FILE\$" -e "^\./$BASE_FILE " -e "  \./$BASE_FILE\$"
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
	# make test-tsan: a report on any process's stderr fails the test
	if [[ ${OVERLAY_SANITIZE:-0} == thread && $ERR == *ThreadSanitizer* ]]; then
		fail "ThreadSanitizer report:"
		grep -A30 ThreadSanitizer "$T/err" | head -40
	fi
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
	got=$(cd -- "$d" && find . -mindepth 1 -printf '%P %y\n' | grep -vxF -e "$GEN_FILE f" -e "$WH_FILE f" -e "$BASE_FILE f" | LC_ALL=C sort)
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

# kernel_compare SCRIPT [LOWER...]: run `sh -c SCRIPT` with cwd at the
# mount, on the upper $U over $L (and the further lowers given), and on the
# kernel's overlayfs over copies of those lowers.  overlay-run is given the
# options in the array OVL_OPTIONS too, when a test sets it.
kernel_compare() {
	local script=$1 l
	shift
	local lowers=("$L" "$@") args=(${OVL_OPTIONS[@]+"${OVL_OPTIONS[@]}"} --upper "$U")
	for l in "${lowers[@]}"; do args+=(--lower "$l"); done
	freeze "${lowers[@]}"
	kernel_mount "${lowers[@]}"
	run -C "$KM" sh -c "$script"
	local kout=$OUT kerr=$ERR krc=$RC
	run -C "$KM" sh -c "$MERGED_VIEW"
	local kview=$OUT
	[[ -n $kview ]] || fail "empty merged view of the kernel mount"

	run_ovl -C "$L" "${args[@]}" -- sh -c "$script"
	expect_eq "stdout: kernel (<) vs liboverlay (>)" "$kout" "$OUT"
	expect_eq "stderr: kernel (<) vs liboverlay (>)" "$kerr" "$ERR"
	expect_eq "status: kernel vs liboverlay" "$krc" "$RC"
	run_ovl -C "$L" "${args[@]}" -- sh -c "$MERGED_VIEW"
	expect_eq "merged view: kernel (<) vs liboverlay (>)" "$kview" "$OUT"
}

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

# ---- the matrix: one scenario on liboverlay and on the kernel's overlayfs ---
#
# A t_matrix_*.sh test builds layers in the OCI form the library reads
# (`.wh.NAME` whiteouts, `.wh..wh..opq` opaque markers): the first lower $L
# (which is also the mount point: the library runs in place, as CI users run
# it), optionally a second lower $L2, a pre-populated upper $U, and trees
# outside the overlay: $EXT (read-only sources, e.g. for `cp -r` into the
# mount) and $X (a scratch directory, empty when the scenario starts, e.g.
# for `cp -r` out of it).  Then `matrix_run SCRIPT <<'EOF' ... EOF` runs the
# script twice, both times with its cwd at the same path $L and the same
# environment, so outputs compare literally:
#   1. on the kernel's overlayfs mounted over $L, whose layers are copies of
#      $L, $L2 and $U converted to the kernel's form (char device 0/0
#      whiteouts, trusted.overlay.opaque="y");
#   2. under scripts/overlay-run --upper $U --lower $L [--lower $L2], in place.
# and checks that
#   - both print the same (stdout and stderr together), with the same exit
#     status, and that this is what the test expects (the here-document,
#     where @T@ stands for the test's directory $T; $MATRIX_RC, default 0,
#     is the expected status);
#   - the merged trees afterwards are the same ($MATRIX_VIEW: names, types,
#     modes, owners, link counts, sizes, contents, symlink targets; neither
#     inode numbers nor times), and so are the trees left in $X;
#   - every lower is unchanged byte for byte (the kernel's copies too).
# Every entry of the layers and of $EXT gets the mtime and atime 1600000000
# first (set times in the script itself where a scenario needs others).
# MATRIX_SKIP: an extended regex of paths (relative to the mount, no "./")
# of files whose contents and sizes are not compared (each test says why).
# MATRIX_SH: the shell running the script (default sh).
# Where the kernel's overlayfs cannot be mounted, only the library run is
# made, checked against the expectations in the test, and the test ends as
# SKIP naming the reason (a FAIL still fails).  matrix_run must be the last
# call of a test.  Knobs: OVERLAY_MATRIX_KERNEL=0 forces that path;
# OVERLAY_MATRIX_RECORD=DIR writes each run's output and views to
# DIR/<test>.{kernel,library}.{out,view} (to write the expectations).

# The merged view (run with cwd at the mount).
MATRIX_VIEW='find . \( -type d -printf "%p d %m %U:%G %n\n" \) -o \( -type l -printf "%p l %U:%G -> %l\n" \) \
	-o -printf "%p %y %m %U:%G %n %s\n" | LC_ALL=C sort |
	if [ -n "${MATRIX_SKIP:-}" ]; then sed -E "s#^(\./(${MATRIX_SKIP}) f [0-7]+ [0-9]+:[0-9]+ [0-9]+) [0-9]+\$#\1 -#"; else cat; fi
find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2 |
	if [ -n "${MATRIX_SKIP:-}" ]; then grep -Ev "  \./(${MATRIX_SKIP})\$"; else cat; fi'

# matrix_kernel_form COPY ORIGINAL: turn the OCI whiteouts and opaque markers
# of COPY (a `cp -a` of ORIGINAL) into the kernel's, keeping each changed
# directory's mtime; other `.wh..wh.` names (the library's own) are dropped.
# Fails (status 1, reason in MX_WHY) when the kernel form cannot be made.
matrix_kernel_form() {
	local copy=$1 orig=$2 f rel dir
	while IFS= read -r -d '' f; do
		rel=${f#"$copy"}
		dir=${f%/*}
		rm -f -- "$f"
		case ${f##*/} in
		.wh..wh..opq)
			python3 -c 'import os,sys; os.setxattr(sys.argv[1], "trusted.overlay.opaque", b"y")' "$dir" 2>/dev/null ||
				{ MX_WHY="cannot set trusted.overlay.opaque here (python3, xattrs)"; return 1; } ;;
		.wh..wh.*) ;;
		*) mknod -- "$dir/${f##*/.wh.}" c 0 0 2>/dev/null || { MX_WHY="cannot make a char device whiteout"; return 1; } ;;
		esac
		touch -m -r "$orig${rel%/*}" -- "$dir"
	done < <(find "$copy" -depth -name '.wh.*' -print0)
	return 0
}

# matrix_kernel_mount: mount the kernel's overlayfs over $L, with copies of
# the layers in $T/kernel; returns 1 with the reason in MX_WHY when it cannot.
matrix_kernel_mount() {
	MX_WHY=''
	if [[ ${OVERLAY_MATRIX_KERNEL:-1} == 0 ]]; then MX_WHY="OVERLAY_MATRIX_KERNEL=0"; return 1; fi
	[[ $(id -u) == 0 ]] || { MX_WHY="mounting the kernel's overlayfs needs root"; return 1; }
	grep -qw overlay /proc/filesystems 2>/dev/null || modprobe overlay 2>/dev/null ||
		{ MX_WHY="the kernel has no overlay filesystem"; return 1; }
	local k=$T/kernel lowers=$T/kernel/l1 err
	rm -rf -- "$k"
	mkdir -p "$k/work"
	cp -a -- "$L" "$k/l1" && matrix_kernel_form "$k/l1" "$L" || return 1
	if [[ -d $L2 ]]; then
		cp -a -- "$L2" "$k/l2" && matrix_kernel_form "$k/l2" "$L2" || return 1
		lowers+=:$k/l2
	fi
	cp -a -- "$U" "$k/u" && matrix_kernel_form "$k/u" "$U" || return 1
	# The semantics liboverlay follows (DESIGN.md section 3): no redirect_dir
	# (renaming a lower directory is EXDEV), no index, no metacopy.
	local opts="lowerdir=$lowers,upperdir=$k/u,workdir=$k/work"
	err=$(mount -t overlay overlay -o "$opts,redirect_dir=off,index=off,metacopy=off" "$L" 2>&1) ||
		err=$(mount -t overlay overlay -o "$opts" "$L" 2>&1) ||
		{ MX_WHY="mount -t overlay failed here: $err"; return 1; }
	UNMOUNT=$L
	# The kernel records its own xattrs (trusted.overlay.origin, .impure) on
	# the upper's directories when it first looks them up, which changes
	# their ctime and st_blocks: done before the scenario, so that it does
	# not see it (`tar` would say "file changed as we read it").
	find "$L" >/dev/null
	return 0
}

# matrix_setup: set $X and $EXT (matrix_layers calls it; a test building
# its own layers calls it first).
matrix_setup() {
	X=$T/x EXT=$T/ext
}

# matrix_script_env: the environment both runs of a scenario share: MNT (the
# mount point), X, EXT, PY (python3's real path), TZ, PYTHONHASHSEED, umask.
matrix_script_env() {
	mkdir -p "$X"
	export MNT=$L X EXT TZ=UTC0 PYTHONHASHSEED=0 MATRIX_SKIP=${MATRIX_SKIP:-}
	PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=python3
	export PY
	umask 022
}

# matrix_run SCRIPT <<'EOF' expected output EOF: see above.
matrix_run() {
	local script=$1 expected sh=${MATRIX_SH:-sh} test=${FUNCNAME[1]}
	expected=$(cat)
	expected=${expected//@T@/$T}
	matrix_setup
	mkdir -p "$U"
	matrix_script_env
	local args=(--upper "$U" --lower "$L") frozen=("$L")
	if [[ -d $L2 ]]; then args+=(--lower "$L2"); frozen+=("$L2"); fi
	[[ -d $EXT ]] && frozen+=("$EXT")
	# Fixed times, so that outputs showing them can be written in the test.
	find "${frozen[@]}" "$U" -exec touch -h -d @1600000000 {} +
	freeze "${frozen[@]}"
	local rec=${OVERLAY_MATRIX_RECORD:-}
	[[ -n $rec ]] && mkdir -p "$rec"

	local kernel=0 kout krc kview kx
	if matrix_kernel_mount; then
		kernel=1
		freeze "$T/kernel/l1"
		[[ -d $T/kernel/l2 ]] && freeze "$T/kernel/l2"
		run -C "$L" "$sh" -c "exec 2>&1
$script"
		kout=$OUT krc=$RC
		run -C "$L" sh -c "$MATRIX_VIEW"
		kview=$OUT
		[[ -n $kview && -z $ERR ]] || fail "merged view of the kernel's mount: $ERR"
		kx=$(cd "$X" && sh -c "$MATRIX_VIEW")
		if ! umount -- "$L"; then
			fail "cannot unmount the kernel's overlayfs from $L (a process left running?)"
			umount -l -- "$L"
		fi
		UNMOUNT=''
		if [[ -n $rec ]]; then
			printf '%s\n' "$kout" >"$rec/$test.kernel.out"
			printf '%s\n' "$krc" >"$rec/$test.kernel.rc"
			printf '%s\n' "$kview" "--- X" "$kx" >"$rec/$test.kernel.view"
		fi
		rm -rf -- "$X"
		mkdir -p "$X"
	fi

	run_ovl -C "$L" "${args[@]}" -- "$sh" -c "exec 2>&1
$script"
	local lout=$OUT lrc=$RC
	run_ovl -C "$L" "${args[@]}" -- sh -c "$MATRIX_VIEW"
	local lview=$OUT lx
	[[ -n $lview && -z $ERR ]] || fail "merged view under liboverlay: $ERR"
	lx=$(cd "$X" && sh -c "$MATRIX_VIEW")
	if [[ -n $rec ]]; then
		printf '%s\n' "$lout" >"$rec/$test.library.out"
		printf '%s\n' "$lview" "--- X" "$lx" >"$rec/$test.library.view"
	fi

	if ((kernel)); then
		expect_eq "output: kernel (<) vs liboverlay (>)" "$kout" "$lout"
		expect_eq "exit status: kernel vs liboverlay" "$krc" "$lrc"
		expect_eq "merged tree: kernel (<) vs liboverlay (>)" "$kview" "$lview"
		expect_eq "tree left in \$X: kernel (<) vs liboverlay (>)" "$kx" "$lx"
	fi
	expect_eq "output: expected by the test (<) vs liboverlay (>)" "$expected" "$lout"
	expect_eq "exit status: expected by the test vs liboverlay" "${MATRIX_RC:-0}" "$lrc"
	if ((!kernel)); then
		expect_unchanged
		((FAILED)) || skip "kernel part: $MX_WHY (compared with the expectations in the test only)"
	fi
}

# matrix_whiteout PATH: an OCI whiteout hiding PATH from the layers below.
# matrix_opaque DIR: an OCI opaque marker in DIR (created if missing).
matrix_whiteout() {
	mkdir -p -- "${1%/*}"
	: >"${1%/*}/.wh.${1##*/}"
}
matrix_opaque() {
	mkdir -p -- "$1"
	: >"$1/.wh..wh..opq"
}

# matrix_layers: the usual stack, non-trivial on purpose.  Directories
# present in both lowers and in the upper (tree, tree/sub, shared), a
# whiteout in the first lower (tree/gone.txt) and in the upper
# (tree/gonedir, shared/only2.txt), an opaque directory in the first lower
# (tree/old) and in the upper (opq), symlinks, an executable, an empty
# directory, a file that only the upper has, a file in both lowers.
matrix_layers() {
	matrix_setup
	put "$L2/tree/a.txt" "a from lower2"
	put "$L2/tree/gone.txt" "gone from lower2"
	put "$L2/tree/sub/deep.txt" "deep from lower2"
	put "$L2/tree/old/stale.txt" "stale from lower2"
	put "$L2/tree/gonedir/x" "x from lower2"
	put "$L2/shared/only2.txt" "only2 from lower2"
	put "$L2/shared/both.txt" "both from lower2"
	put "$L2/base.txt" "base from lower2" "second line"
	mkdir -p "$L2/empty2"
	chmod 750 "$L2/empty2"

	put "$L/tree/b.txt" "b from lower1"
	put "$L/tree/sub/mid.txt" "mid from lower1"
	matrix_whiteout "$L/tree/gone.txt"
	put "$L/tree/old/new.txt" "new from lower1"
	matrix_opaque "$L/tree/old"
	put "$L/shared/both.txt" "both from lower1"
	put "$L/shared/only1.txt" "only1 from lower1"
	put "$L/opq/stale.txt" "stale from lower1"
	put "$L/bin/tool.sh" '#!/bin/sh' 'echo "tool $*"'
	chmod 755 "$L/bin/tool.sh"
	mkdir -p "$L/tree/empty1"
	ln -s tree/a.txt "$L/link"
	ln -s tree/sub "$L/dirlink"
	ln -s nowhere "$L/dangling"

	put "$U/tree/c.txt" "c from upper"
	put "$U/tree/sub/up.txt" "up from upper"
	matrix_whiteout "$U/tree/gonedir"
	matrix_whiteout "$U/shared/only2.txt"
	put "$U/shared/upd.txt" "upd from upper"
	put "$U/opq/fresh.txt" "fresh from upper"
	matrix_opaque "$U/opq"
}
