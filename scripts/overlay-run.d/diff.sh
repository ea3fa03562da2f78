# overlay-run.d/diff.sh: overlay-run diff UPPER [--lower DIR]... [--json | -z] [--quiet]
# What the upper changes in the view, one line per path (relative to the
# mount, "/path"), sorted by path:
#   A  added: no lower shows the path
#   C  changed: a lower shows it with other content or another type (and,
#      without --lower, every entry of the upper: added or changed)
#   M  metadata only: same type and content as the lower's (mode, owner or
#      mtime may differ; a copy-up that changed nothing is M too)
#   D  deleted: a whiteout; also, with --lower, each name of a lower
#      directory that an opaque directory of the upper hides
#   O  opaque directory: replaces a lower directory, its lower contents hidden
# Temporaries (`.wh..wh.` names other than the library's own files), of
# live operations or of killed ones, are not changes and not listed; those
# whose owner is dead are counted in a note on stderr (overlay-run removes
# them before and after each command: reclaim.sh).
# A directory that a lower shows with the same mode and owner is not listed
# (its changed entries are).  --json: an array of objects {"change", "path",
# "type", "metadata" (M: what differs), "note"}; a path that is not valid
# UTF-8 (JSON strings are Unicode) is given escaped, each byte that is not
# part of valid UTF-8 as the text \xNN and each backslash doubled, with
# "path_encoding": "escaped" in its record.  -z: each line ends with a NUL
# instead of a newline (as find -print0), for names holding newlines.
# Progress and the summary line on stderr: common.sh.
# shellcheck shell=bash disable=SC2034,SC2015,SC2185

SUB="diff"
# shellcheck disable=SC1091 # next to this file
. "${BASH_SOURCE[0]%/*}/reclaim.sh" || fatal "cannot load ${BASH_SOURCE[0]%/*}/reclaim.sh"

# lower_lookup P: sets LP to the real path of P in the view of the lowers
# (LOWERS, highest precedence first, with their own whiteouts and opaque
# markers) and succeeds, or fails when no lower shows P.
lower_lookup() {
	local p=$1 l q parent c rest block
	LP=''
	for l in "${LOWERS[@]}"; do
		q='' rest=$p block=0
		while :; do
			c=${rest%%/*} parent=$q q=${q:+$q/}$c
			# Does layer l hide q in the layers below it?
			[[ -e $l/${parent:+$parent/}.wh.$c || -e $l/${parent:+$parent/}.wh..wh..opq ]] && block=1
			if [[ $rest != */* ]]; then
				[[ -e $l/$q || -L $l/$q ]] && { LP=$l/$q; return 0; }
				break
			fi
			rest=${rest#*/}
			[[ -d $l/$q && ! -L $l/$q ]] && continue
			[[ -e $l/$q || -L $l/$q ]] && return 1 # a non-directory hides the rest
			break
		done
		((block)) && return 1
	done
	return 1
}

