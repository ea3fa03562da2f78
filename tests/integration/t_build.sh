# gcc and make building a small C project in place in a read-only lower.
# shellcheck shell=bash disable=SC2016,SC2034

setup_project() {
	command -v make >/dev/null || skip "make is not installed"
	command -v cc >/dev/null || skip "cc is not installed"
	cp -R "$ROOT/examples/hello/." "$L/"
	rm -f "$L"/*.o "$L/hello"
	freeze "$L"
}

test_make_in_place() {
	setup_project
	ovl make
	expect_rc 0
	expect_err_empty
	expect_out "cc -O2 -Wall -c -o main.o main.c" "cc -O2 -Wall -c -o greet.o greet.c" \
		"cc -O2 -Wall -c -o multiply.o multiply.c" "cc -O2 -Wall -o hello main.o greet.o multiply.o"
	expect_tree "$U" "main.o f" "greet.o f" "multiply.o f" "hello f"
	run "$U/hello"
	expect_rc 0
	expect_out "Hello from a build under liboverlay, world!" "6 * 7 = 42"
	# make compares times across layers: up to date now.
	ovl make -q
	expect_eq "make -q after the build" 0 "$RC"
}

test_make_rebuilds_after_edit() {
	setup_project
	ovl make
	expect_rc 0
	sleep 1
	ovl sh -c 'printf "#undef GREETING\n#define GREETING \"Greetings from a build under liboverlay\"\n" >> greet.h
		make -q; echo "make -q: $?"; make'
	expect_rc 0
	expect_out "make -q: 1" "cc -O2 -Wall -c -o main.o main.c" "cc -O2 -Wall -c -o greet.o greet.c" \
		"cc -O2 -Wall -c -o multiply.o multiply.c" "cc -O2 -Wall -o hello main.o greet.o multiply.o"
	grep -q Greetings "$U/greet.h" || fail "edited greet.h not in the upper"
	run "$U/hello"
	expect_out "Greetings from a build under liboverlay, world!" "6 * 7 = 42"
	# make clean removes what only the upper has, without whiteouts.
	ovl make clean
	expect_rc 0
	expect_tree "$U" "greet.h f"
	ovl ls
	expect_out Makefile greet.c greet.h main.c multiply.c
}

test_gcc_direct() {
	setup_project
	ovl sh -c 'mkdir out && gcc -Wall -o out/prog main.c greet.c multiply.c'
	expect_rc 0
	expect_err_empty
	expect_tree "$U" "out d" "out/prog f"
	run "$U/out/prog" gcc
	expect_out "Hello from a build under liboverlay, gcc!" "6 * 7 = 42"
}
