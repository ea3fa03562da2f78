# Programs whose allocator opens files while it initialises: jemalloc (the
# allocator of rustc, and of many servers) calls readlink("/etc/malloc.conf")
# and opens files under /proc and /sys from inside its first malloc, holding
# its init lock.  When that is the first call to reach the library (before
# its constructor), the library reads its configuration there and resolves
# libc's symbol: neither may allocate, or the program deadlocks on the lock.
# Every program here runs under `timeout`, so that a deadlock fails the test
# instead of hanging it.
# shellcheck shell=bash disable=SC2016,SC2034

# jemalloc_prog: build progs/jemalloc_files.c linked with -ljemalloc as $JM.
jemalloc_prog() {
	JM=$T/bin/jemalloc_files
	mkdir -p "$T/bin"
	${CC:-cc} -std=gnu11 -Wall -O -o "$JM" "$ROOT/tests/integration/progs/jemalloc_files.c" \
		-ljemalloc 2>"$T/cc.err" ||
		skip "cannot link with -ljemalloc (libjemalloc-dev): $(head -c 200 "$T/cc.err")"
}

# jemalloc_so: the path of libjemalloc.so.2 as $JSO.
jemalloc_so() {
	JSO=$(${CC:-cc} -print-file-name=libjemalloc.so.2 2>/dev/null)
	[[ $JSO == /* && -f $JSO ]] ||
		JSO=$(ldconfig -p 2>/dev/null | awk '$1 == "libjemalloc.so.2" { print $NF; exit }')
	[[ -n $JSO && -f $JSO ]] || skip "libjemalloc.so.2 not found (libjemalloc2)"
}

# A strict allocator (progs/initalloc.c) preloaded after the library, so
# that it initialises first and calls readlink, open, syscall(SYS_openat),
# stat and access from inside its first malloc: any allocation by the
# library meanwhile (its configuration read, two mount groups here) makes
# it exit with status 99 and say so, where jemalloc would hang.
test_alloc_reentrant_allocator() {
	[[ ${OVERLAY_SANITIZE:-0} == 1 ]] && skip "the ASan runtime replaces the allocator"
	mkdir -p "$T/bin"
	${CC:-cc} -shared -fPIC -O -Wall -o "$T/bin/initalloc.so" \
		"$ROOT/tests/integration/progs/initalloc.c" 2>"$T/cc.err" ||
		fail "cannot build progs/initalloc.c: $(cat "$T/cc.err")"
	put "$L/f" "from the lower"
	put "$L2/g" "from the second tree"
	mkdir -p "$U" "$T/u2"
	freeze "$L" "$L2"
	run timeout 60 env LD_PRELOAD="$(preload) $T/bin/initalloc.so" \
		OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" OVERLAY_MOUNTS=":$T/u2:$L2" \
		sh -c "cd '$L' && cat f && echo more >> f && echo new > '$L2/h' && cat '$L2/g' && ls '$L2'"
	expect_rc 0
	expect_err_empty
	expect_out "from the lower" "from the second tree" g h
	expect_file "$U/f" "from the lower" more
	expect_file "$T/u2/h" new
}

jemalloc_tree() {
	put "$L/f" "from the lower"
	put "$L/sub/keep" keep
	put "$L/gone" gone
	ln -s f "$L/link"
}

# A program linked with jemalloc does file work in the mount; then the same
# on the kernel's overlayfs.
test_alloc_jemalloc_linked() {
	jemalloc_prog
	jemalloc_tree
	freeze "$L"
	run_ovl -C "$L" --upper "$T/u1" --lower "$L" -- timeout 60 "$JM"
	expect_rc 0
	expect_err_empty
	expect_out "jemalloc 5" "f: from the lower" "link -> f" "link: size 24" \
		"entry f" "entry link" "entry made" "entry sub"
	expect_file "$T/u1/f" "from the lower" appended
	expect_file "$T/u1/made/moved" new
	expect_whiteout "$T/u1" gone
	expect_unchanged
	((FAILED)) && return
	kernel_compare "timeout 60 '$JM'; echo \"status \$?\"; cat f made/moved; ls -AR"
}

# The allocator preloaded before the library (LD_PRELOAD=libjemalloc.so.2
# liboverlay.so): every program of a shell script, coreutils included,
# allocates with jemalloc.
test_alloc_jemalloc_preloaded() {
	[[ ${OVERLAY_SANITIZE:-0} == 1 ]] && skip "the ASan runtime replaces the allocator"
	jemalloc_so
	jemalloc_tree
	freeze "$L"
	local OVERLAY_PRELOAD_EXTRA=$JSO
	export OVERLAY_PRELOAD_EXTRA
	# timeout outside: under the preload it would allocate with jemalloc too
	run -C "$L" timeout 60 "$RUN_OVERLAY" --upper "$U" --lower "$L" -- sh -c \
		'cat f; echo more >> f; cp f sub/copy; mkdir d; mv sub/copy d/; rm gone; readlink link; ls; cat d/copy'
	expect_rc 0
	expect_err_empty
	expect_out "from the lower" f d f link sub "from the lower" more
	expect_file "$U/f" "from the lower" more
	expect_file "$U/d/copy" "from the lower" more
	expect_whiteout "$U" gone
	# and by hand, the allocator first, the first group's variables only
	run timeout 60 env LD_PRELOAD="$JSO $OVERLAY_LIB" OVERLAY_UPPER="$U" OVERLAY_LOWER="$L" \
		sh -c "cd '$L' && cat d/copy && ls"
	expect_rc 0
	expect_err_empty
	expect_out "from the lower" more d f link sub
}

# cargo_crate: cargo on PATH (or SKIP) and the Cargo.toml of a crate "tiny"
# without dependencies in the lower.
cargo_crate() {
	local cargo
	# rustc brings its own jemalloc, which crashes beside the ASan runtime
	[[ ${OVERLAY_SANITIZE:-0} == 1 ]] && skip "rustc's jemalloc and the ASan runtime cannot share a process"
	cargo=$(command -v cargo) || cargo=${HOME:-/root}/.cargo/bin/cargo
	[[ -x $cargo ]] || skip "cargo is not installed (rustup or the cargo package)"
	export PATH=${cargo%/*}:$PATH CARGO_HOME=$T/cargo-home CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never
	[[ -d ${HOME:-/root}/.rustup ]] && export RUSTUP_HOME=${RUSTUP_HOME:-${HOME:-/root}/.rustup}
	put "$L/Cargo.toml" '[package]' 'name = "tiny"' 'version = "0.1.0"' 'edition = "2021"' '' '[dependencies]'
}

# cargo (rustc allocates with jemalloc) rebuilds a crate whose target/ is in
# the lower, with the kernel's overlayfs mounted on the same path first.
test_alloc_cargo_build() {
	cargo_crate
	put "$L/src/main.rs" 'fn main() {' '    println!("hello from {}", env!("CARGO_PKG_NAME"));' '}'
	(cd "$L" && timeout 300 cargo build --offline -q) >"$T/cargo.out" 2>&1 ||
		skip "cargo build --offline fails without the library: $(head -c 300 "$T/cargo.out")"
	[[ -x $L/target/debug/tiny ]] || skip "cargo built no target/debug/tiny"
	matrix_run 'sed -i s/hello/bye/ src/main.rs
timeout 120 cargo build --offline -q; echo "cargo: $?"
./target/debug/tiny
ls target/debug' <<'EOF'
cargo: 0
bye from tiny
build
deps
examples
incremental
tiny
tiny.d
EOF
}

# cargo test of the same kind of crate, its target/ in the lower: the test
# binary is built into the upper and run from there.
test_alloc_cargo_test() {
	cargo_crate
	put "$L/src/lib.rs" 'pub fn add(a: i32, b: i32) -> i32 { a + b }' \
		'#[cfg(test)] mod t { #[test] fn adds() { assert_eq!(super::add(2, 3), 5); } }'
	(cd "$L" && timeout 300 cargo test --offline -q) >"$T/cargo.out" 2>&1 ||
		skip "cargo test --offline fails without the library: $(head -c 300 "$T/cargo.out")"
	matrix_run 'sed -i "s/a + b/a * b/; s/(2, 3), 5/(2, 3), 6/" src/lib.rs
timeout 120 cargo test --offline -q 2>&1 | grep -m1 "^test result" | cut -d";" -f1-2; echo "cargo: $?"' <<'EOF'
test result: ok. 1 passed; 0 failed
cargo: 0
EOF
}
