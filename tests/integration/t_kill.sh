# SIGKILL at random points of copy-up, rename, unlink and rmdir + mkdir
# (tests/stress/kill.py): nothing partial, resurrected or lost, no
# temporaries once a later overlay-run has run.  A few trials here; `make
# stress` runs the campaign (KILL_TRIALS=1000).
# shellcheck shell=bash disable=SC2016,SC2034

test_kill_one_worker() {
	[[ ${OVERLAY_SANITIZE:-0} == 0 ]] || skip "the journal's timing is the point; the sanitizer run skips it"
	run python3 "$ROOT/tests/stress/kill.py" --lib "$OVERLAY_LIB" --trials "${OVERLAY_KILL_TRIALS:-25}" --workers 1 --seed 11
	expect_rc 0
	[[ $OUT == *" 0 failed"* ]] || fail "kill trials failed: $OUT"
}

test_kill_two_workers() {
	[[ ${OVERLAY_SANITIZE:-0} == 0 ]] || skip "the journal's timing is the point; the sanitizer run skips it"
	run python3 "$ROOT/tests/stress/kill.py" --lib "$OVERLAY_LIB" --trials "${OVERLAY_KILL_TRIALS:-15}" --workers 2 --seed 12
	expect_rc 0
	[[ $OUT == *" 0 failed"* ]] || fail "kill trials failed: $OUT"
}
