# Packaging and polish: the Debian package, make install / uninstall, the
# manual pages, --version and per-subcommand --help, exit statuses 126 and
# 127, --rm, bash completion.
# shellcheck shell=bash disable=SC2016,SC2034

# The version, as overlay-run says it.
pkg_version() { sed -n "s/^readonly VERSION=//p" "$RUN_OVERLAY"; }

# copy_source DIR: the source tree (without build output and git) in DIR.
copy_source() {
	mkdir -p "$1"
	(cd "$ROOT" && tar --exclude=./build --exclude=./.git --exclude=./debian/build \
		--exclude='./debian/.debhelper' --exclude=./debian/overlay-run -cf - .) | tar -xf - -C "$1"
}

# ---- the Debian package -----------------------------------------------------------

# dpkg-buildpackage builds the .deb; installed in a scratch root with dpkg -x,
# its overlay-run finds its library and subcommands and runs a build.
test_deb_package() {
	[[ ${OVERLAY_SANITIZE:-0} != 1 ]] ||
		skip "the package builds its own library: nothing to check with a sanitizer build"
	command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed (apt-get install dpkg-dev)"
	[[ -f /usr/share/perl5/Debian/Debhelper/Dh_Lib.pm ]] || command -v dh >/dev/null ||
		skip "debhelper is not installed (apt-get install debhelper)"
	local arch multi
	arch=$(dpkg-architecture -qDEB_HOST_ARCH) multi=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	copy_source "$T/pkg/src"
	run -C "$T/pkg/src" env -u OVERLAY_LIB -u OVERLAY_PRELOAD_EXTRA DEB_BUILD_OPTIONS=parallel=2 \
		dpkg-buildpackage -us -uc -b
	expect_rc 0
	((RC == 0)) || { tail -30 "$T/out"; return; }
	local deb
	deb=$T/pkg/overlay-run_$(pkg_version)_$arch.deb
	[[ -f $deb ]] || { fail "no $deb: $(ls "$T/pkg")"; return; }
	local want got
	want=$(printf '%s\n' ./usr/bin/overlay-run "./usr/lib/$multi/liboverlay/liboverlay.so" \
		"./usr/lib/$multi/liboverlay/overlay-supervise" \
		./usr/share/liboverlay/overlay-run.d/{apply,common,diff,discard,export,reclaim}.sh \
		./usr/share/man/man1/overlay-run.1.gz ./usr/share/man/man7/liboverlay.7.gz \
		./usr/share/bash-completion/completions/overlay-run \
		./usr/share/doc/overlay-run/changelog.gz ./usr/share/doc/overlay-run/copyright \
		./usr/share/lintian/overrides/overlay-run | LC_ALL=C sort)
	got=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $NF}' | LC_ALL=C sort)
	expect_eq "files of the package" "$want" "$got"
	if command -v lintian >/dev/null; then
		run lintian "$deb"
		[[ $OUT != *"E: "* ]] || fail "lintian reports errors: $OUT"
	fi

	# Installed in a scratch root: a build of examples/hello in place.
	dpkg -x "$deb" "$T/root"
	local inst=$T/root/usr/bin/overlay-run
	cp -r "$ROOT/examples/hello/." "$L/"
	freeze "$L"
	run -C "$L" env -u OVERLAY_LIB -u OVERLAY_PRELOAD_EXTRA "$inst" --upper "$U" --lower "$L" -- \
		sh -c 'make -s && ./hello pkg'
	expect_rc 0
	[[ $OUT == *"pkg"* ]] || fail "the built program did not run: $OUT"
	[[ -x $U/hello ]] || fail "no hello in the upper"
	run -C "$T" env -u OVERLAY_LIB "$inst" diff "$U" --lower "$L"
	expect_rc 0
	[[ $OUT == *"A /hello"* ]] || fail "diff of the installed package: $OUT"
	run env -u OVERLAY_LIB "$inst" --version
	expect_out "overlay-run (liboverlay) $(pkg_version)"
	run env -u OVERLAY_LIB MANWIDTH=80 man -l "$T/root/usr/share/man/man1/overlay-run.1.gz"
	[[ $OUT == *OVERLAY-RUN* ]] || fail "the packaged man page does not render: $ERR"
}

