# overlay-run.d/discard.sh: overlay-run discard [--force] UPPER
#
# Remove an upper.  Refused for /, the current directory or one of its
# ancestors, $HOME, and anything that is not a directory; and for a
# non-empty directory that does not look like an upper (no
# .wh..wh.liboverlay.gen at its top, which every run leaves), unless --force.
# shellcheck shell=bash disable=SC2034,SC2015

SUB=discard

cmd_discard() {
	local upper='' force=0 cwd
	while (($#)); do
		case $1 in
		--force) force=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--version) version; exit 0 ;;
		-*) usage_error "unknown option '$1' (try --help)" ;;
		*)
			set_upper "$1"
			shift ;;
		esac
	done
	[[ -n $upper ]] || usage_error "no upper given (try --help)"
	[[ -L $upper ]] && usage_error "'$upper' is a symbolic link, not an upper"
	upper=$(need_dir upper "$upper") || exit
	cwd=$(pwd -P)
	[[ $upper == / ]] && usage_error "refusing to remove /"
	inside "$cwd" "$upper" && usage_error "refusing to remove '$upper': the current directory is in it"
	[[ -n ${HOME:-} && $upper == "$(realpath -m -- "$HOME")" ]] && usage_error "refusing to remove \$HOME"
	if ((!force)) && [[ ! -f $upper/$GEN_NAME && -n $(find "$upper" -mindepth 1 -maxdepth 1 -print -quit) ]]; then
		usage_error "'$upper' does not look like an upper (no $GEN_NAME in it); --force removes it anyway"
	fi
	rm -rf --one-file-system -- "$upper" 2>/dev/null ||
		{ chmod -R u+rwx -- "$upper" 2>/dev/null; rm -rf --one-file-system -- "$upper"; } ||
		fatal "cannot remove '$upper' completely"
}
