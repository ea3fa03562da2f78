# Reliability on a hostile upper: a full disk (bytes or inodes), a
# read-only upper, the shared counter file damaged, and the temporaries a
# killed copy-up leaves behind.  Each test mounts small tmpfs file systems
# in a mount namespace of its own (it re-runs itself under `unshare -m`),
# so nothing outlives it; they need root and are skipped elsewhere.
# Where it makes sense the kernel's overlayfs runs the same script on the
# same kind of upper and must give the same output and status.
# shellcheck shell=bash disable=SC2016,SC2034

DISK_FILE=${BASH_SOURCE[0]}

# private_mounts: run the calling test again in a mount namespace of its
# own (from the start: its directory is made anew).
private_mounts() {
	[[ -n ${OT_PRIVATE_NS:-} ]] && return 0
	[[ $(id -u) == 0 ]] || skip "needs root (tmpfs mounts)"
	unshare -m --propagation private true 2>/dev/null || skip "unshare -m is not allowed here"
	local fn=${FUNCNAME[1]}
	trap - EXIT TERM
	rm -rf -- "$T"
	OT_PRIVATE_NS=1 exec unshare -m --propagation private "$ROOT/tests/integration/run.sh" --one "$DISK_FILE" "$fn"
}

# small_fs DIR OPTIONS: a tmpfs at DIR (created if missing).
small_fs() {
	mkdir -p -- "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" || skip "cannot mount tmpfs -o $2"
	[[ -n $UNMOUNT ]] || UNMOUNT=$1
}

# fill DIR: use up the space of DIR's file system (fill_inodes: its inodes).
fill() { dd if=/dev/zero of="$1/.fill" bs=4k 2>/dev/null; return 0; }
fill_inodes() {
	mkdir -p -- "$1/.ifill"
	local i=0
	while : 2>/dev/null >"$1/.ifill/$i"; do i=$((i + 1)); done
	return 0
}

# temporaries DIR: the library's temporaries anywhere below DIR.
temporaries() {
	find "$1" -name '.wh..wh.*' ! -name '.wh..wh..opq' ! -name '.wh..wh.liboverlay.*' -printf '%P\n' | LC_ALL=C sort
}

# lib_run CMD...: CMD under the library by hand (no overlay-run, which
# needs room in the upper for its own files): upper $U over $L, in place.
lib_run() {
	run -C "$L" env LD_PRELOAD="$(preload)" OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" "$@"
}

# disk_compare SETUP SCRIPT: run `sh -c SCRIPT` in place over $L on the
# library (upper $U) and, when it can be mounted, on the kernel's overlayfs
# (its upper and work directories on a file system made by `SETUP DIR`,
# as $U was), and compare outputs (stdout and stderr together) and status.
# Sets KOUT, KRC (kernel) and OUT, RC (library).
disk_compare() {
	local setup=$1 script=$2 k=$T/kernel err
	KOUT='' KRC=''
	lib_run sh -c "exec 2>&1; $script"
	local lout=$OUT lrc=$RC
	if grep -qw overlay /proc/filesystems 2>/dev/null || modprobe overlay 2>/dev/null; then
		mkdir -p "$k/fs" "$k/mnt" "$k/lower"
		cp -a -- "$L/." "$k/lower/"
		"$setup" "$k/fs" kernel
		if err=$(mount -t overlay overlay -o "lowerdir=$k/lower,upperdir=$k/fs/u,workdir=$k/fs/w" "$k/mnt" 2>&1); then
			"$setup" "$k/fs" kernel-mounted
			run -C "$k/mnt" sh -c "exec 2>&1; $script"
			KOUT=$OUT KRC=$RC
			umount "$k/mnt"
			expect_eq "output: kernel (<) vs liboverlay (>)" "$KOUT" "$lout"
			expect_eq "status: kernel vs liboverlay" "$KRC" "$lrc"
		else
			echo "kernel overlayfs not compared: $err"
		fi
		umount "$k/fs" 2>/dev/null
	fi
	[[ -n ${DISK_SHOW:-} ]] && printf 'kernel (%s):\n%s\nlibrary (%s):\n%s\n' "$KRC" "$KOUT" "$lrc" "$lout" >&2
	OUT=$lout RC=$lrc
}