# ---- make install / uninstall -----------------------------------------------------

# install_with DESTDIR-or-'' VAR=VALUE...: make install from a copy of the
# tested library (nothing is compiled).
install_with() {
	mkdir -p "$T/b"
	cp "$OVERLAY_LIB" "$T/b/liboverlay.so"
	run make -s -C "$ROOT" -o "$T/b/liboverlay.so" B="$T/b" "$@"
	expect_rc 0
}

test_make_install_uninstall() {
	put "$L/f" one
	freeze "$L"
	local d=$T/dest vars=(PREFIX=/usr "LIBDIR=/usr/lib/some-triplet/liboverlay")
	install_with install DESTDIR="$d" "${vars[@]}"
	local f
	for f in usr/bin/overlay-run usr/lib/some-triplet/liboverlay/liboverlay.so \
		usr/share/liboverlay/overlay-run.d/{apply,common,diff,discard,export,reclaim}.sh \
		usr/share/man/man1/overlay-run.1 usr/share/man/man7/liboverlay.7 \
		usr/share/bash-completion/completions/overlay-run; do
		[[ -f $d/$f ]] || fail "make install did not install $f"
	done
	[[ -x $d/usr/bin/overlay-run ]] || fail "overlay-run is not executable"
	# The installed wrapper finds its library and subcommands (relative paths,
	# so also below DESTDIR).
	OVERLAY_LIB='' RUN_OVERLAY=$d/usr/bin/overlay-run ovl sh -c 'echo two >> f; cat f'
	expect_rc 0
	expect_out one two
	expect_err_empty
	run env -u OVERLAY_LIB "$d/usr/bin/overlay-run" diff "$U" --lower "$L"
	expect_rc 0
	expect_out "C /f"
	install_with uninstall DESTDIR="$d" "${vars[@]}"
	expect_eq "files left after make uninstall" "" "$(find "$d" -type f -o -type l)"
	[[ ! -e $d/usr/share/liboverlay && ! -e $d/usr/lib/some-triplet/liboverlay ]] ||
		fail "make uninstall left the package's own directories"

	# The defaults under a PREFIX: PREFIX/lib/liboverlay.so, as before.
	install_with install PREFIX="$T/p"
	[[ -f $T/p/lib/liboverlay.so && -f $T/p/share/liboverlay/overlay-run.d/diff.sh &&
		-f $T/p/share/man/man1/overlay-run.1 ]] || fail "PREFIX layout: $(cd "$T/p" && find . -type f)"
	rm -rf "$U"
	OVERLAY_LIB='' RUN_OVERLAY=$T/p/bin/overlay-run ovl cat f
	expect_rc 0
	expect_out one
	install_with uninstall PREFIX="$T/p"
	expect_eq "files left after make uninstall (PREFIX)" "" "$(find "$T/p" -type f -o -type l)"
}

# ---- man pages --------------------------------------------------------------------

# man_check PAGE: man renders PAGE without warnings; its text in PAGE (on
# one line, not hyphenated, for the checks of what it mentions).
man_check() {
	run env LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 "$1"
	expect_eq "man warnings for $1" "" "$ERR"
	run env LC_ALL=C MANWIDTH=80 man -l "$1"
	expect_rc 0
	[[ -n $OUT ]] || fail "man -l $1 printed nothing"
	PAGE=$(env LC_ALL=C groff -man -rHY=0 -rLL=1000n -Tascii -P-cbou "$1" 2>/dev/null | tr -s ' \n' '  ')
}

