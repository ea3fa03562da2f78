# Processes: children inherit the overlay, exec finds programs in the
# merged tree, a scrubbed environment does not escape it.
# shellcheck shell=bash disable=SC2016,SC2034

test_children_inherit() {
	put "$L/f" one
	put "$L/d/g" gee
	freeze "$L"
	ovl sh -c 'sh -c "echo two >> f"; find d -type f -exec sh -c "echo more >> \$1" sh {} \; ; bash -c "cat f d/g"'
	expect_rc 0
	expect_err_empty
	expect_out one two gee more
	expect_tree "$U" "f f" "d d" "d/g f"
}

# A program scrubbing its environment (env -i, build tools) keeps the
# overlay: its writes must not reach the lower.
test_env_i_keeps_overlay() {
	needs_wrapper execve "a scrubbed environment cannot be restored (DESIGN.md section 3, Processes)"
	put "$L/f" one
	freeze "$L"
	ovl env -i /bin/sh -c 'echo two >> f; mkdir d; cat f'
	expect_rc 0
	expect_out one two
	expect_tree "$U" "f f" "d d"
}

# Programs that exist only in the upper run through the overlay: exec
# resolves the program's virtual path (and a script's interpreter).
test_exec_from_upper() {
	needs_wrapper execve "a program only the upper has cannot be started (DESIGN.md section 3, Processes)"
	command -v cc >/dev/null || skip "cc is not installed"
	put "$L/main.c" '#include <stdio.h>' 'int main(int c, char **v) { printf("built %s\n", c > 1 ? v[1] : "-"); return 0; }'
	freeze "$L"
	ovl sh -c 'cc -o prog main.c && ./prog rel && printf "#!/bin/sh\necho script \"\$@\"\n" > run.sh && chmod +x run.sh && ./run.sh ok'
	expect_rc 0
	expect_err_empty
	expect_out "built rel" "script ok"
	expect_tree "$U" "prog f" "run.sh f"
	ovl "$L/prog" abs
	expect_rc 0
	expect_out "built abs"
	ovl env PATH="$L:/usr/bin:/bin" prog path
	expect_rc 0
	expect_out "built path"
}

# A statically linked program cannot be intercepted by the library: started
# inside the overlay it runs under the supervisor (its write lands in the
# upper), and where no supervisor lies beside the library it is refused
# with a clear message rather than let loose on the lowers.
test_static_program_supervised_or_refused() {
	needs_wrapper execve "static programs are not detected"
	command -v cc >/dev/null || skip "cc is not installed"
	put "$T/escape.c" '#include <stdio.h>' \
		'int main(void) { FILE *f = fopen("escaped", "w"); if (f) { fputs("x\n", f); fclose(f); } puts("ran"); return 0; }'
	cc -static -o "$L/static" "$T/escape.c" 2>"$T/cc.err" || skip "cc -static does not work here: $(head -1 "$T/cc.err")"
	cc -o "$L/dynamic" "$T/escape.c"
	freeze "$L"
	ovl ./static
	expect_rc 0
	expect_out ran
	expect_file "$U/escaped" x
	expect_missing "$L/escaped"
	rm -f "$U/escaped"
	# the library alone, without the supervisor beside it
	mkdir "$T/alone"
	cp "$OVERLAY_LIB" "$T/alone/liboverlay.so"
	OVERLAY_LIB=$T/alone/liboverlay.so ovl ./static
	[[ $RC != 0 ]] || fail "a static program ran inside the overlay without a supervisor"
	expect_err_has "liboverlay: "
	expect_err_has "statically linked"
	[[ $OUT != *ran* ]] || fail "the static program ran: $OUT"
	expect_missing "$L/escaped"
	expect_missing "$U/escaped"
	# The same program dynamically linked runs, and writes to the upper.
	ovl ./dynamic
	expect_rc 0
	expect_out ran
	expect_file "$U/escaped" x
}

# A vfork child that opens a directory at the number of one its parent has
# open leaves the parent's descriptor meaning what it meant (the child's
# descriptors are its own, the memory it writes is its parent's).
test_vfork_child_keeps_parent_descriptors() {
	put "$L/a/f" "from a"
	put "$L/b/f" "from b"
	${CC:-cc} -std=gnu11 -Wall -O -o "$T/vfork_dirs" "$ROOT/tests/integration/progs/vfork_dirs.c" 2>"$T/cc.err" ||
		skip "cannot build progs/vfork_dirs.c: $(cat "$T/cc.err")"
	kernel_compare "'$T/vfork_dirs' a b"
}