# ---- the shared counter file (core/gen.c) ---------------------------------

# The upper is full before the counter file exists: the first lookup used
# to die of SIGBUS (exit 135), writing through the map of a file whose
# pages could not be allocated.  Now: no cache, reads work, writes fail.
test_disk_counters_full_upper() {
	private_mounts
	put "$L/f" "lower data"
	freeze "$L"
	small_fs "$U" size=64k
	fill "$U"
	lib_run cat f
	expect_rc 0
	expect_out "lower data"
	lib_run sh -c 'ls; cp f g'
	expect_rc 1
	expect_err_has "No space left on device"
	expect_eq "temporaries left" "" "$(temporaries "$U")"
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- cat f
	expect_rc 0
	expect_out "lower data"
	umount "$U"
}

# The file is there at full size but without its pages (a sparse file, as
# an older library left it) on a full upper: the same.
test_disk_counters_sparse_on_full_upper() {
	private_mounts
	put "$L/f" "lower data"
	small_fs "$U" size=1m
	truncate -s 128k "$U/$GEN_FILE"
	fill "$U"
	lib_run sh -c 'cat f; ls; test -e f && echo yes'
	expect_rc 0
	expect_out "lower data" f yes
	umount "$U"
}

# Damage to the counter file between runs or during one: garbage, too
# short, chmod 000, removed, a directory in its place.  The view stays
# right and nothing crashes.
test_disk_counters_damage() {
	put "$L/f" "lower data"
	freeze "$L"
	local script='cat f; echo x >> f; cat f; touch n; ls; rm n; ls'
	local want=$'lower data\nlower data\nx\nf\nn\nf'
	ovl true
	head -c "$GEN_BYTES" /dev/urandom >"$U/$GEN_FILE" # lock words too
	ovl sh -c "$script"
	expect_rc 0
	expect_eq "garbage" "$want" "$OUT"
	rm -rf "$U" && ovl true
	printf 'short' >"$U/$GEN_FILE"
	ovl sh -c "$script"
	expect_rc 0
	expect_eq "too short" "$want" "$OUT"
	[[ $(stat -c %s "$U/$GEN_FILE") == "$GEN_BYTES" ]] || fail "not extended: $(stat -c %s "$U/$GEN_FILE")"
	rm -rf "$U" && ovl true
	chmod 000 "$U/$GEN_FILE"
	ovl sh -c "$script"
	expect_rc 0
	expect_eq "chmod 000" "$want" "$OUT"
	rm -rf "$U" && ovl true
	# removed while processes use it: the shell keeps its map, its
	# children make a new file; each sees its own and the others' changes
	ovl sh -c "cat f; rm -f $U/$GEN_FILE; $script"
	expect_rc 0
	expect_eq "removed while running" $'lower data\n'"$want" "$OUT"
	rm -rf "$U" && mkdir -p "$U/$GEN_FILE"
	ovl sh -c "$script"
	expect_rc 0
	expect_eq "a directory" "$want" "$OUT"
	# truncated between runs: the next process reserves it again
	rm -rf "$U" && ovl true
	truncate -s 0 "$U/$GEN_FILE"
	ovl sh -c "$script"
	expect_rc 0
	expect_eq "truncated" "$want" "$OUT"
}

# ---- full and read-only uppers --------------------------------------------

# A copy-up that does not fit: ENOSPC, as on the kernel's overlayfs; no
# half-copied file is visible (nor left hidden), the lower is intact and
# still readable.
disk_2m() {
	case $2 in
	kernel) small_fs "$1" size=2m && mkdir "$1/u" "$1/w" ;;
	esac
}
test_disk_copyup_enospc() {
	private_mounts
	head -c 10485760 /dev/urandom >"$L/big"
	put "$L/small" "small"
	freeze "$L"
	local sum
	sum=$(sha256sum <"$L/big")
	small_fs "$U" size=2m
	disk_compare disk_2m 'echo x >> big; echo "rc $?"; echo y >> small; echo "rc $?"; ls; cat small; sha256sum < big'
	expect_rc 0
	local out=$OUT
	[[ $out == *"No space left on device"* && $out == *"rc 2"* ]] || fail "no ENOSPC: $out"
	[[ $out == *"$sum"* ]] || fail "big no longer reads as the lower's: $out"
	expect_eq "temporaries left" "" "$(temporaries "$U")"
	expect_missing "$U/big"
	expect_file "$U/small" small y
	# through overlay-run too (it has room for its own files)
	run_ovl -C "$L" --upper "$U" --lower "$L" -- sh -c 'echo x >> big'
	expect_rc 2
	expect_err_has "No space left on device"
	expect_missing "$U/big"
	expect_eq "temporaries left" "" "$(temporaries "$U")"
	umount "$U"
}

