# After the run: the escape check, several mount groups, and the diff,
# apply, discard and export subcommands of scripts/overlay-run.
# shellcheck shell=bash disable=SC2016,SC2034

# ---- helpers ------------------------------------------------------------------

# escape_prog: build $T/escape (progs/escape.c), a program whose bare
# system calls the library cannot see, that changes files on the host:
#   escape w PATH   append a line          c PATH   create
#   escape r PATH   unlink                 m PATH   mkdir
#   escape s PATH   overwrite the first byte, then put size and times back
#   escape x N      exit with status N
escape_prog() {
	${CC:-cc} -std=gnu11 -O -o "$T/escape" "$ROOT/tests/integration/progs/escape.c" 2>"$T/cc.err" ||
		fail "cannot build progs/escape.c: $(head -c 200 "$T/cc.err")"
}

# view DIR: what a tree shows, one line per entry (relative path, type,
# mode, owner, size of non-directories, mtime, symlink target), then each
# file's checksum.  Under overlay-run it shows the merged view.
VIEW='cd "$1" && find . -mindepth 1 \( -type d -printf "%p d %m %U:%G %T@\n" \) -o -printf "%p %y %m %U:%G %s %T@ %l\n" | LC_ALL=C sort &&
find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2'
view() { bash -c "$VIEW" view "$1"; }

# scenario: a lower $L and a run that leaves in $U one change of each kind.
scenario() {
	put "$L/keep" keep
	put "$L/mod" old
	put "$L/gone" gone
	put "$L/same" same
	put "$L/same2" same2
	put "$L/touched" touched
	put "$L/dir/a" a
	put "$L/dir/b" b
	put "$L/opq/x" x
	put "$L/opq/y" y
	put "$L/sub/f" f
	put "$L/typ" "a file"
	ln -s keep "$L/link"
	chmod 640 "$L/keep"
	freeze "$L"
	ovl sh -c 'echo new >> mod; rm gone; chmod 600 same; : >> same2; touch -d @1000000000 touched
rm -r dir; rm -r opq; mkdir opq; echo new-x > opq/x; ln -sfn mod link
echo new > sub/new; mkdir -p newdir/deeper; echo n > newdir/n; rm typ; mkdir typ'
	expect_rc 0
	expect_err_empty
}

# ---- the escape check ------------------------------------------------------------

test_verify_quiet_and_records_base() {
	put "$L/f" one
	put "$L/d/g" gee
	freeze "$L"
	ovl sh -c 'echo two >> f; rm d/g; echo n > n'
	expect_rc 0
	expect_err_empty
	expect_tree "$U" "f f" "n f" "d d" "d/.wh.g f"
	# The base manifest: the lower's entries, and no working files left.
	[[ -f $U/.wh..wh.liboverlay.base ]] || fail "no base manifest in the upper"
	expect_eq "base manifest entries" "$(printf '%s\n' "" d d/g f)" \
		"$(tr '\0' '\n' <"$U/.wh..wh.liboverlay.base" | sed -n 's/^[a-z] [0-7]* [0-9:]*[^\t]*\t//p' | LC_ALL=C sort)"
	[[ -z $(find "$U" -maxdepth 1 -name '.wh..wh.liboverlay.run.*') ]] || fail "working directory left in the upper"
	# --no-verify: no check, and no (stale) base manifest.
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- cat f
	expect_rc 0
	expect_out one two
	expect_missing "$U/.wh..wh.liboverlay.base"
}

# The files overlay-run keeps in an upper do not change its root's times,
# which the merged view shows for the mount point.
test_verify_keeps_upper_root_times() {
	put "$L/f" one
	mkdir -p "$U"
	touch -d @1600000000 "$L" "$U"
	ovl stat -c %Y .
	expect_rc 0
	expect_out 1600000000
	expect_eq "upper root mtime" 1600000000 "$(stat -c %Y "$U")"
}

