# Programs the preload library cannot enter (static busybox, static C
# programs with and without libc) run through the supervisor
# (supervisor/): the exec wrappers send them there, and they see, write and
# list the view as the kernel's overlayfs shows it.

needs_busybox() {
	BB=/usr/bin/busybox
	[[ -x $BB ]] && ! LC_ALL=C readelf -l "$BB" 2>/dev/null | grep -q INTERP ||
		skip "no static busybox (Debian: busybox-static)"
}

# A static C program from progs/ as $T/NAME; extra cc flags after NAME.
# Skips where nothing links statically (no libc.a); a program of ours that
# does not build fails.
static_prog() {
	local name=$1
	shift
	printf 'int main(void) { return 0; }\n' >"$T/probe.c"
	${CC:-cc} -static -o "$T/probe" "$T/probe.c" 2>"$T/cc.err" ||
		skip "cannot link a static program: $(head -1 "$T/cc.err")"
	${CC:-cc} -std=gnu11 -O -static -o "$T/$name" "$ROOT/tests/integration/progs/$name.c" "$@" \
		2>"$T/cc.err" || fail "cannot build progs/$name.c: $(cat "$T/cc.err")"
}

# busybox's own cat, ls and sh read the view: a file removed and one
# changed through the overlay, a merged directory, a directory that exists
# only in the upper.
test_supervise_busybox_reads_the_view() {
	needs_busybox
	put "$L/f" lower-f
	put "$L/g" lower-g
	put "$L/d/a" a
	put "$L/d/b" b
	kernel_compare "rm f; echo changed > g; mkdir d/new; rm d/a; mkdir up; echo u > up/u
$BB cat g; $BB cat f; echo \"cat f: \$?\"
$BB ls d; $BB ls -a up
$BB sh -c 'cd up && basename $(pwd) && cat u && cd ../d && ls && test -e a; echo \"test a: \$?\"'
$BB find . -name .wh.\\* | $BB wc -l
$BB stat -c '%n %s %a %h' g d up d/b"
}

# busybox's sh runs the programs the view shows: one that exists only in
# the upper (a copy made inside, in a directory made inside), a lower script
# replaced in the upper, and not a lower program removed through the view.
test_supervise_busybox_execs_the_view() {
	needs_busybox
	put "$L/prog" '#!/bin/sh' 'echo lower-prog'
	chmod +x "$L/prog"
	cp /bin/true "$L/stale"
	kernel_compare "$BB sh -c '
cp /bin/echo ./e1; ./e1 from the upper
printf \"#!/bin/sh\\necho upper-prog\\n\" > prog; ./prog
rm stale; ./stale 2>/dev/null; echo \"stale: \$?\"
mkdir -p sub; cp /bin/echo sub/e2; cd sub && ./e2 in sub; exec ./e2 exec works'"
}

# Changes made by busybox land in the upper as the kernel would make them:
# copy-up, whiteouts, renames, new directories, links, modes and times.
# busybox_changes: the layers and the comparison, with overlay-run's extra
# options in OVL_OPTIONS (kernel_compare).
busybox_changes() {
	needs_busybox
	put "$L/f" lower-f
	put "$L/g" lower-g
	put "$L/h" lower-h
	put "$L/i" lower-i
	put "$L/d/a" a
	put "$L/e/x" x
	kernel_compare "$BB sh -c '
echo x > f; echo y >> g; rm h; mv i j; mkdir k; cd k; echo z > z; ls; basename \$(pwd); cd ..
ln -s f sl; readlink sl; ln g hl; chmod 600 g; touch -d @1000000000 f
mv d d2; ls d2; rm -r d2; ls; test -e d; echo \"d: \$?\"; rm -r e; mkdir e; ls -a e
cat f g j k/z hl; stat -c \"%n %s %a\" f g k; stat -c %Y f'"
}

test_supervise_busybox_changes() {
	busybox_changes
}

# The same under overlay-run --enforce (the lowers read-only for the
# command): nothing changes in what the supervised program sees or makes.
test_supervise_busybox_changes_enforced() {
	OVL_OPTIONS=(--enforce)
	busybox_changes
}

# A static C program: with libc (open, fstatat, getdents through readdir,
# rename) and without it (raw system calls only).
test_supervise_static_c_programs() {
	static_prog static_view
	static_prog static_raw -nostdlib -fno-stack-protector
	put "$L/f" lower-f
	put "$L/d/a" a
	put "$L/d/b" b
	kernel_compare "rm d/a; echo new > d/c; '$T/static_view' d f; '$T/static_raw'; cat raw; echo \$?"
}

