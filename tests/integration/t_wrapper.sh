# scripts/overlay-run: options, errors, exit status, the default upper.
# shellcheck shell=bash disable=SC2016,SC2034

# wrapper_error TEXT ARGS...: `overlay-run ARGS` (cwd $T) fails with status
# 125 and one line naming the problem (containing TEXT), without running the
# command or leaving a temporary upper behind.
wrapper_error() {
	local text=$1
	shift
	mkdir -p "$T/tmp"
	TMPDIR=$T/tmp run_ovl -C "$T" "$@"
	expect_rc 125
	expect_one_line "overlay-run: "
	expect_err_has "$text"
	expect_eq "stdout" "" "$OUT"
	expect_tree "$T/tmp"
}

test_error_bad_option() {
	put "$L/f" one
	freeze "$L"
	wrapper_error "--frobnicate" --frobnicate --lower "$L" -- echo ran
	wrapper_error "--upper" --lower "$L" --upper
}

test_error_missing_lower() {
	wrapper_error "lower" -- echo ran
	wrapper_error "lower" --upper "$U" -- echo ran
	expect_missing "$U"
	wrapper_error "$T/nowhere" --lower "$T/nowhere" -- echo ran
	put "$T/file" x
	wrapper_error "$T/file" --lower "$T/file" -- echo ran
}

test_error_missing_command() {
	freeze "$L"
	wrapper_error "command" --lower "$L"
	wrapper_error "command" --upper "$U" --lower "$L" --
	expect_missing "$U"
}

test_error_upper_inside_lower() {
	put "$L/sub/f" one
	freeze "$L"
	wrapper_error "inside" --upper "$L/out" --lower "$L" -- echo ran
	wrapper_error "inside" --upper "$L/sub" --lower "$L" -- echo ran
	wrapper_error "$L" --upper "$L" --lower "$L" -- echo ran
	# The same, spelled through a symlink and a relative path.
	ln -s lower "$T/alias"
	wrapper_error "inside" --upper alias/out --lower "$L" -- echo ran
	# The default upper would land inside the lower.
	TMPDIR=$L/sub run_ovl -C "$T" --lower "$L" -- echo ran
	expect_rc 125
	expect_one_line "overlay-run: "
}

test_error_lower_inside_upper() {
	put "$T/up/low/f" one
	freeze "$T/up"
	wrapper_error "inside" --upper "$T/up" --lower "$T/up/low" -- echo ran
	wrapper_error "inside" --upper "$T/up" --lower "$L" --lower "$T/up/low" -- echo ran
}

test_error_bad_mount() {
	freeze "$L"
	wrapper_error "$T/nomount" --upper "$U" --lower "$L" --mount "$T/nomount" -- echo ran
	put "$T/plainfile" x
	wrapper_error "plainfile" --upper "$U" --lower "$L" --mount "$T/plainfile" -- echo ran
	expect_missing "$U"
}

test_error_colon_in_lower() {
	mkdir "$T/a:b"
	wrapper_error ":" --upper "$U" --lower "$T/a:b" -- echo ran
}

test_error_library_not_found() {
	freeze "$L"
	OVERLAY_LIB=$T/nosuch.so wrapper_error "nosuch.so" --upper "$U" --lower "$L" -- echo ran
	expect_missing "$U"
	# A copy of the script with neither ../build nor ../lib beside it.
	mkdir -p "$T/alone/bin"
	cp "$RUN_OVERLAY" "$T/alone/bin/"
	OVERLAY_LIB='' RUN_OVERLAY=$T/alone/bin/overlay-run wrapper_error "liboverlay.so" \
		--upper "$U" --lower "$L" -- echo ran
}

test_help() {
	for opt in -h --help; do
		run_ovl "$opt"
		expect_rc 0
		[[ $OUT == "usage: overlay-run "* ]] || fail "$opt: no usage line: $OUT"
		[[ $OUT == *--lower* && $OUT == *--upper* && $OUT == *--mount* ]] || fail "$opt: options not described"
	done
}