# A program with bare system calls writes to the lower directly: reported,
# with status 122 and every path named; the command's own status on stderr.
test_verify_bare_syscall_escape() {
	escape_prog
	put "$L/f" one
	put "$L/same" same
	put "$L/sub/gone" gone
	put "$L/quiet" untouched
	ovl "$T/escape" w "$L/f" c "$L/new" r "$L/sub/gone" m "$L/newdir" s "$L/same"
	expect_rc 122
	expect_eq "stdout" "" "$OUT"
	local want=(
		"overlay-run: escape: a lower changed while the command ran (a write that bypassed liboverlay):"
		"overlay-run: escape: changed $L"
		"overlay-run: escape: changed $L/f"
		"overlay-run: escape: changed $L/same"
		"overlay-run: escape: changed $L/sub"
		"overlay-run: escape: added $L/new"
		"overlay-run: escape: added $L/newdir"
		"overlay-run: escape: removed $L/sub/gone"
		"overlay-run: exit status 122 instead of the command's own (0)"
	)
	expect_eq "stderr" "$(printf '%s\n' "${want[@]}")" "$ERR"
	# "same" kept its size and mtime: only its ctime told.
	expect_eq "same: the escape kept its size" 5 "$(stat -c %s "$L/same")"
	# The command's own status is reported when it is lost.
	ovl "$T/escape" w "$L/f" x 3
	expect_rc 122
	expect_err_has "overlay-run: escape: changed $L/f"
	expect_err_has "instead of the command's own (3)"
	# Without the check: the command's status, nothing said.
	run_ovl -C "$L" --no-verify --upper "$U" --lower "$L" -- "$T/escape" w "$L/f" x 3
	expect_rc 3
	expect_err_empty
}

# An escape into the second lower, and into a mount point's own directory.
test_verify_other_lowers_and_mount_point() {
	escape_prog
	put "$L/f" one
	put "$L2/g" two
	mkdir "$M"
	run_ovl -C "$T" --upper "$U" --lower "$L" --lower "$L2" --mount "$M" -- \
		"$T/escape" w "$L2/g" c "$M/hidden"
	expect_rc 122
	expect_err_has "overlay-run: escape: changed $L2/g"
	expect_err_has "overlay-run: escape: added $M/hidden"
	[[ $ERR != *"$L/"* ]] || fail "the unchanged first lower is named: $ERR"
}

# Changes made just before the run are not escapes (the check compares
# ctimes with a file time taken at the start, not with the wall clock);
# writes through the library never are.
test_verify_no_false_alarm() {
	local i
	put "$L/f" 0
	for ((i = 1; i <= 20; i++)); do
		echo "$i" >>"$L/f"
		: >"$L/new$i"
		ovl sh -c "echo $i >> f; echo $i > up$i; rm new$i"
		[[ $RC == 0 && -z $ERR ]] || { fail "run $i: status $RC, stderr: $ERR"; break; }
	done
}

# ---- several mount groups ----------------------------------------------------------

test_multi_mount() {
	put "$L/f" one
	put "$L2/g" two
	mkdir "$M"
	freeze "$L" "$L2"
	run_ovl -C "$T" --upper "$U" --lower "$L" --group --lower "$L2" --upper "$T/u2" --mount "$M" -- \
		sh -c 'echo 1 >> lower/f; echo 2 >> mnt/g; echo n > mnt/n; cat lower/f mnt/g; ls mnt; echo "$OVERLAY_MOUNTS"'
	expect_rc 0
	expect_err_empty
	expect_out one 1 two 2 g n "$M:$T/u2:$L2"
	expect_tree "$U" "f f"
	expect_tree "$T/u2" "g f" "n f"
	expect_file "$T/u2/g" two 2
	[[ -f $T/u2/.wh..wh.liboverlay.base ]] || fail "no base manifest in the second upper"
	# One group: OVERLAY_MOUNTS from outside is not passed on.
	OVERLAY_MOUNTS="$M:$T/u2:$L2" run_ovl -C "$T" --upper "$U" --lower "$L" -- sh -c 'echo "${OVERLAY_MOUNTS-unset}"'
	expect_out unset
}

