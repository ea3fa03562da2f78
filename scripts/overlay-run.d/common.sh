# overlay-run.d/common.sh: helpers of the subcommands (sourced by overlay-run,
# after its own: die, inside, manifest, count, GEN_NAME, BASE_NAME...).
# shellcheck shell=bash disable=SC2034,SC2015

# usage: the --help text of the subcommand SUB (replaces the wrapper's own
# usage, which `overlay-run --help` prints).
usage() {
	case $SUB in
	diff) cat <<'EOF'
usage: overlay-run diff UPPER [--lower DIR]... [--json | -z] [--quiet]

List what UPPER changes in the merged view, one line per path (relative to
the mount, "/path"), sorted by path:
  A  added: no lower shows the path
  C  changed: a lower shows it with other content or another type
  M  metadata only: same type and content; mode, owner or mtime differ
  D  deleted (a whiteout; with --lower, also each name an opaque directory hides)
  O  opaque directory: the lower directory's contents are hidden
  L  leftover temporary of an operation that was killed

  --lower DIR   a lower of the run (repeat, in the same order): tells A from
                C and M; without it every entry of the upper is C
  --json        print a JSON array of {"change", "path", "type"} objects
                (with "metadata" for M and "note" where there is more to say);
                a path that is not valid UTF-8 has each such byte as the text
                \xNN and each backslash doubled, and "path_encoding": "escaped"
  -z, --null    end each line with a NUL, not a newline (as find -print0)
  -q, --quiet   no progress line (on a terminal) and no summary on stderr
  -h, --help    show this help
  --version     print the version
Exit status: 0 listed, 1 failed, 125 bad usage.
EOF
	;;
	apply) cat <<'EOF'
usage: overlay-run apply UPPER --to DIR [--force] [--quiet] [--] [PATH]...

Make the real directory DIR (usually the lower) what the merged view showed:
copy every entry of UPPER with its metadata, delete what its whiteouts
delete, empty its opaque directories.  Each file is replaced atomically; after
a failure or a kill, the same command completes the job.  With PATHs (as diff
prints them, e.g. /src/x), only the changes at or under them.

  --to DIR      the directory to change
  --force       skip the base check: DIR must be as the lower recorded in
                UPPER's base manifest (.wh..wh.liboverlay.base) was, except
                where it already holds UPPER's changes
  -q, --quiet   no progress line (on a terminal) and no summary on stderr
  -h, --help    show this help
  --version     print the version
Exit status: 0 applied, 1 not complete (run it again), 2 refused by the base
check (nothing changed), 125 bad usage.
EOF
	;;
	discard) cat <<'EOF'
usage: overlay-run discard [--force] UPPER

Remove the upper directory UPPER.  Refused for /, the current directory or
one of its ancestors, $HOME, a symbolic link or a non-directory, and (without
--force) a non-empty directory without .wh..wh.liboverlay.gen at its top,
which every run leaves.

  --force       remove a directory that does not look like an upper
  -h, --help    show this help
  --version     print the version
Exit status: 0 removed, 1 failed, 125 bad usage or refused.
EOF
	;;
	export) cat <<'EOF'
usage: overlay-run export UPPER -o FILE [--gzip] [--quiet]
       overlay-run export UPPER --oci DIR [--tag TAG] [--quiet]

Write UPPER as an OCI image layer: a tar of its entries (whiteouts as .wh.NAME,
opaque directories with .wh..wh..opq), numeric owners, modes, mtimes and
user.* xattrs kept, the library's own files and leftover temporaries left out.
The same upper gives the same bytes.

  -o, --output FILE   the layer to write; - is stdout
  --gzip              compress it (gzip -n)
  --oci DIR           write instead an OCI image layout in DIR (new or empty):
                      oci-layout, index.json, and in blobs/sha256 the manifest,
                      the config and the gzipped layer, for umoci and skopeo
                      (skopeo copy oci:DIR:TAG docker://...)
  --tag TAG           the image's tag in DIR (default: latest)
  -q, --quiet         no progress line (on a terminal) and no summary on stderr
  -h, --help          show this help
  --version           print the version
Exit status: 0 written, 1 failed, 125 bad usage.
EOF
	;;
	esac
}

# usage_error TEXT: a bad command line (status 125, as the wrapper's own).
usage_error() { die "$SUB: $*"; }

# fatal TEXT: the subcommand failed (status 1).
fatal() {
	printf 'overlay-run: %s: %s\n' "$SUB" "$*" >&2
	exit 1
}

note() { printf 'overlay-run: %s: %s\n' "$SUB" "$*" >&2; }

# set_upper ARG: the one positional UPPER of a subcommand (into the
# caller's local `upper`).
set_upper() {
	[[ -z $upper ]] || usage_error "more than one upper given ('$upper', '$1')"
	upper=$1
}

