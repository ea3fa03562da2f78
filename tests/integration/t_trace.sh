# OVERLAY_TRACE / overlay-run --trace FILE: a line per decision of the
# overlay, from every process of the run.  The lines are checked against
# what the run must have done: the layer each file was found in, the bytes
# of each copy-up, each whiteout, a refusal with its reason.
# shellcheck shell=bash disable=SC2016,SC2034

# traced CMD...: ovl, with the trace in $T/trace
traced() { run_ovl -C "$L" --upper "$U" --lower "$L" --trace "$T/trace" -- "$@"; }

# trace_lines WORD: the trace's lines whose second field is WORD (open:
# any of the open family, open64, openat...)
trace_lines() {
	if [[ $1 == open ]]; then awk '$2 ~ /^(open|fopen)(at)?(64)?$/' "$T/trace"
	else awk -v w="$1" '$2 == w' "$T/trace"; fi
}

test_trace_build() {
	put "$L/src/main.c" 'int main(void) { return 0; }'
	put "$L/src/old.txt" 'remove me'
	put "$L/data" '0123456789'
	mkdir -p "$L/keep/sub" && put "$L/keep/sub/f" x
	freeze "$L"
	traced sh -c 'cat src/main.c >/dev/null; echo more >> data;
		rm src/old.txt; mv keep moved 2>/dev/null; sh -c "echo child > new.txt"; true'
	expect_rc 0
	expect_unchanged
	[[ -s $T/trace ]] || fail "no trace written"
	# every line: a pid, then a word, and nothing torn
	local bad
	bad=$(grep -Evc '^[0-9]+ [a-z0-9_-]+ ' "$T/trace")
	expect_eq "malformed trace lines" 0 "$bad"
	trace_lines open | grep -q " $L/src/main.c -> lower1 $L/src/main.c\$" ||
		fail "no line for the open of src/main.c in lower1"
	trace_lines copy-up | grep -q "^[0-9]* copy-up $L/data: lower1 $L/data -> upper $U/data, 11 bytes, " ||
		fail "no copy-up line for data with its 11 bytes: $(trace_lines copy-up)"
	trace_lines whiteout | grep -q " $L/src/old.txt -> upper $U/src/.wh.old.txt\$" ||
		fail "no whiteout line for src/old.txt: $(trace_lines whiteout)"
	trace_lines refuse | grep -q " $L/keep: EXDEV (a directory with a lower part does not move)" ||
		fail "no refusal line for moving keep: $(trace_lines refuse)"
	trace_lines open | grep -q " $L/new.txt -> missing $U/new.txt\$" ||
		fail "no line for the open that created new.txt (missing, made in the upper)"
	local pids
	pids=$(awk '{print $1}' "$T/trace" | sort -u | wc -l)
	((pids >= 3)) || fail "lines from $pids processes, expected the shell, cat, rm, mv and the child"
}

# Concurrent processes append whole lines: none is cut or mixed.
test_trace_parallel_lines_whole() {
	local i
	for i in $(seq 40); do put "$L/f$i" "data $i"; done
	traced sh -c 'for i in $(seq 40); do (cat f$i >/dev/null; echo x >> f$i) & done; wait'
	expect_rc 0
	expect_eq "copy-up lines" 40 "$(trace_lines copy-up | wc -l)"
	local bad
	bad=$(grep -Evc '^[0-9]+ [a-z0-9_-]+ ' "$T/trace")
	expect_eq "malformed trace lines" 0 "$bad"
}

test_trace_refused_inside_the_overlay() {
	put "$L/f" x
	freeze "$L"
	run_ovl -C "$L" --upper "$U" --lower "$L" --trace "$L/trace.log" -- true
	expect_rc 125
	[[ $ERR == *"trace file '$L/trace.log' is inside"* ]] || fail "stderr: $ERR"
	# the library refuses it too, when set by hand
	mkdir -p "$U"
	run -C "$L" env LD_PRELOAD="$(preload)" OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" \
		OVERLAY_TRACE="$L/t.log" cat f
	expect_rc 125
	[[ $ERR == *"OVERLAY_TRACE '$L/t.log' lies in a mount or a layer"* ]] || fail "stderr: $ERR"
	run -C "$L" env LD_PRELOAD="$(preload)" OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" \
		OVERLAY_TRACE=relative.log cat f
	expect_rc 125
	[[ $ERR == *"is not an absolute path"* ]] || fail "stderr: $ERR"
	expect_unchanged
}

test_trace_off_writes_nothing() {
	put "$L/f" x
	freeze "$L"
	run -C "$L" env -u OVERLAY_TRACE "$RUN_OVERLAY" --upper "$U" --lower "$L" -- sh -c 'echo y >> f; cat f'
	expect_rc 0
	expect_out x y
	expect_unchanged
	# the upper holds the copy of f and the library's own files, no trace
	expect_eq "upper entries" "./f" "$(cd "$U" && find . -mindepth 1 ! -name '.wh..wh.liboverlay.*' | sort)"
}