test_multi_mount_default_uppers() {
	put "$L/f" one
	put "$L2/g" two
	freeze "$L" "$L2"
	mkdir "$T/tmp"
	TMPDIR=$T/tmp run_ovl -C "$T" --lower "$L" --group --lower "$L2" -- \
		sh -c 'echo 1 >> lower/f; echo 2 >> lower2/g'
	expect_rc 0
	local ups
	ups=$(find "$T/tmp" -mindepth 1 -maxdepth 1 | LC_ALL=C sort)
	[[ $(wc -l <<<"$ups") == 2 ]] || fail "not two uppers in TMPDIR: $ups"
	local u1 u2
	u1=$(sed -n 's/^overlay-run: upper: //p' <<<"$ERR" | sed -n 1p)
	u2=$(sed -n 's/^overlay-run: upper: //p' <<<"$ERR" | sed -n 2p)
	expect_eq "uppers printed" "$ups" "$(printf '%s\n' "$u1" "$u2" | LC_ALL=C sort)"
	expect_file "$u1/f" one 1
	expect_file "$u2/g" two 2
}

test_multi_mount_escape() {
	escape_prog
	put "$L/f" one
	put "$L2/g" two
	run_ovl -C "$T" --upper "$U" --lower "$L" --group --upper "$T/u2" --lower "$L2" -- "$T/escape" w "$L2/g"
	expect_rc 122
	expect_err_has "overlay-run: escape: changed $L2/g"
}

# group_error TEXT ARGS...: overlay-run ARGS fails with 125 and one line.
group_error() {
	local text=$1
	shift
	run_ovl -C "$T" "$@"
	expect_rc 125
	expect_one_line "overlay-run: "
	expect_err_has "$text"
}

test_multi_mount_errors() {
	put "$L/f" one
	put "$L2/g" two
	put "$L2/sub/h" h
	mkdir "$M" "$T/semi;colon"
	freeze "$L" "$L2"
	group_error "mount group 1 has no --lower" --upper "$U" --group --lower "$L" -- true
	group_error "mount group 2 has no --lower" --lower "$L" --group --upper "$T/u2" -- true
	group_error "--upper given twice in mount group 1" --upper "$U" --lower "$L" --upper "$T/u2" --lower "$L2" -- true
	group_error "--mount given twice" --lower "$L" --mount "$M" --mount "$M" -- true
	group_error "overlaps mount point" --upper "$U" --lower "$L" --group --upper "$T/u2" --lower "$L2" --mount "$L" -- true
	group_error "overlaps mount point" --upper "$U" --lower "$L2" --group --upper "$T/u2" --lower "$L2/sub" -- true
	group_error "inside lower '$L2' (mount group 2)" --upper "$L2/up" --lower "$L" --group --upper "$T/u2" --lower "$L2" -- true
	group_error "overlaps upper" --upper "$U" --lower "$L" --group --upper "$U/in" --lower "$L2" -- true
	group_error "contains ';'" --upper "$U" --lower "$L" --group --upper "$T/u2" --lower "$T/semi;colon" -- true
	group_error "is not an existing directory (mount group 2)" --lower "$L" --group --lower "$T/none" -- true
	expect_missing "$U"
	expect_missing "$T/u2"
}

# ---- diff --------------------------------------------------------------------------

test_diff_with_lowers() {
	scenario
	run "$RUN_OVERLAY" diff "$U" --lower "$L" --quiet
	expect_rc 0
	expect_err_empty
	expect_out "D /dir" "D /gone" "C /link" "C /mod" "A /newdir" "A /newdir/deeper" "A /newdir/n" \
		"O /opq" "C /opq/x" "D /opq/y" "M /same" "M /same2" "A /sub/new" "M /touched" "C /typ"
}

