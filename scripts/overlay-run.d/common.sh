# overlay-run.d/common.sh: helpers of the subcommands (sourced by overlay-run,
# after its own: die, inside, manifest, count, GEN_NAME, BASE_NAME...).
# shellcheck shell=bash disable=SC2034,SC2015

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
