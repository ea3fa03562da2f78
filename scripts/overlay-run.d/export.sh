# overlay-run.d/export.sh: overlay-run export UPPER -o FILE [--gzip]
#
# The upper as an OCI image layer (image-spec layer.md): a tar of its
# entries, whiteouts as `.wh.NAME` files, opaque directories with their
# `.wh..wh..opq` marker; the library's own files and leftover temporaries
# left out.  Reproducible: the same upper gives the same bytes.
#   - entries named by their path relative to the upper ("dir/file"), in
#     byte order (C locale sort), so parents come first;
#   - POSIX (pax) format; extended headers named %d/PaxHeaders/%f (no pid),
#     without atime and ctime; numeric owners only (no user or group names);
#     modes, mtimes and user.* extended attributes kept;
#   - hard links stored as separate files (--hard-dereference): the library
#     makes whiteouts hard links of one shared file, which consumers that
#     delete whiteouts instead of extracting them could not follow;
#   - --gzip: gzip -n (no name, no time stamp in the header).
# shellcheck shell=bash disable=SC2034,SC2015

SUB="export"

cmd_export() {
	local upper='' out='' gz=0 rec tmp
	while (($#)); do
		case $1 in
		-o | --output)
			(($# > 1)) && [[ -n $2 ]] || usage_error "option $1 needs a file"
			out=$2
			shift 2 ;;
		-o?*) out=${1#-o}; shift ;;
		--output=*) out=${1#*=}; [[ -n $out ]] || usage_error "option --output needs a file"; shift ;;
		--gzip) gz=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--version) version; exit 0 ;;
		-*) usage_error "unknown option '$1' (try --help)" ;;
		*)
			set_upper "$1"
			shift ;;
		esac
	done
	[[ -n $upper ]] || usage_error "no upper given (try --help)"
	[[ -n $out ]] || usage_error "no -o FILE given (try --help)"
	upper=$(need_dir upper "$upper") || exit
	if [[ $out != - ]]; then
		[[ -d $out ]] && usage_error "output '$out' is a directory"
		out=$(realpath -m -- "$out") || usage_error "cannot resolve output '$out'"
		inside "$out" "$upper" && usage_error "output '$out' is inside the upper"
		[[ -d ${out%/*}/ ]] || usage_error "no directory for output '$out'"
	fi
	command -v tar >/dev/null || fatal "GNU tar is needed"
	((gz == 0)) || command -v gzip >/dev/null || fatal "gzip is needed for --gzip"

	scratch
	list_upper "$upper"
	while IFS= read -r -d '' rec; do
		note "skipped: leftover temporary /${rec#*$'\t'}"
	done <"$W/left"
	cut -z -f 2- -- "$W/up" | LC_ALL=C sort -z >"$W/names"

	# Into a temporary beside the output, renamed over it when complete.
	if [[ $out == - ]]; then tmp=/dev/stdout; else tmp=$out.tmp.$$; fi
	tar --create --file=- --directory="$upper" --no-recursion --null \
		--verbatim-files-from --files-from="$W/names" --format=posix \
		--pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
		--numeric-owner --hard-dereference --xattrs --xattrs-include='user.*' --xattrs-exclude='user.overlay.*' |
		if ((gz)); then gzip -n; else cat; fi >"$tmp"
	local st=("${PIPESTATUS[@]}")
	if ((st[0] != 0 || st[1] != 0)); then
		[[ $out == - ]] || rm -f -- "$tmp"
		fatal "tar failed (status ${st[0]})"
	fi
	[[ $out == - ]] || mv -f -- "$tmp" "$out" || fatal "cannot write '$out'"
}