test_man_pages() {
	{ command -v man && command -v groff; } >/dev/null ||
		skip "man and groff are not installed (apt-get install man-db groff)"
	local w v
	v=$(pkg_version)
	man_check "$ROOT/man/overlay-run.1"
	for w in --upper --lower --mount --group --no-verify --rm --supervise --enforce --help --version \
		"diff upper" "apply upper --to dir" "discard [--force] upper" "export upper -o file" \
		--json --force --gzip --output 122 125 126 127 128+N OVERLAY_LIB TMPDIR \
		OVERLAY_PRELOAD_EXTRA LD_PRELOAD OVERLAY_MOUNTS .wh..wh.liboverlay.base \
		"EXIT STATUS" ENVIRONMENT EXAMPLES "liboverlay $v"; do
		[[ $PAGE == *"$w"* ]] || fail "overlay-run(1) does not mention $w"
	done
	local page1=$PAGE
	man_check "$ROOT/man/liboverlay.7"
	for w in OVERLAY_UPPER OVERLAY_LOWER OVERLAY_MOUNT OVERLAY_MOUNTS OVERLAY_FSYNC \
		SEMANTICS LIMITS whiteout opaque copy-up EXDEV ENAMETOOLONG 125 overlay-supervise "liboverlay $v"; do
		[[ $PAGE == *"$w"* ]] || fail "liboverlay(7) does not mention $w"
	done
	# Every option of the wrapper's --help is in the man page.
	run_ovl --help
	local opt
	while read -r opt; do
		[[ $page1 == *"$opt"* ]] || fail "overlay-run(1) lacks $opt of --help"
	done < <(grep -o -- '--[a-z][a-z-]*' <<<"$OUT" | sort -u)
}

# ---- --version, --help ------------------------------------------------------------

