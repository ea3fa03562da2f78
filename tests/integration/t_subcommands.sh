# The subcommands for people who live with them: diff -z and --json for
# any name, progress and the summary line of diff, apply and export, and
# export --oci read by umoci and skopeo.  (The core of diff, apply and
# export: t_after.sh.)
# shellcheck shell=bash disable=SC2016,SC2034

# ---- helpers ------------------------------------------------------------------

# tree_view DIR: what a tree shows, one line per entry (relative path,
# type, mode, owner, size of non-directories, mtime, symlink target), then
# each file's checksum.  Under overlay-run it shows the merged view.
VIEW='cd "$1" && find . -mindepth 1 \( -type d -printf "%p d %m %U:%G %T@\n" \) -o -printf "%p %y %m %U:%G %s %T@ %l\n" | LC_ALL=C sort &&
find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2'
tree_view() { bash -c "$VIEW" view "$1"; }

# odd_names: a run that leaves in $U files whose names hold a newline, a
# byte that is no UTF-8 (0xff), both with a backslash, and valid non-ASCII.
odd_names() {
	put "$L/keep" keep
	freeze "$L"
	ovl sh -c 'mkdir d; echo 1 > "d/two
lines"; echo 2 > "$(printf "bad\377name")"; echo 3 > "$(printf "mixed\\\\\377\nx")"; echo 4 > "caf$(printf "\303\251")"'
	expect_rc 0
	[[ -f $U/$'bad\xffname' && -f $U/$'d/two\nlines' ]] || fail "the run did not make the odd names: $(ls -b "$U")"
}

# thousand: a run over a lower holding one file (`old`) that deletes it and
# writes d/f0 ... d/f999, each holding its number and a newline: 1002
# entries in the upper (d, the files, the whiteout .wh.old), 3890 bytes
# (10 * 2 + 90 * 3 + 900 * 4), 1002 changes.
thousand() {
	put "$L/old" old
	freeze "$L"
	ovl sh -c 'rm old; mkdir d; i=0; while [ $i -lt 1000 ]; do echo $i > d/f$i; i=$((i + 1)); done'
	expect_rc 0
	expect_eq "files made" 1000 "$(find "$U/d" -type f | wc -l)"
}

# A summary line: the text given, then ", S.SS s".
TIME_RE=', [0-9]+\.[0-9][0-9] s'
expect_summary() {
	[[ $ERR =~ ^"$1"$TIME_RE$ ]] || fail "stderr is not the one summary line '$1, S.SS s': $ERR"
}

# on_tty FILE CMD: run the shell command CMD with its stdin, stdout and
# stderr on a pseudo-terminal (script(1)); what the terminal showed goes to
# FILE.  Skips the test without script.
on_tty() {
	command -v script >/dev/null || skip "script (bsdutils) is not installed: no pseudo-terminal to test progress on"
	script -q -e -c "$2" /dev/null </dev/null >"$1" 2>&1 || fail "on a terminal, '$2' failed: $(tr '\r' '\n' <"$1" | tail -3)"
}

# ---- diff -z and --json ---------------------------------------------------------------

# -z: one NUL-terminated line per change, names with newlines whole; plain
# lines split them (which is why -z exists).
test_diff_z() {
	odd_names
	run "$RUN_OVERLAY" diff "$U" --lower "$L" -z --quiet
	expect_rc 0
	expect_err_empty
	local got=() want=("A /bad"$'\xff'"name" "A /caf"$'\xc3\xa9' "A /d" "A /d/two"$'\n'"lines" "A /mixed\\"$'\xff\n'"x")
	mapfile -d '' got <"$T/out"
	expect_eq "diff -z records (as printf %q)" "$(printf '%q\n' "${want[@]}")" "$(printf '%q\n' "${got[@]}")"
	expect_eq "NUL count" 5 "$(tr -cd '\0' <"$T/out" | wc -c)"
	[[ $(tr -cd '\n' <"$T/out" | wc -c) == 2 ]] || fail "newlines other than the two in names: $(od -c "$T/out" | head)"
	run "$RUN_OVERLAY" diff "$U" --json -z
	expect_rc 125
	expect_one_line "overlay-run: diff: --json and -z exclude each other"
}