# No inode left: creating, copying up, making directories and deleting
# fail with ENOSPC as on the kernel's overlayfs (whose whiteouts take an
# inode too); reads still work.
disk_inodes() {
	case $2 in
	kernel) small_fs "$1" nr_inodes=64,size=4m && mkdir "$1/u" "$1/w" ;;
	kernel-mounted) fill_inodes "$1" ;;
	esac
}
test_disk_inodes() {
	private_mounts
	put "$L/f" "lower"
	mkdir "$L/d"
	put "$L/d/g" "gee"
	freeze "$L"
	small_fs "$U" nr_inodes=64,size=4m
	lib_run true
	fill_inodes "$U"
	disk_compare disk_inodes 'touch new; echo "rc $?"; echo x >> f; echo "rc $?"; mkdir e; echo "rc $?"; ln -s f s; echo "rc $?"; ls; cat f d/g'
	expect_rc 0
	[[ $OUT == *"No space left on device"* ]] || fail "no ENOSPC: $OUT"
	[[ $OUT == *$'d\nf\nlower\ngee' ]] || fail "reads: $OUT"
	expect_eq "temporaries left" "" "$(temporaries "$U")"
	expect_eq "upper" "" "$(find "$U" -mindepth 1 -maxdepth 1 ! -name .ifill ! -name "$GEN_FILE" -printf '%P\n')"
	umount "$U"
}

# A read-only upper (a read-only bind mount): every change is EROFS, reads
# work, and the view is what it was.  The kernel's overlayfs cannot use a
# read-only upper; a read-only overlay of the same layers (the upper as
# the top lower) is what it compares with.
test_disk_readonly_upper() {
	private_mounts
	put "$L/f" "lower"
	put "$L/g" "gee"
	freeze "$L"
	ovl sh -c 'echo up >> f; rm g; mkdir d'
	mount --bind "$U" "$U" || skip "cannot bind-mount the upper"
	UNMOUNT=$U
	mount -o remount,bind,ro "$U" || skip "cannot make a read-only bind mount"
	local script='cat f; ls; echo x >> f; echo "rc $?"; touch n; echo "rc $?"; rm f; echo "rc $?"; mkdir e; echo "rc $?"; mv f h; echo "rc $?"; chmod 600 f; echo "rc $?"; ls; cat f'
	lib_run sh -c "exec 2>&1; $script"
	expect_rc 0
	local lout=$OUT
	[[ $lout == *"Read-only file system"* ]] || fail "no EROFS: $lout"
	[[ $lout != *"rc 0"* ]] || fail "a change succeeded: $lout"
	[[ $lout == "lower"$'\n'"up"$'\n'"d"$'\n'"f"$'\n'* ]] || fail "view: $lout"
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- cat f
	expect_rc 0
	expect_out lower up
	if grep -qw overlay /proc/filesystems 2>/dev/null; then
		local k=$T/kernel
		mkdir -p "$k/mnt"
		cp -a -- "$L" "$k/l" && cp -a -- "$U" "$k/u"
		matrix_kernel_form "$k/u" "$U" && matrix_kernel_form "$k/l" "$L" &&
			mount -t overlay overlay -o "lowerdir=$k/u:$k/l" "$k/mnt" 2>/dev/null && {
			run -C "$k/mnt" sh -c "exec 2>&1; $script"
			umount "$k/mnt"
			expect_eq "output: kernel (<) vs liboverlay (>)" "$OUT" "$lout"
		}
	fi
	umount "$U"
}

# ---- temporaries of killed processes (scripts/overlay-run.d/reclaim.sh) ---