test_version() {
	local v s
	v=$(pkg_version)
	[[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no version in overlay-run: '$v'"
	run_ovl --version
	expect_rc 0
	expect_out "overlay-run (liboverlay) $v"
	expect_err_empty
	for s in diff apply discard export; do
		run_ovl "$s" --version
		expect_rc 0
		expect_out "overlay-run $s (liboverlay) $v"
	done
	# The package and the man pages say the same.
	[[ $(head -1 "$ROOT/debian/changelog") == "liboverlay ($v"[-\)]* ]] ||
		fail "debian/changelog is not at $v: $(head -1 "$ROOT/debian/changelog")"
	grep -q "^\.TH .*\"liboverlay $v\"" "$ROOT/man/overlay-run.1" || fail "overlay-run.1 is not at $v"
	grep -q "^\.TH .*\"liboverlay $v\"" "$ROOT/man/liboverlay.7" || fail "liboverlay.7 is not at $v"
}

test_subcommand_help() {
	local s w global
	run_ovl --help
	global=$OUT
	declare -A opts=([diff]="--lower --json" [apply]="--to --force" [discard]="--force"
		[export]="-o --output --gzip")
	for s in diff apply discard export; do
		for w in -h --help; do
			run_ovl "$s" "$w"
			expect_rc 0
			[[ $OUT == "usage: overlay-run $s "* ]] || fail "$s $w: $(head -1 <<<"$OUT")"
			[[ $OUT != "$global" ]] || fail "$s $w prints the global help"
		done
		for w in ${opts[$s]} --version "Exit status"; do
			[[ $OUT == *"$w"* ]] || fail "$s --help does not mention $w"
		done
	done
	[[ $global == *--rm* && $global == *--version* && $global == *126* && $global == *127* ]] ||
		fail "--help lacks --rm, --version or 126/127"
}

# ---- exit statuses 126 and 127 ----------------------------------------------------

test_exit_not_found_not_executable() {
	put "$L/plain" "echo no"
	mkdir "$L/dir"
	freeze "$L"
	local v
	for v in "" --no-verify; do
		run_ovl -C "$L" $v --upper "$U" --lower "$L" -- no-such-command-xyz
		expect_rc 127
		expect_one_line "overlay-run: "
		expect_err_has "no-such-command-xyz"
		run_ovl -C "$L" $v --upper "$U" --lower "$L" -- ./missing
		expect_rc 127
		expect_one_line "overlay-run: "
		expect_err_has "./missing"
		run_ovl -C "$L" $v --upper "$U" --lower "$L" -- ./plain
		expect_rc 126
		expect_one_line "overlay-run: "
		expect_err_has "./plain"
		run_ovl -C "$L" $v --upper "$U" --lower "$L" -- ./dir
		expect_rc 126
		expect_one_line "overlay-run: "
	done
	# Looked up in the merged view: made executable in the upper, it runs.
	ovl chmod +x plain
	expect_rc 0
	ovl ./plain
	expect_rc 0
	expect_out no
	# The command's own 127 is passed on as it is.
	ovl sh -c 'exit 127'
	expect_rc 127
	expect_err_empty
}

# ---- --rm -------------------------------------------------------------------------

test_rm() {
	put "$L/f" one
	freeze "$L"
	mkdir "$T/tmp"
	# Removed when the command ends; its status kept.
	TMPDIR=$T/tmp run_ovl -C "$L" --rm --lower "$L" -- sh -c 'echo two >> f; cat f; exit 3'
	expect_rc 3
	expect_out one two
	expect_err_empty
	expect_tree "$T/tmp"
	TMPDIR=$T/tmp run_ovl -C "$L" --rm --no-verify --lower "$L" -- sh -c 'echo x > g'
	expect_rc 0
	expect_err_empty
	expect_tree "$T/tmp"
	# An upper the command made hard to remove.
	TMPDIR=$T/tmp run_ovl -C "$L" --rm --lower "$L" -- sh -c 'mkdir -p d/e && touch d/e/x && chmod 500 d/e d'
	expect_rc 0
	expect_err_empty
	expect_tree "$T/tmp"
	# Given uppers stay; with only given uppers, --rm is refused.
	TMPDIR=$T/tmp run_ovl -C "$L" --rm --upper "$U" --lower "$L" -- true
	expect_rc 125
	expect_one_line "overlay-run: --rm"
	mkdir "$L2"
	freeze "$L2"
	TMPDIR=$T/tmp run_ovl -C "$L" --rm --upper "$U" --lower "$L" --group --lower "$L2" -- \
		sh -c "echo a >> f; echo b > $L2/g"
	expect_rc 0
	expect_err_empty
	expect_tree "$T/tmp"
	expect_file "$U/f" one a
}

# A lower changed (a write that bypassed the library, here through
# /proc/self/root): the upper is kept and named.
test_rm_keeps_upper_on_escape() {
	mkdir "$T/tmp" "$T/victim"
	put "$T/victim/f" one
	# an escape the library cannot see: bare system calls (progs/escape.c)
	cc -o "$T/esc" "$ROOT/tests/integration/progs/escape.c" || fail "cannot build progs/escape.c"
	TMPDIR=$T/tmp run_ovl -C "$T" --rm --lower "$T/victim" -- "$T/esc" w "$T/victim/f"
	expect_rc 122
	local up
	up=$(find "$T/tmp" -mindepth 1 -maxdepth 1)
	[[ $up == "$T"/tmp/overlay.?????? ]] || fail "the upper was not kept: '$up'"
	expect_err_has "overlay-run: escape: changed $T/victim/f"
	expect_err_has "overlay-run: upper: $up (kept: a lower changed while the command ran)"
}

# ---- bash completion --------------------------------------------------------------

# complete_words LINE: the completions bash offers at the end of LINE.
complete_words() {
	bash -c '. /usr/share/bash-completion/bash_completion
		. "$1"
		COMP_LINE=$2 COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_overlay_run overlay-run "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort -u' bash "$ROOT/completion/overlay-run" "$1"
}

test_bash_completion() {
	[[ -f /usr/share/bash-completion/bash_completion ]] ||
		skip "bash-completion is not installed (apt-get install bash-completion)"
	mkdir -p "$T/dirs/alpha" "$T/dirs/beta"
	put "$T/dirs/afile" x
	cd "$T/dirs" || return
	expect_eq "options" "--no-verify" "$(complete_words "overlay-run --no")"
	expect_eq "--r" "--rm" "$(complete_words "overlay-run --r")"
	[[ $(complete_words "overlay-run di") == *diff* ]] || fail "no diff subcommand"
	expect_eq "--lower takes a directory" "alpha" "$(complete_words "overlay-run --lower a")"
	expect_eq "diff options" "--json" "$(complete_words "overlay-run diff up --j")"
	expect_eq "export options" "$(printf '%s\n' --output)" "$(complete_words "overlay-run export up --ou")"
	expect_eq "apply --to" "beta" "$(complete_words "overlay-run apply up --to b")"
	[[ $(complete_words "overlay-run --lower alpha -- ech") == *echo* ]] || fail "no command after --"
	[[ $(complete_words "overlay-run --upper u --lower alpha ech") == *echo* ]] || fail "no command after the options"
}