test_diff_without_lowers() {
	scenario
	run "$RUN_OVERLAY" diff "$U" --quiet
	expect_rc 0
	expect_err_empty
	expect_out "D /dir" "D /gone" "C /link" "C /mod" "C /newdir" "C /newdir/deeper" "C /newdir/n" \
		"O /opq" "C /opq/x" "C /same" "C /same2" "C /sub" "C /sub/new" "C /touched" "O /typ"
}

test_diff_json() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	scenario
	# A name that JSON must escape.
	run_ovl -C "$L" --upper "$U" --lower "$L" -- sh -c 'echo q > "sub/a \"quoted\" \\ name	tab"'
	expect_rc 0
	run "$RUN_OVERLAY" diff "$U" --lower "$L" --json
	expect_rc 0
	printf '%s\n' "$OUT" >"$T/diff.json"
	run python3 -m json.tool "$T/diff.json"
	expect_rc 0
	run python3 -c '
import json, sys
for o in json.load(open(sys.argv[1])):
    print(o["change"], o["path"], o.get("type", "-"), ",".join(o.get("metadata", ["-"])) or "none", o.get("note", "-"))
' "$T/diff.json"
	expect_rc 0
	expect_out "D /dir - - -" "D /gone - - -" "C /link symlink - -" "C /mod file - -" \
		"A /newdir directory - -" "A /newdir/deeper directory - -" "A /newdir/n file - -" \
		"O /opq directory - -" "C /opq/x file - -" "D /opq/y - - hidden by the opaque directory" \
		"M /same file mode -" "M /same2 file none -" "A /sub/a \"quoted\" \\ name	tab file - -" \
		"A /sub/new file - -" "M /touched file mtime -" "C /typ directory - was a file"
	# No change at all: an empty array.
	mkdir "$T/empty"
	run "$RUN_OVERLAY" diff "$T/empty" --json
	expect_rc 0
	expect_eq "empty diff" "[]" "$(python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)))' <<<"$OUT")"
}

# Temporaries are hidden from the view: not changes, live or left by a
# killed process (overlay-run reclaims those: t_disk.sh); the latter are
# only counted on stderr.  Not descended into; the library's own files are
# not changes either.
test_diff_leftovers() {
	local dead
	dead=$(sh -c 'echo $$')
	put "$L/sub/f" f
	ovl sh -c 'echo x >> sub/f'
	put "$U/sub/.wh..wh.copyup.$dead.1.$dead.0" partial
	put "$U/.wh..wh.mkdir.$dead.$dead.9/inner" inner
	put "$U/.wh..wh.copyup.$$.1.0" "a live owner"
	mkdir "$U/.wh..wh.liboverlay.run.abcdef"
	run "$RUN_OVERLAY" diff "$U" --lower "$L" --quiet
	expect_rc 0
	expect_out "C /sub/f"
	expect_one_line "overlay-run: diff: 2 leftover temporaries of killed processes, not changes"
	run "$RUN_OVERLAY" diff "$U" --json
	expect_rc 0
	[[ $OUT != *'"L"'* && $OUT == *'"path": "/sub/f"'* ]] || fail "leftovers in JSON: $OUT"
}

# With several lowers, their own whiteouts count: a name hidden by the
# first lower is "added" when the upper brings it back.
test_diff_lower_stack() {
	put "$L2/a" a2
	put "$L2/b" b2
	put "$L2/d/x" x2
	: >"$L/.wh.a"
	put "$L/d/.wh..wh..opq"
	put "$L/c" c1
	freeze "$L" "$L2"
	run_ovl -C "$L" --upper "$U" --lower "$L" --lower "$L2" -- sh -c 'echo a > a; echo b2 > b; echo x > d/x; echo c > c'
	expect_rc 0
	expect_err_empty
	run "$RUN_OVERLAY" diff "$U" --lower "$L" --lower "$L2"
	expect_rc 0
	expect_out "A /a" "M /b" "C /c" "A /d/x"
}

