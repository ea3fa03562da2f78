# The library used by hand with LD_PRELOAD: inert without OVERLAY_*, fail
# closed when they are set but wrong.
# shellcheck shell=bash disable=SC2016,SC2034

# closed WHAT UPPER LOWER [MOUNT]: with these variables the program must not
# start: status 125 and one line "liboverlay: ..." on stderr.
closed() {
	local what=$1 upper=$2 lower=$3
	local -a mnt=()
	[[ $# -ge 4 ]] && mnt=("OVERLAY_MOUNT=$4")
	run -C "$T" env OVERLAY_UPPER="$upper" OVERLAY_LOWER="$lower" "${mnt[@]}" \
		LD_PRELOAD="$(preload)" sh -c 'echo main ran; echo x > ran-marker'
	expect_eq "$what: status" 125 "$RC"
	expect_eq "$what: stdout" "" "$OUT"
	[[ $ERR == liboverlay:* ]] || fail "$what: stderr does not start with 'liboverlay:': $ERR"
	[[ $(printf '%s\n' "$ERR" | wc -l) == 1 ]] || fail "$what: more than one line: $ERR"
	expect_missing "$T/ran-marker"
}

test_fail_closed_missing_lower() {
	mkdir "$U"
	freeze "$U"
	closed "missing lower" "$U" "$T/no-such-lower"
	closed "missing second lower" "$U" "$L:$T/no-such-lower"
}

test_fail_closed_missing_upper() {
	freeze "$L"
	closed "missing upper" "$T/no-such-upper" "$L"
	expect_missing "$T/no-such-upper"
}

test_fail_closed_relative() {
	mkdir "$U"
	freeze "$L" "$U"
	closed "relative lower" "$U" "lower"
	closed "relative upper" "upper" "$L"
}

test_fail_closed_overlap() {
	mkdir -p "$L/sub"
	freeze "$L"
	closed "upper inside lower" "$L/sub" "$L"
	closed "upper equals lower" "$L" "$L"
	closed "lower inside upper" "$T" "$L"
}

test_fail_closed_bad_mount() {
	mkdir "$U"
	freeze "$L" "$U"
	closed "missing mount" "$U" "$L" "$T/no-such-mount"
	closed "relative mount" "$U" "$L" "mnt"
}

# Only one variable set is "set but invalid" too, not a silent pass-through.
test_fail_closed_partial() {
	freeze "$L"
	run -C "$T" env OVERLAY_LOWER="$L" LD_PRELOAD="$(preload)" sh -c 'echo main ran'
	expect_rc 125
	expect_one_line "liboverlay:"
}

test_inert_without_variables() {
	put "$L/a" a
	put "$L/d/b" b
	ln -s a "$L/link"
	local plain
	plain=$(cd "$L" && ls -lAR --time-style=+%s .)
	freeze "$L"
	run -C "$L" env -u OVERLAY_UPPER -u OVERLAY_LOWER -u OVERLAY_MOUNT \
		LD_PRELOAD="$(preload)" ls -lAR --time-style=+%s .
	expect_rc 0
	expect_err_empty
	expect_eq "ls under the inert library" "$plain" "$OUT"
	# Changes go straight to the real files.
	mkdir "$T/plain"
	put "$T/plain/f" one
	run -C "$T/plain" env LD_PRELOAD="$(preload)" \
		sh -c 'echo two >> f; mkdir d; mv f d/g; cat d/g; rm -r d; mkdir e; ls -a'
	expect_rc 0
	expect_out one two . .. e
	expect_tree "$T/plain" "e d"
}

# A process that never looks into the mount leaves the layers alone: the
# counters file is made (and mapped) on the first lookup that needs it,
# and the roots are asked about opaque markers on the first walk.
test_untouched_mount_leaves_the_upper_alone() {
	put "$L/f" lower
	mkdir -p "$U" "$T/elsewhere"
	freeze "$L"
	run -C "$T/elsewhere" env OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" LD_PRELOAD="$(preload)" \
		sh -c 'echo out >g; cat g; /bin/true'
	expect_rc 0
	expect_out out
	expect_eq "the upper after a run outside the mount" "" "$(ls -A "$U")"
	run -C "$T/elsewhere" env OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" LD_PRELOAD="$(preload)" \
		cat "$L/f"
	expect_out lower
	[[ -f $U/$GEN_FILE ]] || fail "no counters file once the mount was used"
}