# need_dir WHAT PATH: PATH is an existing directory; prints its canonical path.
need_dir() {
	[[ -d $2 ]] || usage_error "$1 '$2' is not an existing directory"
	realpath -e -- "$2" || usage_error "cannot resolve $1 '$2'"
}

# scratch: a private working directory, $W, removed on exit.
scratch() {
	W=$(mktemp -d "${TMPDIR:-/tmp}/overlay-run.XXXXXX") || fatal "cannot create a working directory in ${TMPDIR:-/tmp}"
	trap 'rm -rf -- "$W"' EXIT
}

# list_upper UPPER: the entries of an upper, for the subcommands.
#   $W/up    "INFO<TAB>PATH" records (manifest format, see overlay-run),
#            sorted by path (parents first): files, directories, whiteouts
#            .wh.NAME and opaque markers .wh..wh..opq
#   $W/left  "TYPE<TAB>PATH" records of leftover temporaries (the other
#            .wh..wh. names, not descended into), sorted by path
# At the top, .wh..wh.liboverlay.* (the library's counters and shared
# whiteout, overlay-run's base manifest) are state, not changes, and in
# neither list; .wh..wh.liboverlay.run.* is a killed overlay-run's leftover.
# UP[PATH]=INFO for every entry of $W/up; N_UP: their number; BYTES_UP: the
# sizes of the regular files among them.
list_upper() {
	local up=$1 rec p
	manifest "$up" -mindepth 1 \( -name '.wh..wh.*' ! -name '.wh..wh..opq' \) \
		-fprintf "$W/internal" '%d %y\t%P\0' -prune -o |
		LC_ALL=C sort -z -t $'\t' -k 2 >"$W/up"
	while IFS= read -r -d '' rec; do
		p=${rec#*$'\t'}
		[[ $rec == "1 "* && $p == .wh..wh.liboverlay.* && $p != .wh..wh.liboverlay.run.* ]] && continue
		printf '%s\0' "${rec#* }"
	done <"$W/internal" | LC_ALL=C sort -z -t $'\t' -k 2 >"$W/left"
	declare -gA UP=()
	N_UP=0 BYTES_UP=0
	local s
	while IFS= read -r -d '' rec; do
		UP[${rec#*$'\t'}]=${rec%%$'\t'*}
		N_UP=$((N_UP + 1))
		# "f MODE OWNER SIZE MTIME": the size of a regular file.
		[[ $rec == f* ]] && s=${rec#* * * } && BYTES_UP=$((BYTES_UP + ${s%% *}))
	done <"$W/up"
}

# norm_path P: sets NP to P, a path relative to the mount ("/src/x",
# "src/x/", "./src"), in the upper's relative form ("src/x"); "" is all.
norm_path() {
	local IFS=/ c out=()
	set -f
	# shellcheck disable=SC2086
	for c in $1; do
		case $c in
		'' | .) ;;
		..) set +f; usage_error "path '$1' may not contain '..'" ;;
		*) out+=("$c") ;;
		esac
	done
	set +f
	NP=${out[*]}
}

# json_str S: sets JS to S as a JSON string.
json_str() {
	local i c u
	JS=${1//\\/\\\\}
	JS=${JS//\"/\\\"}
	if [[ $JS == *[[:cntrl:]]* ]]; then
		for i in {1..31} 127; do
			# shellcheck disable=SC2059
			printf -v c "\\$(printf '%03o' "$i")"
			printf -v u '\\u%04x' "$i"
			JS=${JS//"$c"/$u}
		done
	fi
	JS=\"$JS\"
}

# ---- progress and summary (diff, apply, export) ------------------------------
#
# With stderr on a terminal, a long subcommand redraws one progress line in
# place ("\r...\e[K", as rsync --info=progress2 does): the phase, entries
# done / total.  At the end, always one summary line on stderr (entries,
# bytes, elapsed time), the progress line cleared first.  --quiet (QUIET=1)
# silences both; warnings and errors are still printed.  The callers test
# PG_ON before each `progress`, so that a run without a terminal pays one
# arithmetic test per entry.

QUIET=0 PG_ON=0 PG_T0=0 PG_LAST=0 PG_DRAWN=0 PG_TOTAL=0 PG_WHAT='' PG_TAR=()

# now_us: sets NOW to the time in microseconds (EPOCHREALTIME has the
# locale's decimal point).
now_us() { NOW=${EPOCHREALTIME/[.,]/}; }

# progress_start: the clock of the summary starts; progress lines are drawn
# from now on when stderr is a terminal and --quiet was not given.  PG_TAR:
# the options that make a `tar -c` list each entry it writes on its fd 5,
# for with_progress.
progress_start() {
	now_us
	PG_T0=$NOW PG_LAST=$NOW PG_ON=0 PG_TAR=()
	if ((QUIET == 0)) && [[ -t 2 ]]; then
		PG_ON=1 PG_TAR=(--verbose --index-file=/dev/fd/5)
	fi
}

# progress_phase TOTAL WHAT: the next progress calls count TOTAL entries
# being WHAT ("read", "copied"...).
progress_phase() { PG_TOTAL=$1 PG_WHAT=$2; }

# progress N: N of the phase's entries are done.  Drawn at most five times
# a second (the first time 0.2 s after the start: a short run shows
# nothing), and when the phase ends.
progress() {
	now_us
	((NOW - PG_LAST >= 200000 || $1 >= PG_TOTAL)) || return 0
	PG_LAST=$NOW PG_DRAWN=1
	printf '\roverlay-run: %s: %s %d/%d entries (%d%%)\e[K' "$SUB" "$PG_WHAT" "$1" "$PG_TOTAL" \
		$((PG_TOTAL ? $1 * 100 / PG_TOTAL : 100)) >&2
}

# progress_clear: erase the progress line (before other output to the
# terminal; progress goes on redrawing it).
progress_clear() {
	((PG_DRAWN)) && printf '\r\e[K' >&2
	PG_DRAWN=0
}

# with_progress TOTAL WHAT CMD...: run CMD (its status is ours).  With
# progress on, CMD's fd 5 is a pipe to a drawer that counts one line per
# entry done (tar's `--verbose --index-file=/dev/fd/5`, in PG_TAR, quotes
# newlines in names, so a line is an entry); CMD's stdout stays ours.
with_progress() {
	local total=$1 what=$2
	shift 2
	((PG_ON)) || { "$@"; return; }
	PG_DRAWN=1
	{ { "$@" 5>&1 >&6 6>&-; } | progress_lines "$total" "$what"; return "${PIPESTATUS[0]}"; } 6>&1
}

# progress_lines TOTAL WHAT: draw progress for the lines read (about a
# hundred times in all: awk has no clock to throttle by).
progress_lines() {
	awk -v total="$1" -v what="$2" -v name="$SUB" '
		BEGIN { step = int(total / 100); if (step < 1) step = 1 }
		NR % step == 0 || NR == total {
			printf "\roverlay-run: %s: %s %d/%d entries (%d%%)\033[K", name, what, NR, total, total ? int(NR * 100 / total) : 100 > "/dev/stderr"
			fflush("/dev/stderr")
		}'
}

# plural N ONE MANY: sets PL to "N ONE" or "N MANY".
plural() { if (($1 == 1)); then PL="$1 $2"; else PL="$1 $3"; fi; }

# summary TEXT: the last line, "overlay-run: SUB: TEXT, S.SS s" (the time
# since progress_start), unless --quiet.
summary() {
	((QUIET)) && return 0
	now_us
	local us=$((NOW - PG_T0))
	progress_clear
	printf 'overlay-run: %s: %s, %d.%02d s\n' "$SUB" "$1" $((us / 1000000)) $((us % 1000000 / 10000)) >&2
}

# UTF8_VALID: a regular expression (bytes, in the C locale) matching the
# longest prefix of a string that is valid UTF-8 (RFC 3629: no overlong
# forms, no surrogates, nothing above U+10FFFF).
UTF8_VALID=$'^([\x01-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf][\x80-\xbf]|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf][\x80-\xbf]|[\xf1-\xf3][\x80-\xbf][\x80-\xbf][\x80-\xbf]|\xf4[\x80-\x8f][\x80-\xbf][\x80-\xbf])*'

# name_escape S: sets ES to S when S is valid UTF-8 (and returns 0), else
# (returns 1) to S with each backslash doubled and each byte that is not
# part of valid UTF-8 written as \xNN (two lowercase hex digits), so that
# the result is valid UTF-8 and S can be recovered from it.  Needs LC_ALL=C
# (bytes, not characters).
name_escape() {
	local s=$1 m b
	ES=$s
	[[ $s == *[$'\x80'-$'\xff']* ]] || return 0
	[[ $s =~ $UTF8_VALID ]] && [[ ${#BASH_REMATCH[0]} == "${#s}" ]] && return 0
	ES=''
	while [[ -n $s ]]; do
		[[ $s =~ $UTF8_VALID ]]
		m=${BASH_REMATCH[0]}
		ES+=${m//\\/\\\\}
		s=${s:${#m}}
		[[ -n $s ]] || break
		printf -v b '\\x%02x' "'${s:0:1}"
		ES+=$b
		s=${s:1}
	done
	return 1
}

# TYPE_NAME[Y]: find's %y letter as a word.
declare -A TYPE_NAME=([f]=file [d]=directory [l]=symlink [p]=fifo [s]=socket
	[c]=char-device [b]=block-device)