# The library is found next to the script: ../build, then ../lib.
test_library_search() {
	put "$L/f" lower
	freeze "$L"
	local layout
	for layout in tree/scripts:tree/build inst/bin:inst/lib; do
		mkdir -p "$T/${layout%:*}" "$T/${layout#*:}"
		cp "$RUN_OVERLAY" "$T/${layout%:*}/overlay-run"
		cp "$OVERLAY_LIB" "$T/${layout#*:}/liboverlay.so"
		rm -rf "$U"
		OVERLAY_LIB='' RUN_OVERLAY=$T/${layout%:*}/overlay-run ovl sh -c 'cat f; echo added >> f; cat f'
		expect_rc 0
		expect_out lower lower added
		expect_err_empty
		expect_file "$U/f" lower added
	done
}

test_environment() {
	mkdir "$L2"
	put "$T/real/f" x
	ln -s real "$T/link"
	run_ovl -C "$T" --upper ./upper/../upper --lower link --lower lower2/ -- \
		sh -c 'printf "%s\n" "$OVERLAY_UPPER" "$OVERLAY_LOWER" "$OVERLAY_MOUNT" "$LD_PRELOAD"'
	expect_rc 0
	# the lowers canonical; the mount point (the first lower) as spelled,
	# since its spelling has a symlink the command may walk through
	expect_out "$U" "$T/real:$L2" "$T/link" "$(preload)"
	[[ -d $U ]] || fail "missing upper not created"
	# An existing LD_PRELOAD is kept, after the library.
	LD_PRELOAD=libc.so.6 run_ovl -C "$T" --upper "$U" --lower "$L" --mount "$L2" -- \
		sh -c 'printf "%s\n" "$OVERLAY_MOUNT" "$LD_PRELOAD"'
	expect_rc 0
	expect_out "$L2" "$(preload) libc.so.6"
}

test_creates_missing_upper() {
	put "$L/f" one
	freeze "$L"
	U=$T/deep/er/upper ovl sh -c 'echo two >> f'
	expect_rc 0
	expect_err_empty
	expect_file "$T/deep/er/upper/f" one two
}

test_default_upper() {
	put "$L/f" one
	freeze "$L"
	mkdir "$T/tmp"
	TMPDIR=$T/tmp run_ovl -C "$L" --lower "$L" -- sh -c 'echo two >> f; echo new > n; cat f'
	expect_rc 0
	expect_out one two
	local up
	up=$(find "$T/tmp" -mindepth 1 -maxdepth 1)
	[[ $up == "$T"/tmp/overlay.?????? ]] || fail "no single upper in TMPDIR: $up"
	expect_eq "stderr" "overlay-run: upper: $up" "$ERR"
	expect_tree "$up" "f f" "n f"
	expect_file "$up/f" one two
	expect_file "$up/n" new
}

test_exit_status() {
	mkdir "$T/tmp"
	local mode
	for mode in explicit default; do
		local args=(--upper "$U" --lower "$L")
		[[ $mode == default ]] && args=(--lower "$L")
		TMPDIR=$T/tmp run_ovl -C "$L" "${args[@]}" -- sh -c 'exit 7'
		expect_eq "$mode upper: status of exit 7" 7 "$RC"
		TMPDIR=$T/tmp run_ovl -C "$L" "${args[@]}" -- sh -c 'kill -TERM $$'
		expect_eq "$mode upper: status of SIGTERM" 143 "$RC"
		TMPDIR=$T/tmp run_ovl -C "$L" "${args[@]}" -- true
		expect_eq "$mode upper: status of true" 0 "$RC"
		TMPDIR=$T/tmp run_ovl -C "$L" "${args[@]}" -- "$T/no-such-program"
		expect_eq "$mode upper: status of a missing program" 127 "$RC"
	done
}

# A signal sent to the whole process group (as the terminal does) reaches
# the command; with a temporary upper the wrapper still reports it and exits
# with the status a shell gives: 128 + the signal number.
test_signal_to_process_group() {
	command -v setsid >/dev/null || skip "setsid is not installed"
	mkdir "$T/tmp"
	TMPDIR=$T/tmp setsid -w "$RUN_OVERLAY" --lower "$L" -- sh -c 'echo started; exec sleep 30' \
		</dev/null >"$T/out" 2>"$T/err" &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		[[ -s $T/out ]] && break
		sleep 0.1
	done
	kill -TERM -- "-$pid"
	RC=0
	wait "$pid" || RC=$?
	expect_rc 143
	ERR=$(cat "$T/err")
	[[ $ERR == "overlay-run: upper: $T/tmp/overlay."* ]] || fail "upper not reported: $ERR"
}
