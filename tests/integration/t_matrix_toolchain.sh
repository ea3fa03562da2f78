# The matrix, toolchain: make -j2 of a C project whose sources are spread
# over two lowers and a pre-populated upper, a static library (ar), a shared
# library (gcc -shared) and programs linked against it run in the same
# overlay (found through LD_LIBRARY_PATH, an absolute RUNPATH, $ORIGIN),
# cmake configure + build + ctest with the build directory inside the mount,
# perl -i; on liboverlay and on the kernel's overlayfs (matrix_run in
# lib.sh).  make -j2 prints its commands in an order that varies: sorted.
# shellcheck shell=bash disable=SC2016,SC2034

# The project: headers and most sources in the second lower, the Makefile
# and main.c in the first, an edited mul.c in the upper, which also whites
# out obsolete.c (which would not compile).
c_project() {
	matrix_setup
	command -v make >/dev/null || skip "make is not installed"
	command -v cc >/dev/null || skip "cc is not installed"
	command -v ar >/dev/null || skip "ar is not installed"
	put "$L2/include/calc.h" "int add(int, int);" "int mul(int, int);" "int sub(int, int);"
	put "$L2/src/add.c" '#include "calc.h"' "int add(int a, int b) { return a + b; }"
	put "$L2/src/mul.c" '#include "calc.h"' "int mul(int a, int b) { return 0; }"
	put "$L2/src/obsolete.c" "this does not compile"
	put "$L2/lib/greet.c" '#include <stdio.h>' 'void greet(const char *who) { printf("hello, %s, from libgreet\n", who); }'
	put "$L2/tests/t.c" 'void greet(const char *);' 'int main(int argc, char **argv) { greet(argc > 1 ? argv[1] : "test"); return 0; }'
	put "$L/include/version.h" '#define VERSION "1.0"'
	put "$L/src/main.c" '#include <stdio.h>' '#include "calc.h"' '#include "version.h"' \
		'int main(void) { printf("calc %s: %d %d %d\n", VERSION, add(2, 3), mul(6, 7), sub(9, 4)); return 0; }'
	put "$L/src/sub.c" '#include "calc.h"' "int sub(int a, int b) { return a - b; }"
	cat >"$L/Makefile" <<'EOF'
CC = cc
CFLAGS = -O2 -Wall -Iinclude
OBJS = $(patsubst src/%.c,build/%.o,$(sort $(wildcard src/*.c)))

all: build/app build/prog build/prog-rpath build/prog-origin

build:
	mkdir -p build
build/%.o: src/%.c include/calc.h include/version.h | build
	$(CC) $(CFLAGS) -c -o $@ $<
build/libcalc.a: $(filter-out build/main.o,$(OBJS))
	ar rcs $@ $^
build/app: build/main.o build/libcalc.a
	$(CC) -o $@ build/main.o -Lbuild -lcalc
build/greet.o: lib/greet.c | build
	$(CC) $(CFLAGS) -fPIC -c -o $@ $<
build/libgreet.so: build/greet.o
	$(CC) -shared -Wl,-soname,libgreet.so -o $@ $^
build/prog: tests/t.c build/libgreet.so
	$(CC) $(CFLAGS) -o $@ tests/t.c -Lbuild -lgreet
build/prog-rpath: tests/t.c build/libgreet.so
	$(CC) $(CFLAGS) -o $@ tests/t.c -Lbuild -lgreet -Wl,-rpath,$(CURDIR)/build
build/prog-origin: tests/t.c build/libgreet.so
	$(CC) $(CFLAGS) -o $@ tests/t.c -Lbuild -lgreet -Wl,-rpath,'$$ORIGIN'
clean:
	rm -rf build
.PHONY: all clean
EOF
	put "$U/src/mul.c" '#include "calc.h"' "int mul(int a, int b) { return a * b; }"
	matrix_whiteout "$U/src/obsolete.c"
}

test_matrix_make_j2() {
	c_project
	matrix_run 'make -j2 build/app 2>&1 | sort; build/app; ar t build/libcalc.a; make -q build/app; echo "up to date: $?"
		touch include/calc.h; make -q build/app; echo "after touch: $?"; make -j2 build/app | sort
		echo "#define VERSION \"2.0\"" > include/version.h; make build/app; build/app; make clean; ls' <<'EOF'
ar rcs build/libcalc.a build/add.o build/mul.o build/sub.o
cc -O2 -Wall -Iinclude -c -o build/add.o src/add.c
cc -O2 -Wall -Iinclude -c -o build/main.o src/main.c
cc -O2 -Wall -Iinclude -c -o build/mul.o src/mul.c
cc -O2 -Wall -Iinclude -c -o build/sub.o src/sub.c
cc -o build/app build/main.o -Lbuild -lcalc
mkdir -p build
calc 1.0: 5 42 5
add.o
mul.o
sub.o
up to date: 0
after touch: 1
ar rcs build/libcalc.a build/add.o build/mul.o build/sub.o
cc -O2 -Wall -Iinclude -c -o build/add.o src/add.c
cc -O2 -Wall -Iinclude -c -o build/main.o src/main.c
cc -O2 -Wall -Iinclude -c -o build/mul.o src/mul.c
cc -O2 -Wall -Iinclude -c -o build/sub.o src/sub.c
cc -o build/app build/main.o -Lbuild -lcalc
cc -O2 -Wall -Iinclude -c -o build/main.o src/main.c
cc -O2 -Wall -Iinclude -c -o build/add.o src/add.c
cc -O2 -Wall -Iinclude -c -o build/mul.o src/mul.c
cc -O2 -Wall -Iinclude -c -o build/sub.o src/sub.c
ar rcs build/libcalc.a build/add.o build/mul.o build/sub.o
cc -o build/app build/main.o -Lbuild -lcalc
calc 2.0: 5 42 5
rm -rf build
Makefile
include
lib
src
tests
EOF
}

test_matrix_shared_ld_library_path() {
	c_project
	matrix_run 'make -s build/prog && LD_LIBRARY_PATH=build build/prog relative && LD_LIBRARY_PATH=$MNT/build build/prog absolute
		cd build && LD_LIBRARY_PATH=. ./prog dot' <<'EOF'
hello, relative, from libgreet
hello, absolute, from libgreet
hello, dot, from libgreet
EOF
}

# CMake's build tree default: a RUNPATH naming the build directory by its
# absolute path (here inside the mount).
test_matrix_shared_rpath() {
	c_project
	matrix_run 'make -s build/prog-rpath && build/prog-rpath rpath && cd / && "$MNT/build/prog-rpath" "from /"' <<'EOF'
hello, rpath, from libgreet
hello, from /, from libgreet
EOF
}

test_matrix_shared_origin() {
	c_project
	matrix_run 'make -s build/prog-origin && build/prog-origin origin && cd build && ./prog-origin "origin from build"' <<'EOF'
hello, origin, from libgreet
hello, origin from build, from libgreet
EOF
}

cmake_project() {
	command -v cmake >/dev/null || skip "cmake is not installed"
	command -v ctest >/dev/null || skip "ctest is not installed"
	c_project
	cat >"$L/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(calc C)
add_library(calc STATIC src/add.c src/mul.c src/sub.c)
target_include_directories(calc PUBLIC include)
add_executable(app src/main.c)
target_link_libraries(app calc)
add_library(greet SHARED lib/greet.c)
add_executable(prog tests/t.c)
target_link_libraries(prog greet)
enable_testing()
add_test(NAME app COMMAND app)
set_tests_properties(app PROPERTIES PASS_REGULAR_EXPRESSION "calc 1.0: 5 42 5")
EOF
}

# Configure's own output names the compiler and its version: only its last
# lines are compared; ctest's timings are removed.  In the build tree, the
# contents of CMakeOutput.log (the compiler checks, under random names
# cmTC_xxxxx) and of Testing/Temporary (timings and dates of the test runs)
# are not compared.
CMAKE_SKIP='build/CMakeFiles/CMakeOutput\.log|build/Testing/Temporary/.*'
CMAKE_CONFIGURE='cmake -S . -B build -DCMAKE_BUILD_TYPE=Release | grep -E "^-- (Configuring|Generating) done|^-- Build files"'
CTEST='ctest --test-dir build 2>&1 | sed -E "s/ +[0-9.]+ sec//; s/[0-9.]+ sec\*/ sec*/"'

test_matrix_cmake_static() {
	cmake_project
	MATRIX_SKIP=$CMAKE_SKIP
	matrix_run "$CMAKE_CONFIGURE"' && cmake --build build --target app && build/app && '"$CTEST"'
		cmake --build build --target app | tail -1; ls build' <<'EOF'
-- Configuring done
-- Generating done
-- Build files have been written to: @T@/lower/build
[ 16%] Building C object CMakeFiles/calc.dir/src/add.c.o
[ 33%] Building C object CMakeFiles/calc.dir/src/mul.c.o
[ 50%] Building C object CMakeFiles/calc.dir/src/sub.c.o
[ 66%] Linking C static library libcalc.a
[ 66%] Built target calc
[ 83%] Building C object CMakeFiles/app.dir/src/main.c.o
[100%] Linking C executable app
[100%] Built target app
calc 1.0: 5 42 5
Internal ctest changing into directory: @T@/lower/build
Test project @T@/lower/build
    Start 1: app
1/1 Test #1: app ..............................   Passed

100% tests passed, 0 tests failed out of 1

Total Test time (real) =
[100%] Built target app
CMakeCache.txt
CMakeFiles
CTestTestfile.cmake
Makefile
Testing
app
cmake_install.cmake
libcalc.a
EOF
}

test_matrix_cmake_shared() {
	cmake_project
	MATRIX_SKIP=$CMAKE_SKIP
	matrix_run "$CMAKE_CONFIGURE"' && cmake --build build && build/prog cmake && '"$CTEST"'
		echo "add_test(NAME prog COMMAND prog ctest)" >> CMakeLists.txt && cmake --build build >/dev/null && '"$CTEST" <<'EOF'
-- Configuring done
-- Generating done
-- Build files have been written to: @T@/lower/build
[ 10%] Building C object CMakeFiles/calc.dir/src/add.c.o
[ 20%] Building C object CMakeFiles/calc.dir/src/mul.c.o
[ 30%] Building C object CMakeFiles/calc.dir/src/sub.c.o
[ 40%] Linking C static library libcalc.a
[ 40%] Built target calc
[ 50%] Building C object CMakeFiles/app.dir/src/main.c.o
[ 60%] Linking C executable app
[ 60%] Built target app
[ 70%] Building C object CMakeFiles/greet.dir/lib/greet.c.o
[ 80%] Linking C shared library libgreet.so
[ 80%] Built target greet
[ 90%] Building C object CMakeFiles/prog.dir/tests/t.c.o
[100%] Linking C executable prog
[100%] Built target prog
hello, cmake, from libgreet
Internal ctest changing into directory: @T@/lower/build
Test project @T@/lower/build
    Start 1: app
1/1 Test #1: app ..............................   Passed

100% tests passed, 0 tests failed out of 1

Total Test time (real) =
Internal ctest changing into directory: @T@/lower/build
Test project @T@/lower/build
    Start 1: app
1/2 Test #1: app ..............................   Passed
    Start 2: prog
2/2 Test #2: prog .............................   Passed

100% tests passed, 0 tests failed out of 2

Total Test time (real) =
EOF
}

test_matrix_perl_i() {
	matrix_layers
	command -v perl >/dev/null || skip "perl is not installed"
	matrix_run 'perl -i -pe "s/from/FROM/" tree/a.txt shared/both.txt tree/c.txt && perl -i.orig -ne "print unless /second/" base.txt
		perl -pi -e "s/sub/SUB/" dirlink/deep.txt && perl -i -pe "s/a/A/" link; ls -l link | cut -c1
		perl -i -pe 1 tree/gone.txt; echo "gone: $?"; perl -e "open(F, \">>\", \"tree/b.txt\") or die; print F \"perl\n\"; close F"
		perl -e "rename(\"tree\", \"t2\") or print \"rename: \$!\n\"; mkdir(\"tree/sub/p\") or die; unlink(\"tree/sub/mid.txt\") or die"
		perl -MFile::Find -e "find(sub { print \"\$File::Find::name\n\" }, \"tree\")" | sort
		cat tree/a.txt shared/both.txt tree/c.txt base.txt base.txt.orig tree/sub/deep.txt link tree/b.txt' <<'EOF'
-
Can't open tree/gone.txt: No such file or directory.
gone: 0
rename: Invalid cross-device link
tree
tree/a.txt
tree/b.txt
tree/c.txt
tree/empty1
tree/old
tree/old/new.txt
tree/sub
tree/sub/deep.txt
tree/sub/p
tree/sub/up.txt
a FROM lower2
both FROM lower1
c FROM upper
base from lower2
base from lower2
second line
deep from lower2
A FROM lower2
b from lower1
perl
EOF
}