test_diff_errors() {
	run "$RUN_OVERLAY" diff
	expect_rc 125
	expect_one_line "overlay-run: diff: no upper"
	run "$RUN_OVERLAY" diff "$T/none"
	expect_rc 125
	expect_one_line "overlay-run: diff: upper '$T/none' is not an existing directory"
	mkdir "$U"
	run "$RUN_OVERLAY" diff "$U" --frob
	expect_rc 125
	expect_one_line "overlay-run: diff: unknown option '--frob'"
}

# ---- apply ---------------------------------------------------------------------------

# Applied to a copy of the lower, and to the lower itself, the upper gives
# what the merged view showed: names, types, modes, owners, sizes, mtimes,
# symlink targets and contents.
test_apply_matches_merged_view() {
	scenario
	run_ovl -C "$T" --upper "$U" --lower "$L" -- bash -c "$VIEW" view "$L"
	expect_rc 0
	local merged=$OUT
	cp -a "$L" "$T/copy"
	run "$RUN_OVERLAY" apply --quiet "$U" --to "$T/copy"
	expect_rc 0
	expect_err_empty
	expect_eq "applied copy (>) vs merged view (<)" "$merged" "$(view "$T/copy")"
	[[ -z $(find "$T/copy" -name '.wh.*') ]] || fail "whiteouts or temporaries in the result: $(find "$T/copy" -name '.wh.*')"
	# Again: nothing changes, and files already in place are not copied.
	local ino
	ino=$(stat -c %i "$T/copy/mod")
	run "$RUN_OVERLAY" apply --quiet "$U" --to "$T/copy"
	expect_rc 0
	expect_err_empty
	expect_eq "second apply (>) vs merged view (<)" "$merged" "$(view "$T/copy")"
	expect_eq "inode of a file already applied" "$ino" "$(stat -c %i "$T/copy/mod")"
	# In place, onto the lower itself (it is allowed to change now).
	FROZEN=() FROZEN_HOW=()
	run "$RUN_OVERLAY" apply --quiet "$U" --to "$L"
	expect_rc 0
	expect_err_empty
	expect_eq "applied lower (>) vs merged view (<)" "$merged" "$(view "$L")"
}

# The base check: a lower that changed since the run is refused (status 2,
# the path named, nothing applied); --force applies anyway.
test_apply_refuses_changed_base() {
	scenario
	FROZEN=() FROZEN_HOW=()
	echo edited >>"$L/sub/f"
	rm "$L/keep"
	local before
	before=$(manifest "$L")
	run "$RUN_OVERLAY" apply "$U" --to "$L"
	expect_rc 2
	expect_err_has "base check"
	expect_err_has "/sub/f: recorded 'f 644 "
	expect_err_has "/keep: recorded 'f 640 "
	expect_err_has ", now 'absent'"
	expect_err_has "refused: nothing applied (--force applies anyway)"
	expect_eq "refused apply changed the lower" "$before" "$(manifest "$L")"
	# Not a recorded lower: compared with the first lower's manifest.
	cp -a "$L" "$T/copy"
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy"
	expect_rc 2
	run "$RUN_OVERLAY" apply "$U" --to "$L" --force
	expect_rc 0
	expect_file "$L/mod" old new
	expect_file "$L/sub/f" f edited
	expect_missing "$L/gone"
	# An upper without a base manifest cannot be checked: said, then applied.
	rm "$U/.wh..wh.liboverlay.base"
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy"
	expect_rc 0
	expect_err_has "no base manifest"
}