# split_info "Y<TAB>MODE<TAB>OWNER<TAB>SIZE<TAB>MTIME<TAB>TARGET": into F[0..5].
split_info() {
	local s=$1 k
	F=()
	for k in 1 2 3 4 5; do
		F+=("${s%%$'\t'*}")
		s=${s#*$'\t'}
	done
	F+=("$s")
}

# emit LETTER TYPE METADATA NOTE PATH: one line of the result.
emit() { printf '%s\t%s\t%s\t%s\t%s\0' "$@" >&4; }

# opaque_children P: D for each name a lower shows in directory P that the
# upper's opaque P hides (and does not have itself).
opaque_children() {
	local l n
	declare -A seen=()
	for l in "${LOWERS[@]}"; do
		[[ -d $l/$1 && ! -L $l/$1 ]] || continue
		while IFS= read -r -d '' n; do
			[[ -n ${seen[$n]+x} || -n ${UP[$1/$n]+x} ]] && continue
			seen[$n]=1
			lower_lookup "$1/$n" && emit D '' '' "hidden by the opaque directory" "$1/$n"
		done < <(find "$l/$1" -mindepth 1 -maxdepth 1 ! -name '.wh.*' -printf '%f\0')
	done
}

cmd_diff() {
	local upper='' json=0 nul=0 i rec info p b d y t opq n=0
	LOWERS=()
	while (($#)); do
		case $1 in
		--lower)
			(($# > 1)) && [[ -n $2 ]] || usage_error "option --lower needs a directory"
			LOWERS+=("$2")
			shift 2 ;;
		--lower=*)
			[[ -n ${1#*=} ]] || usage_error "option --lower needs a directory"
			LOWERS+=("${1#*=}")
			shift ;;
		--json) json=1; shift ;;
		-z | --null) nul=1; shift ;;
		-q | --quiet) QUIET=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--version) version; exit 0 ;;
		-*) usage_error "unknown option '$1' (try --help)" ;;
		*)
			set_upper "$1"
			shift ;;
		esac
	done
	[[ -n $upper ]] || usage_error "no upper given (try --help)"
	((json && nul)) && usage_error "--json and -z exclude each other (JSON escapes every name)"
	upper=$(need_dir upper "$upper") || exit
	for i in "${!LOWERS[@]}"; do
		LOWERS[i]=$(need_dir lower "${LOWERS[i]}") || exit
		inside "${LOWERS[i]}" "$upper" || inside "$upper" "${LOWERS[i]}" &&
			usage_error "lower '${LOWERS[i]}' and upper '$upper' overlap"
	done
	progress_start
	scratch
	list_upper "$upper"
	exec 4>"$W/out"

	# Pass 1: what can be told from the upper and the names in the lowers.
	local E_P=() E_LP=()
	progress_phase "$N_UP" read
	while IFS= read -r -d '' rec; do
		((PG_ON)) && progress $((++n))
		info=${rec%%$'\t'*} p=${rec#*$'\t'} b=${p##*/} y=${info%% *} d=''
		[[ $p == */* ]] && d=${p%/*}
		case $b in
		.wh..wh..opq) continue ;;
		.wh.*)
			t=${d:+$d/}${b#.wh.}
			[[ -n ${UP[$t]+x} ]] && continue # the name is back: its own line says how
			if ((${#LOWERS[@]})) && ! lower_lookup "$t"; then
				emit D '' '' "no lower has it" "$t"
			else
				emit D '' '' '' "$t"
			fi
			continue ;;
		esac
		# Opaque: a marker, or (OCI) a whiteout beside the directory.
		opq=0
		[[ $y == d && (-n ${UP[$p/.wh..wh..opq]+x} || -n ${UP[${d:+$d/}.wh.$b]+x}) ]] && opq=1
		if ((${#LOWERS[@]} == 0)); then
			if ((opq)); then emit O d '' '' "$p"; else emit C "$y" '' '' "$p"; fi
			continue
		fi
		if ! lower_lookup "$p"; then
			emit A "$y" '' '' "$p"
		elif ((opq)) && [[ -d $LP && ! -L $LP ]]; then
			emit O d '' '' "$p"
			opaque_children "$p"
		else
			E_P+=("$p") E_LP+=("$LP")
		fi
	done <"$W/up"

	# Pass 2: compare with the lower's objects (one find and one sha256sum
	# for all of them).
	if ((${#E_P[@]})); then
		local fmt='%y\t%m\t%U:%G\t%s\t%T@\t%l\0' U_I=() L_I=() H=() hash_list=() us F
		for p in "${E_P[@]}"; do printf '%s\0' "$upper/$p"; done >"$W/ulist"
		printf '%s\0' "${E_LP[@]}" >"$W/llist"
		find -files0-from "$W/ulist" -maxdepth 0 -printf "$fmt" >"$W/uinfo"
		find -files0-from "$W/llist" -maxdepth 0 -printf "$fmt" >"$W/linfo"
		mapfile -d '' U_I <"$W/uinfo"
		mapfile -d '' L_I <"$W/linfo"
		((${#U_I[@]} == ${#E_P[@]} && ${#L_I[@]} == ${#E_P[@]})) ||
			fatal "the upper or a lower changed while being read"
		# Regular files of the same size: compare their contents.
		for i in "${!E_P[@]}"; do
			split_info "${U_I[i]}"
			us=${F[0]}${F[3]}
			split_info "${L_I[i]}"
			[[ $us == "f${F[3]}" && ${F[0]} == f ]] || continue
			H[i]=${#hash_list[@]}
			hash_list+=("$upper/${E_P[i]}" "${E_LP[i]}")
		done
		local HS=()
		if ((${#hash_list[@]})); then
			printf '%s\0' "${hash_list[@]}" | xargs -0 sha256sum -z -- >"$W/hashes" ||
				fatal "cannot read the files to compare"
			mapfile -d '' HS <"$W/hashes"
		fi
		local uy um uo us ut ul ly lm lo ls lt ll meta
		progress_phase "${#E_P[@]}" compared
		for i in "${!E_P[@]}"; do
			((PG_ON)) && progress $((i + 1))
			p=${E_P[i]}
			split_info "${U_I[i]}"
			uy=${F[0]} um=${F[1]} uo=${F[2]} us=${F[3]} ut=${F[4]} ul=${F[5]}
			split_info "${L_I[i]}"
			ly=${F[0]} lm=${F[1]} lo=${F[2]} ls=${F[3]} lt=${F[4]} ll=${F[5]}
			if [[ $uy != "$ly" ]]; then
				emit C "$uy" '' "was a ${TYPE_NAME[$ly]:-$ly}" "$p"
				continue
			fi
			meta=''
			[[ $uy != l && $um != "$lm" ]] && meta+=" mode"
			[[ $uo != "$lo" ]] && meta+=" owner"
			[[ $uy != d && $ut != "$lt" ]] && meta+=" mtime"
			meta=${meta# }
			case $uy in
			d) [[ -z $meta ]] || emit M d "$meta" '' "$p" ;;
			f)
				if [[ -n ${H[i]+x} && ${HS[H[i]]:0:64} == "${HS[H[i]+1]:0:64}" ]]; then
					emit M f "$meta" '' "$p"
				else
					emit C f '' '' "$p"
				fi ;;
			l) if [[ $ul == "$ll" ]]; then emit M l "$meta" '' "$p"; else emit C l '' '' "$p"; fi ;;
			*) emit M "$uy" "$meta" '' "$p" ;;
			esac
		done
	fi

	# Temporaries (the library's, of live operations or of killed ones,
	# and overlay-run's working directories) are hidden from the view: no
	# change.  Those of killed processes are only named in a note: the
	# next overlay-run on the upper removes them (reclaim.sh).
	local dead=0
	while IFS= read -r -d '' rec; do
		p=${rec#*$'\t'}
		temp_owner "${p##*/}" && ! owner_alive "$OWNER_PID" "$OWNER_START" && dead=$((dead + 1))
	done <"$W/left"
	((dead)) && note "$dead leftover temporar$( ((dead == 1)) && echo y || echo ies) of killed processes, not changes (the next overlay-run on this upper removes them)"
	exec 4>&-

	# The result, sorted by path.  Bytes, not characters, from here on:
	# name_escape looks at each byte.
	LC_ALL=C
	# (A variable cannot hold a NUL: the line's format ends with it.)
	local letter type note sep='' line='%s /%s\n' changes
	changes=$(count "$W/out")
	((nul)) && line='%s /%s\0'
	((json)) && printf '['
	# The lines of the result on the terminal would break the progress
	# line: none then.
	local draw=$PG_ON
	[[ -t 1 ]] && draw=0 && progress_clear
	n=0
	progress_phase "$changes" written
	while IFS= read -r -d '' rec; do
		((draw)) && progress $((++n))
		letter=${rec%%$'\t'*} rec=${rec#*$'\t'}
		type=${rec%%$'\t'*} rec=${rec#*$'\t'}
		meta=${rec%%$'\t'*} rec=${rec#*$'\t'}
		note=${rec%%$'\t'*} p=${rec#*$'\t'}
		if ((!json)); then
			# shellcheck disable=SC2059 # the format is ours
			printf "$line" "$letter" "$p"
			continue
		fi
		if name_escape "/$p"; then
			json_str "$ES"
			printf '%s\n{"change": "%s", "path": %s' "$sep" "$letter" "$JS"
		else
			json_str "$ES"
			printf '%s\n{"change": "%s", "path": %s, "path_encoding": "escaped"' "$sep" "$letter" "$JS"
		fi
		sep=,
		[[ -n $type ]] && printf ', "type": "%s"' "${TYPE_NAME[$type]:-unknown}"
		if [[ $letter == M ]]; then
			printf ', "metadata": ['
			local m s2=''
			for m in $meta; do printf '%s"%s"' "$s2" "$m"; s2=', '; done
			printf ']'
		fi
		if [[ -n $note ]]; then
			json_str "$note"
			printf ', "note": %s' "$JS"
		fi
		printf '}'
	done < <(LC_ALL=C sort -z -t $'\t' -k 5 "$W/out")
	((json)) && printf '\n]\n'
	local pe
	plural "$N_UP" entry entries
	pe=$PL
	plural "$changes" change changes
	summary "$pe ($BYTES_UP bytes), $PL"
	return 0
}