# --json is valid JSON (UTF-8) for any name: Python's json and jq read it;
# the names that are not UTF-8 are escaped by the documented convention,
# flagged "path_encoding": "escaped", and decode to the real bytes.
test_diff_json_any_name() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	odd_names
	run "$RUN_OVERLAY" diff "$U" --lower "$L" --json --quiet
	expect_rc 0
	expect_err_empty
	cp "$T/out" "$T/diff.json"
	run python3 -c '
import json, os, re, sys
recs = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))
def decode(r):
    p = r["path"]
    if r.get("path_encoding") != "escaped":
        return p.encode("utf-8")
    # \\ is a backslash, \xNN the byte NN, the rest UTF-8 text
    return re.sub(rb"\\(\\|x([0-9a-f]{2}))",
                  lambda m: b"\\" if m.group(1) == b"\\" else bytes([int(m.group(2), 16)]),
                  p.encode("utf-8"))
top = os.fsencode(sys.argv[2])
real = sorted(b"/" + os.path.relpath(os.path.join(d, n), top)
              for d, ds, fs in os.walk(top) for n in ds + fs
              if not n.startswith(b".wh."))
print("decoded == upper:", sorted(decode(r) for r in recs) == real)
for r in recs:
    print(r.get("path_encoding", "-"), ascii(r["path"]))
' "$T/diff.json" "$U"
	expect_rc 0
	expect_out "decoded == upper: True" \
		"escaped '/bad\\\\xffname'" "- '/caf\\xe9'" "- '/d'" "- '/d/two\\nlines'" "escaped '/mixed\\\\\\\\\\\\xff\\nx'"
	command -v jq >/dev/null || skip "jq is not installed (apt-get install jq); Python's json module read the output"
	run jq -r '.[] | select(.path_encoding == "escaped") | .path' "$T/diff.json"
	expect_rc 0
	expect_eq "jq: the escaped paths" "$(printf '%s\n' '/bad\xffname' '/mixed\\\xff' 'x')" "$OUT"
}

# ---- progress and summary ------------------------------------------------------------

# Without a terminal: one summary line each, with the right counts; no
# progress (no carriage return).  --quiet: nothing on stderr, the same
# output.
test_summary_counts() {
	thousand
	run "$RUN_OVERLAY" diff "$U" --lower "$L"
	expect_rc 0
	expect_summary "overlay-run: diff: 1002 entries (3890 bytes), 1002 changes"
	expect_eq "diff lines" 1002 "$(wc -l <"$T/out")"
	local listed=$OUT
	run "$RUN_OVERLAY" diff "$U" --lower "$L" --quiet
	expect_rc 0
	expect_err_empty
	expect_eq "diff --quiet output" "$listed" "$OUT"

	FROZEN=() FROZEN_HOW=()
	cp -a "$L" "$T/copy"
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy"
	expect_rc 0
	expect_summary "overlay-run: apply: 1002 entries, 1000 copied (3890 bytes), 0 already in place"
	expect_missing "$T/copy/old"
	expect_eq "files applied" 1000 "$(find "$T/copy/d" -type f | wc -l)"
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy"
	expect_rc 0
	expect_summary "overlay-run: apply: 1002 entries, 0 copied (0 bytes), 1000 already in place"
	# Only some paths: the entries at or under them.
	cp -a "$L" "$T/copy2"
	run "$RUN_OVERLAY" apply "$U" --to "$T/copy2" /old /d/f7
	expect_rc 0
	expect_summary "overlay-run: apply: 2 entries, 1 copied (2 bytes), 0 already in place"
	run "$RUN_OVERLAY" apply --quiet "$U" --to "$L"
	expect_rc 0
	expect_err_empty
	expect_eq "applied in place" 1000 "$(find "$L/d" -type f | wc -l)"

	run "$RUN_OVERLAY" export "$U" -o "$T/layer.tar"
	expect_rc 0
	expect_summary "overlay-run: export: 1002 entries (3890 bytes), layer $(stat -c %s "$T/layer.tar") bytes in $T/layer.tar"
	expect_eq "entries in the layer" 1002 "$(tar -tf "$T/layer.tar" | wc -l)"
	run "$RUN_OVERLAY" export "$U" --quiet -o "$T/q.tar"
	expect_rc 0
	expect_err_empty
	cmp -s "$T/layer.tar" "$T/q.tar" || fail "export --quiet wrote another layer"
	RC=0
	"$RUN_OVERLAY" export "$U" -o - --gzip >"$T/l.tar.gz" 2>"$T/err" || RC=$?
	ERR=$(cat "$T/err")
	expect_rc 0
	expect_summary "overlay-run: export: 1002 entries (3890 bytes), layer written to stdout"
	expect_eq "entries in the gzipped layer" 1002 "$(tar -tzf "$T/l.tar.gz" | wc -l)"
	[[ $ERR != *$'\r'* ]] || fail "progress drawn without a terminal"
}