# Killed in the middle (here by an mv that kills apply after the first
# directory's files were renamed into place), apply leaves every visible
# file whole (the base check of the next run accepts each entry as either
# recorded or applied), and the same command run again completes the job,
# removing the staging directory left behind.
test_apply_rerun_after_kill() {
	scenario
	run_ovl -C "$T" --upper "$U" --lower "$L" -- bash -c "$VIEW" view "$L"
	local merged=$OUT
	FROZEN=() FROZEN_HOW=()
	mkdir "$T/bin"
	cat >"$T/bin/mv" <<EOF
#!/bin/sh
n=\$(cat "$T/mv.count" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$T/mv.count"
if [ \$n -eq 1 ]; then
	kill -9 \$PPID
	exit 1
fi
exec /bin/mv "\$@"
EOF
	chmod +x "$T/bin/mv"
	TMPDIR=$T PATH=$T/bin:$PATH run "$RUN_OVERLAY" apply "$U" --to "$L"
	expect_eq "apply killed" 137 "$RC"
	expect_eq "mv calls" 2 "$(cat "$T/mv.count")"
	[[ -n $(find "$L" -maxdepth 1 -name '.wh..wh.apply.*') ]] || fail "no staging directory left by the killed apply"
	[[ $(view "$L") != "$merged" ]] || fail "the killed apply did everything"
	run "$RUN_OVERLAY" apply --quiet "$U" --to "$L"
	expect_rc 0
	expect_err_empty
	expect_eq "completed apply (>) vs merged view (<)" "$merged" "$(view "$L")"
	[[ -z $(find "$L" -name '.wh.*') ]] || fail "temporaries left: $(find "$L" -name '.wh.*')"
}

# Only the changes under the paths given.
test_apply_paths() {
	scenario
	FROZEN=() FROZEN_HOW=()
	cp -a "$L" "$T/copy"
	run "$RUN_OVERLAY" apply --quiet "$U" --to "$T/copy" /opq newdir/ /gone /dir/a
	expect_rc 0
	expect_err_empty
	expect_tree "$T/copy" "keep f" "mod f" "same f" "same2 f" "touched f" "typ f" "link l" \
		"dir d" "dir/b f" "opq d" "opq/x f" "sub d" "sub/f f" "newdir d" "newdir/deeper d" "newdir/n f"
	expect_file "$T/copy/opq/x" new-x
	expect_file "$T/copy/mod" old
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy" /keep
	expect_rc 125
	expect_err_has "the upper changes nothing at or under /keep"
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy" ../x
	expect_rc 125
	run "$RUN_OVERLAY" apply "$U"
	expect_rc 125
	expect_one_line "overlay-run: apply: no --to DIR given"
	run "$RUN_OVERLAY" apply "$U" --to "$U/sub"
	expect_rc 125
	expect_err_has "overlap"
}

# ---- discard -------------------------------------------------------------------------

test_discard() {
	put "$L/f" one
	freeze "$L"
	ovl sh -c 'mkdir -p a/b; echo x > a/b/c; chmod 500 a/b; echo y >> f'
	expect_rc 0
	run "$RUN_OVERLAY" discard "$U"
	expect_rc 0
	expect_err_empty
	expect_missing "$U"
	# Not an upper: refused unless --force.
	put "$T/notup/precious" data
	run "$RUN_OVERLAY" discard "$T/notup"
	expect_rc 125
	expect_one_line "overlay-run: discard: '$T/notup' does not look like an upper"
	expect_file "$T/notup/precious" data
	run "$RUN_OVERLAY" discard --force "$T/notup"
	expect_rc 0
	expect_missing "$T/notup"
	# Never /, the cwd or above it, a file, a symlink.
	run "$RUN_OVERLAY" discard --force /
	expect_rc 125
	mkdir -p "$T/up2/sub" && : >"$T/up2/.wh..wh.liboverlay.gen"
	run -C "$T/up2/sub" "$RUN_OVERLAY" discard "$T/up2"
	expect_rc 125
	expect_err_has "the current directory is in it"
	put "$T/file" x
	run "$RUN_OVERLAY" discard "$T/file"
	expect_rc 125
	ln -s up2 "$T/link"
	run "$RUN_OVERLAY" discard "$T/link"
	expect_rc 125
	[[ -d $T/up2/sub ]] || fail "a refused discard removed something"
}

# ---- export --------------------------------------------------------------------------

# TAR_OPTS: how the tests write a reference tar of a lower.
# shellcheck disable=SC2054
TAR_OPTS=(--format=posix --numeric-owner --sort=name
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)

test_export_layer() {
	scenario
	# A leftover temporary (its directory keeping its times, so that the
	# exports below compare: the leftover is in none of them).
	touch -r "$U/sub" "$T/subtimes"
	put "$U/sub/.wh..wh.copyup.1.2.3" leftover
	touch -r "$T/subtimes" "$U/sub"
	run "$RUN_OVERLAY" export --quiet "$U" -o "$T/layer.tar"
	expect_rc 0
	expect_one_line "overlay-run: export: skipped: leftover temporary /sub/.wh..wh.copyup.1.2.3"
	run tar -tf "$T/layer.tar"
	expect_rc 0
	expect_out .wh.dir .wh.gone link mod newdir/ newdir/deeper/ newdir/n opq/ opq/.wh..wh..opq opq/x \
		same same2 sub/ sub/new touched typ/ typ/.wh..wh..opq
	# Numeric owners, no names; modes and mtimes as in the upper.
	run tar --numeric-owner -tvf "$T/layer.tar" same
	[[ $OUT == "-rw------- $(id -u)/$(id -g) "* ]] || fail "mode or owner of 'same': $OUT"
	! tar -tvf "$T/layer.tar" | grep -qv " $(id -u)/$(id -g) " || fail "names stored: $(tar -tvf "$T/layer.tar" | head -3)"
	# Unpacked, it is the upper without its internal files.
	mkdir "$T/unpacked"
	tar -xpf "$T/layer.tar" -C "$T/unpacked"
	rm "$U/sub/.wh..wh.copyup.1.2.3"
	touch -r "$T/subtimes" "$U/sub"
	expect_eq "unpacked layer (>) vs upper (<)" \
		"$(view "$U" | grep -v -e '^\./\.wh\.\.wh\.liboverlay\.' -e '  \./\.wh\.\.wh\.liboverlay\.')" "$(view "$T/unpacked")"
	# Reproducible: the same upper gives the same bytes, plain and gzipped.
	sleep 1
	run "$RUN_OVERLAY" export "$U" -o "$T/again.tar"
	expect_rc 0
	cmp -s "$T/layer.tar" "$T/again.tar" || fail "two exports of one upper differ"
	run "$RUN_OVERLAY" export "$U" --gzip -o "$T/a.tar.gz"
	expect_rc 0
	sleep 1
	"$RUN_OVERLAY" export "$U" --gzip -o "$T/b.tar.gz"
	cmp -s "$T/a.tar.gz" "$T/b.tar.gz" || fail "two gzipped exports of one upper differ"
	expect_eq "gzip content" "$(sha256sum <"$T/again.tar")" "$(gzip -dc "$T/a.tar.gz" | sha256sum)"
	# ... also when copied elsewhere with its times (inode numbers differ).
	cp -a "$U" "$T/ucopy"
	"$RUN_OVERLAY" export "$T/ucopy" -o "$T/copy.tar"
	cmp -s "$T/layer.tar" "$T/copy.tar" || fail "the export of a copy of the upper differs"
	"$RUN_OVERLAY" export "$U" -o - >"$T/stdout.tar"
	cmp -s "$T/layer.tar" "$T/stdout.tar" || fail "-o - differs"
	run "$RUN_OVERLAY" export "$U"
	expect_rc 125
	expect_one_line "overlay-run: export: no -o FILE or --oci DIR given"
	run "$RUN_OVERLAY" export "$U" -o "$U/in.tar"
	expect_rc 125
	expect_err_has "inside the upper"
}

# A real OCI consumer: umoci unpacks an image made of the lower and the
# exported layer, applying its whiteouts and opaque markers; the result is
# the merged view.
test_export_umoci() {
	command -v umoci >/dev/null || skip "umoci is not installed (apt-get install umoci)"
	scenario
	run_ovl -C "$T" --upper "$U" --lower "$L" -- bash -c "$VIEW" view "$L"
	local merged=$OUT
	"$RUN_OVERLAY" export "$U" -o "$T/layer.tar" || fail "export failed"
	tar -cf "$T/base.tar" "${TAR_OPTS[@]}" -C "$L" . || fail "cannot tar the lower"
	run sh -c "cd '$T' && umoci init --layout img && umoci new --image img:t &&
		umoci raw add-layer --image img:t base.tar && umoci raw add-layer --image img:t layer.tar &&
		umoci unpack --rootless --image img:t bundle"
	expect_rc 0
	# umoci sets no directory times from... every entry: compare all but
	# directory mtimes, which umoci changes while it applies whiteouts.
	local strip='s/^\(\S* d \S* \S*\) .*/\1/'
	expect_eq "umoci's rootfs (>) vs merged view (<)" "$(sed "$strip" <<<"$merged")" \
		"$(view "$T/bundle/rootfs" | sed "$strip")"
}

# ---- help ------------------------------------------------------------------------------

test_help_covers_everything() {
	run_ovl --help
	expect_rc 0
	local w
	for w in "overlay-run diff UPPER" "overlay-run apply UPPER --to DIR" "overlay-run discard" \
		"overlay-run export UPPER -o FILE" --group --no-verify --upper --lower --mount --json \
		--force --gzip 122 125 "status 2" .wh..wh.liboverlay.base; do
		[[ $OUT == *"$w"* ]] || fail "--help does not mention $w"
	done
	run "$RUN_OVERLAY" diff --help
	expect_rc 0
	[[ $OUT == "usage: overlay-run "* ]] || fail "diff --help: $OUT"
}

# The subcommands are found next to the script (a checkout) or in
# ../share/liboverlay/overlay-run.d (as `make install` puts them); a copy of
# the script alone still runs commands, and names what a subcommand misses.
test_installed_layout() {
	put "$L/f" one
	freeze "$L"
	local inst=$T/inst
	mkdir -p "$inst/bin" "$inst/lib" "$inst/share/liboverlay/overlay-run.d" "$T/alone"
	cp "$RUN_OVERLAY" "$inst/bin/"
	cp "$ROOT"/scripts/overlay-run.d/*.sh "$inst/share/liboverlay/overlay-run.d/"
	cp "$OVERLAY_LIB" "$inst/lib/liboverlay.so"
	OVERLAY_LIB='' RUN_OVERLAY=$inst/bin/overlay-run ovl sh -c 'echo two >> f'
	expect_rc 0
	expect_err_empty
	expect_file "$U/f" one two
	run "$inst/bin/overlay-run" diff "$U" --lower "$L"
	expect_rc 0
	expect_out "C /f"
	cp "$RUN_OVERLAY" "$T/alone/"
	run "$T/alone/overlay-run" diff "$U"
	expect_rc 125
	expect_one_line "overlay-run: the diff subcommand is not installed next to"
}

# --enforce: the lowers are read-only for the command (a private mount
# namespace), so a write that bypasses the library fails with EROFS instead
# of reaching the lower, and writes through the library still land in the
# upper.
test_enforce_makes_escapes_fail() {
	escape_prog
	put "$L/f" one
	freeze "$L"
	run_ovl -C "$L" --enforce --upper "$U" --lower "$L" -- \
		sh -c "echo lib >> f; '$T/escape' w '$L/f'; echo \"escape: \$?\"; cat f"
	expect_rc 0
	expect_out "escape: 1
one
lib"
	expect_err_has "Read-only file system"
	expect_file "$U/f" one lib
}

# Where no private mount namespace can be made, --enforce says so and exits
# 125 without running the command (an unshare that fails stands in for a
# kernel without unprivileged user namespaces).
test_enforce_unavailable_is_an_error() {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n' >"$T/bin/unshare"
	chmod +x "$T/bin/unshare"
	put "$L/f" one
	freeze "$L"
	PATH=$T/bin:$PATH run_ovl -C "$L" --enforce --upper "$U" --lower "$L" -- sh -c 'echo ran; echo x >> f'
	expect_rc 125
	expect_err_has "overlay-run: --enforce: cannot make a private mount namespace here"
	[[ $OUT != *ran* ]] || fail "the command ran: $OUT"
	expect_missing "$U/f"
}