# The library stands aside in a dynamic program that a supervised one
# starts: each call is translated once, by the supervisor.
test_supervise_dynamic_child_of_a_static_program() {
	needs_busybox
	put "$L/f" lower-f
	put "$L/d/a" a
	put "$L/d/b" b
	kernel_compare "rm d/a; echo c > d/c
$BB sh -c '/bin/ls d; /bin/cat f; echo appended >> f; /bin/cat f; /usr/bin/env ls -a d'"
}

# The Go tool (a dynamically linked Go binary: its runtime makes its own
# system calls) and its static compile and link run supervised: go build,
# go run, go test and go list see the upper's edits and deletions, and the
# binary lands in the upper.
test_supervise_go_build_run_test_list() {
	command -v go >/dev/null || skip "go is not installed (Debian: golang-go)"
	put "$L/go.mod" "module example.com/hello" "" "go 1.19"
	put "$L/main.go" 'package main' '' 'import "fmt"' '' 'func main() { fmt.Println(greeting()) }'
	put "$L/greet.go" 'package main' '' 'func greeting() string { return "lower" }'
	put "$L/old.go" 'package main' '' 'func old() int { return 1 }'
	put "$L/greet_test.go" 'package main' '' 'import "testing"' '' \
		'func TestGreeting(t *testing.T) { if greeting() != "upper" { t.Fatal(greeting()) } }'
	kernel_compare 'export HOME=$(mktemp -d) GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off
export GOCACHE=$HOME/cache GOPATH=$HOME/gopath
sed -i s/lower/upper/ greet.go; rm old.go
go list -f "{{.GoFiles}}" .
go build -trimpath -o hello . && ./hello
go run .
go test . 2>&1 | sed "s/[0-9.]*s$//"
rm -rf "$HOME"'
}

# ldd runs the dynamic loader as a program (an ELF file without PT_INTERP),
# which opens the libraries itself: supervised, it finds one built in the
# upper.
test_supervise_ldd_of_a_program_built_inside() {
	command -v ldd >/dev/null || skip "ldd is not installed"
	put "$L/lib.c" 'int f(void) { return 42; }'
	put "$L/main.c" 'int f(void);' 'int main(void) { return f() == 42 ? 0 : 1; }'
	kernel_compare 'cc -shared -fPIC -o libf.so lib.c && cc -o prog main.c -L. -lf -Wl,-rpath,"\$ORIGIN" && ./prog
ldd ./prog | grep -o "libf.so => [^ ]*" | sed "s,=> .*/,=> ,"'
}

# Changes through a read-only descriptor of a lower file (fchmod, futimens)
# copy it up, and the descriptor reads and fstats the copy; the xattr calls
# act on the view, and the library's own records stay hidden.
test_supervise_descriptor_changes_and_xattrs() {
	static_prog static_fd
	put "$L/f" lower-f
	put "$L/g" lower-g
	put "$L/h" lower-h
	kernel_compare "'$T/static_fd'"
}

# overlay-run --supervise puts every program under the supervisor: a
# dynamically linked program's bare system calls see the view too (the
# library stands aside in it).
test_supervise_everything_with_the_option() {
	${CC:-cc} -std=gnu11 -O -o "$T/inline" "$ROOT/tests/integration/progs/inline_syscall.c" 2>"$T/cc.err" ||
		fail "cannot build progs/inline_syscall.c: $(cat "$T/cc.err")"
	put "$L/f" lower-f
	put "$L/g" lower-g
	put "$L/d/a" a
	OVL_OPTIONS=(--supervise)
	kernel_compare "rm g; '$T/inline'; cat f; ls d"
}

# A cgo program (dynamically linked, but Go's runtime makes its own system
# calls) built and run inside: its writes and reads go through the view.
test_supervise_cgo_binary() {
	command -v go >/dev/null || skip "go is not installed (Debian: golang-go)"
	command -v cc >/dev/null || skip "cc is not installed"
	put "$L/go.mod" "module example.com/cgo" "" "go 1.19"
	put "$L/main.go" 'package main' '' '// int twice(int x) { return 2 * x; }' 'import "C"' '' \
		'import ("fmt"; "os")' '' \
		'func main() {' \
		'	b, err := os.ReadFile("data")' \
		'	fmt.Println(string(b), err, int(C.twice(21)))' \
		'	fmt.Println(os.WriteFile("data", []byte("written by cgo\n"), 0644))' \
		'	_, err = os.Stat("gone"); fmt.Println(err != nil)' \
		'}'
	put "$L/data" lower-data
	put "$L/gone" gone
	kernel_compare 'export HOME=$(mktemp -d) GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=1
export GOCACHE=$HOME/cache GOPATH=$HOME/gopath
echo changed > data; rm gone
go build -trimpath -o cgoprog . && ./cgoprog && cat data
rm -rf "$HOME" cgoprog'
}