# A copy-up killed halfway leaves its temporary; the next overlay-run
# removes it before running the command (and diff does not count it).
test_disk_reclaim_killed_copyup() {
	private_mounts
	head -c $((256 << 20)) /dev/zero >"$L/big"
	put "$L/f" f
	freeze "$L"
	small_fs "$U" size=1g
	local i pid left=''
	for ((i = 0; i < 20; i++)); do
		LD_PRELOAD="$(preload)" OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" sh -c 'exec 3>>"$1/big"' sh "$L" &
		pid=$!
		for ((j = 0; j < 400; j++)); do
			left=$(temporaries "$U")
			[[ -n $left ]] && break
			sleep 0.005
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		left=$(temporaries "$U")
		[[ -n $left ]] && break
		rm -f "$U/big"
	done
	[[ $left == .wh..wh.copyup.* ]] || skip "no copy-up could be killed halfway in 20 tries"
	expect_missing "$U/big"
	run "$RUN_OVERLAY" diff "$U" --lower "$L"
	expect_rc 0
	expect_out ""
	expect_err_has "1 leftover temporary of killed processes"
	ovl cat f
	expect_rc 0
	expect_out f
	expect_eq "temporaries after the next run" "" "$(temporaries "$U")"
	umount "$U"
}

# Only the dead are reclaimed: a temporary whose owner is alive stays,
# also one whose pid lives on in another process (reused pid, other start
# time) goes, so do those of older libraries (no start time) with a dead
# pid, and directories with their contents.  Other internal names stay,
# and each directory keeps its times.
test_disk_reclaim_only_the_dead() {
	put "$L/sub/f" f
	freeze "$L"
	mkdir -p "$U/sub"
	local dead me start
	dead=$(sh -c 'echo $$')
	me=$$
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$me/stat")
	: >"$U/sub/.wh..wh.copyup.$me.$start.$me.0"         # alive
	: >"$U/sub/.wh..wh.copyup.$me.$((start + 1)).$me.1" # pid reused
	: >"$U/sub/.wh..wh.copyup.$dead.$start.$dead.2"     # dead
	: >"$U/sub/.wh..wh.copyup.$dead.$dead.3"            # dead, old name
	: >"$U/sub/.wh..wh.copyup.$me.$me.4"                # alive, old name
	mkdir -p "$U/.wh..wh.rmdir.$dead.1.$dead.0/x/.wh..wh.mkdir.$me.$start.1.1"
	: >"$U/.wh..wh.rmdir.$dead.1.$dead.0/x/.wh.gone"
	mkdir -p "$U/.wh..wh.liboverlay.run.abcdef" "$U/.wh..wh.mkdir.junk"
	: >"$U/sub/.wh..wh..opq"
	touch -d @1600000000 "$U/sub" "$U"
	run "$RUN_OVERLAY" diff "$U" --lower "$L"
	expect_rc 0
	expect_out "O /sub" "D /sub/f"
	expect_err_has "4 leftover temporaries of killed processes"
	run_ovl -C "$L" --upper "$U" --lower "$L" -- cat sub/f
	expect_rc 1 # sub is opaque: f is hidden
	[[ -d $U/.wh..wh.liboverlay.run.abcdef && -f $U/sub/.wh..wh..opq ]] || fail "an internal name was removed"
	expect_eq "what stays" "$(printf '%s\n' .wh..wh.mkdir.junk \
		"sub/.wh..wh.copyup.$me.$me.4" "sub/.wh..wh.copyup.$me.$start.$me.0" | LC_ALL=C sort)" \
		"$(temporaries "$U")"
	expect_eq "times of sub" 1600000000 "$(stat -c %Y "$U/sub")"
	expect_eq "times of the upper" 1600000000 "$(stat -c %Y "$U")"
}

# The temporaries of a process that is still running are left alone by a
# run that ends meanwhile.
test_disk_reclaim_keeps_live_copyups() {
	put "$L/f" f
	mkdir -p "$U"
	sleep 30 &
	local pid=$! start
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat")
	: >"$U/.wh..wh.copyup.$pid.$start.$pid.0"
	ovl cat f
	expect_rc 0
	expect_eq "live temporary" ".wh..wh.copyup.$pid.$start.$pid.0" "$(temporaries "$U")"
	kill "$pid"
	wait "$pid" 2>/dev/null
	ovl true
	expect_eq "after its owner died" "" "$(temporaries "$U")"
}