# On a terminal: the progress line, redrawn in place, reaches the total of
# each phase (also where tar does the work: apply's copy, export), then is
# erased before the summary; the result on stdout is untouched.  With
# --quiet, the terminal shows nothing.
test_progress_on_terminal() {
	thousand
	FROZEN=() FROZEN_HOW=()
	local r=$RUN_OVERLAY
	on_tty "$T/tty" "'$r' diff '$U' --lower '$L' >'$T/diff.out'"
	expect_eq "diff lines" 1002 "$(wc -l <"$T/diff.out")"
	local tty
	tty=$(cat -v "$T/tty")
	[[ $tty == *"^Moverlay-run: diff: read 1002/1002 entries (100%)^[[K"* ]] || fail "no diff progress: $tty"
	[[ $tty =~ \^M\^\[\[Koverlay-run:\ diff:\ 1002\ entries\ \(3890\ bytes\),\ 1002\ changes$TIME_RE\^M$ ]] ||
		fail "the summary does not erase the progress line and end the output: $tty"

	cp -a "$L" "$T/copy"
	on_tty "$T/tty" "'$r' apply '$U' --to '$T/copy'"
	tty=$(cat -v "$T/tty")
	[[ $tty == *"^Moverlay-run: apply: copied 1000/1000 entries (100%)^[[K"* ]] || fail "no progress of apply's copy: $tty"
	[[ $tty == *"^Moverlay-run: apply: moved into place 1000/1000 entries (100%)^[[K"* ]] || fail "no progress of apply's renames: $tty"
	[[ $tty == *"^M^[[Koverlay-run: apply: 1002 entries, 1000 copied (3890 bytes), 0 already in place, "* ]] ||
		fail "no apply summary: $tty"

	on_tty "$T/tty" "'$r' export '$U' -o '$T/layer.tar'"
	tty=$(cat -v "$T/tty")
	[[ $tty == *"^Moverlay-run: export: written 1002/1002 entries (100%)^[[K"* ]] || fail "no export progress: $tty"
	[[ $tty == *"^M^[[Koverlay-run: export: 1002 entries (3890 bytes), layer "* ]] || fail "no export summary: $tty"

	on_tty "$T/tty" "'$r' export '$U' --quiet -o '$T/q.tar' && '$r' diff '$U' --quiet >/dev/null"
	expect_eq "what the terminal showed with --quiet" "" "$(cat -v "$T/tty")"
}

# ---- export --oci ----------------------------------------------------------------

# oci_scenario: a lower and a run leaving one change of each kind in $U;
# MERGED: the merged view.
oci_scenario() {
	put "$L/keep" keep
	put "$L/mod" old
	put "$L/gone" gone
	put "$L/dir/a" a
	put "$L/opq/x" x
	put "$L/opq/y" y
	put "$L/sub/f" f
	ln -s keep "$L/link"
	chmod 640 "$L/keep"
	freeze "$L"
	ovl sh -c 'echo new >> mod; rm gone; rm -r dir; rm -r opq; mkdir opq; echo new-x > opq/x
ln -sfn mod link; echo new > sub/new; mkdir -p newdir/deeper; chmod 700 newdir; echo n > "newdir/with
newline"; chmod 600 keep'
	expect_rc 0
	expect_err_empty
	run_ovl -C "$T" --upper "$U" --lower "$L" -- bash -c "$VIEW" view "$L"
	expect_rc 0
	MERGED=$OUT
}

# The layout is what the image spec says: each blob named by the sha256 of
# its bytes, each descriptor's digest and size those of its blob, the
# config's diff_id the digest of the uncompressed layer, the tag in the
# index; the layer holds the whiteouts in OCI form and no internal file.
# Then umoci reads it: unpacked over a copy of the lower, the merged view
# (names, types, modes, owners, sizes, symlink targets, contents; directory
# mtimes aside, which umoci changes as it applies whiteouts); unpacked
# alone, the upper's entries.  The same upper gives the same digests.
test_export_oci_umoci() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	oci_scenario
	run "$RUN_OVERLAY" export "$U" --oci "$T/img" --tag t1
	expect_rc 0
	[[ $ERR =~ ^overlay-run:\ export:\ [0-9]+\ entries\ \([0-9]+\ bytes\),\ layer\ [0-9]+\ bytes,\ image\ $T/img:t1\ \(manifest\ sha256:[0-9a-f]{64}\)$TIME_RE$ ]] ||
		fail "summary: $ERR"
	run python3 -c '
import gzip, hashlib, json, os, sys, tarfile
d = sys.argv[1]
def blob(desc, media):
    assert desc["mediaType"] == media, desc
    algo, hexd = desc["digest"].split(":")
    data = open(os.path.join(d, "blobs", algo, hexd), "rb").read()
    assert algo == "sha256" and hashlib.sha256(data).hexdigest() == hexd, desc
    assert len(data) == desc["size"], desc
    return data
assert json.load(open(os.path.join(d, "oci-layout"))) == {"imageLayoutVersion": "1.0.0"}
index = json.load(open(os.path.join(d, "index.json")))
assert index["schemaVersion"] == 2, index
(m,) = index["manifests"]
print("tag", m["annotations"]["org.opencontainers.image.ref.name"])
man = json.loads(blob(m, "application/vnd.oci.image.manifest.v1+json"))
cfg = json.loads(blob(man["config"], "application/vnd.oci.image.config.v1+json"))
(layer,) = man["layers"]
tar = gzip.decompress(blob(layer, "application/vnd.oci.image.layer.v1.tar+gzip"))
print("diff_id", cfg["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]})
print("os", cfg["os"])
names = sorted(tarfile.open(fileobj=__import__("io").BytesIO(tar)).getnames())
print("\n".join(names).replace("\n", "|"))
print("blobs", len(os.listdir(os.path.join(d, "blobs", "sha256"))))
' "$T/img"
	expect_rc 0
	expect_out "tag t1" "diff_id True" "os linux" \
		".wh.dir|.wh.gone|keep|link|mod|newdir|newdir/deeper|newdir/with|newline|opq|opq/.wh..wh..opq|opq/x|sub|sub/new" \
		"blobs 3"
	# Reproducible.
	sleep 1
	run "$RUN_OVERLAY" export "$U" --oci "$T/img2" --tag t1 --quiet
	expect_rc 0
	cmp -s "$T/img/index.json" "$T/img2/index.json" || fail "two exports of one upper have different manifests"

	command -v umoci >/dev/null || skip "umoci is not installed (apt-get install umoci); the layout was checked by hand only"
	cp -a "$L" "$T/rootfs"
	run umoci raw unpack --image "$T/img:t1" "$T/rootfs"
	expect_rc 0
	local strip='s/^\(\S* d \S* \S*\) .*/\1/'
	expect_eq "umoci's unpack over the lower (>) vs merged view (<)" "$(sed "$strip" <<<"$MERGED")" \
		"$(tree_view "$T/rootfs" | sed "$strip")"
	run umoci unpack --image "$T/img:t1" "$T/bundle"
	expect_rc 0
	expect_eq "umoci's unpack alone (>) vs the upper's entries (<)" \
		"$(cd "$U" && find . -mindepth 1 ! -name '.wh.*' -printf '%p %y\n' | LC_ALL=C sort)" \
		"$(cd "$T/bundle/rootfs" && find . -mindepth 1 -printf '%p %y\n' | LC_ALL=C sort)"
}

# skopeo reads the layout too (it checks every digest as it copies), sees
# this machine's architecture and our layer, and copies it tag and all.
test_export_oci_skopeo() {
	command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
	oci_scenario
	run "$RUN_OVERLAY" export "$U" --oci "$T/img" --tag build-1 --quiet
	expect_rc 0
	run skopeo copy "oci:$T/img:build-1" "oci:$T/copy:again"
	expect_rc 0
	local layer
	# The layer: the one blob that is gzip data (the others are JSON).
	layer=$(find "$T/img/blobs/sha256" -type f -exec sh -c 'gzip -t "$1" 2>/dev/null && basename "$1"' sh {} \;)
	run skopeo inspect --raw "oci:$T/copy:again"
	expect_rc 0
	[[ $OUT == *"sha256:$layer"* ]] || fail "the copied manifest does not name our layer $layer: $OUT"
	cmp -s "$T/img/blobs/sha256/$layer" "$T/copy/blobs/sha256/$layer" || fail "skopeo's copy of the layer differs"
}

test_export_oci_errors() {
	put "$L/f" one
	freeze "$L"
	ovl sh -c 'echo two >> f'
	mkdir -p "$T/full"
	: >"$T/full/x"
	run "$RUN_OVERLAY" export "$U" --oci "$T/full"
	expect_rc 125
	expect_one_line "overlay-run: export: --oci directory '$T/full' is not empty"
	expect_tree "$T/full" "x f"
	run "$RUN_OVERLAY" export "$U" --oci "$T/i" --tag 'no:colon'
	expect_rc 125
	expect_one_line "overlay-run: export: tag 'no:colon' is not"
	run "$RUN_OVERLAY" export "$U" --oci "$T/i" -o "$T/l.tar"
	expect_rc 125
	expect_one_line "overlay-run: export: -o and --oci exclude each other"
	run "$RUN_OVERLAY" export "$U" --tag x -o "$T/l.tar"
	expect_rc 125
	expect_one_line "overlay-run: export: --tag goes with --oci"
	run "$RUN_OVERLAY" export "$U" --oci "$U/img"
	expect_rc 125
	expect_err_has "inside the upper"
	expect_missing "$T/i"
	# An empty directory is taken, and nothing is left beside it.
	mkdir "$T/empty"
	run "$RUN_OVERLAY" export "$U" --oci "$T/empty" --quiet
	expect_rc 0
	expect_err_empty
	[[ -f $T/empty/index.json && -f $T/empty/oci-layout ]] || fail "no layout in the empty directory"
	expect_eq "left beside the layout" "" "$(find "$T" -maxdepth 1 -name 'empty.tmp.*')"
}

# Every new option is in each --help.
test_help_lists_new_options() {
	local w
	run "$RUN_OVERLAY" diff --help
	for w in -z --null --quiet path_encoding; do [[ $OUT == *"$w"* ]] || fail "diff --help lacks $w"; done
	run "$RUN_OVERLAY" apply --help
	[[ $OUT == *--quiet* ]] || fail "apply --help lacks --quiet"
	run "$RUN_OVERLAY" export --help
	for w in --oci --tag --quiet; do [[ $OUT == *"$w"* ]] || fail "export --help lacks $w"; done
	run "$RUN_OVERLAY" --help
	for w in "diff UPPER [--lower DIR]... [--json | -z]" "--oci DIR [--tag TAG]" --quiet; do
		[[ $OUT == *"$w"* ]] || fail "--help lacks $w"
	done
}
