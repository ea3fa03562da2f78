# overlay-run.d/common.sh: helpers of the subcommands (sourced by overlay-run,
# after its own: die, inside, manifest, count, GEN_NAME, BASE_NAME...).
# shellcheck shell=bash disable=SC2034,SC2015

# usage: the --help text of the subcommand SUB (replaces the wrapper's own
# usage, which `overlay-run --help` prints).
usage() {
	case $SUB in
	diff) cat <<'EOF'
usage: overlay-run diff UPPER [--lower DIR]... [--json]

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
                (with "metadata" for M and "note" where there is more to say)
  -h, --help    show this help
  --version     print the version
Exit status: 0 listed, 1 failed, 125 bad usage.
EOF
	;;
	apply) cat <<'EOF'
usage: overlay-run apply UPPER --to DIR [--force] [--] [PATH]...

Make the real directory DIR (usually the lower) what the merged view showed:
copy every entry of UPPER with its metadata, delete what its whiteouts
delete, empty its opaque directories.  Each file is replaced atomically; after
a failure or a kill, the same command completes the job.  With PATHs (as diff
prints them, e.g. /src/x), only the changes at or under them.

  --to DIR      the directory to change
  --force       skip the base check: DIR must be as the lower recorded in
                UPPER's base manifest (.wh..wh.liboverlay.base) was, except
                where it already holds UPPER's changes
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
usage: overlay-run export UPPER -o FILE [--gzip]

Write UPPER as an OCI image layer: a tar of its entries (whiteouts as .wh.NAME,
opaque directories with .wh..wh..opq), numeric owners, modes, mtimes and
user.* xattrs kept, the library's own files and leftover temporaries left out.
The same upper gives the same bytes.

  -o, --output FILE   the layer to write; - is stdout
  --gzip              compress it (gzip -n)
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
# UP[PATH]=INFO for every entry of $W/up.
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
	while IFS= read -r -d '' rec; do
		UP[${rec#*$'\t'}]=${rec%%$'\t'*}
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

# TYPE_NAME[Y]: find's %y letter as a word.
declare -A TYPE_NAME=([f]=file [d]=directory [l]=symlink [p]=fifo [s]=socket
	[c]=char-device [b]=block-device)
