# overlay-run.d/apply.sh: overlay-run apply UPPER --to DIR [--force] [--quiet] [PATH]...
#
# Make the real directory DIR what the merged view showed: DIR with the
# upper's changes (all, or those under each PATH) applied, as the OCI layer
# rules say: a whiteout .wh.NAME deletes NAME, an opaque directory (marker
# .wh..wh..opq, or a whiteout beside the directory) loses whatever the upper
# does not have in it, every other entry of the upper is copied with its
# metadata (cp -a).  Hard links inside the upper are copied as separate files.
#
# How: deletions first (rm -rf); then the directories, created or given the
# upper's owner, mode and times by one tar pipe; then every other entry,
# copied by one tar pipe (owner, mode, times, xattrs, hard links among them
# kept) into a staging directory `.wh..wh.apply.PID` at the top of DIR (the
# same file system), and renamed into place with `mv -t`, a directory at a
# time; last, the directories' times again.  Regular files of DIR that
# already have the upper's type, mode, owner, size and mtime (to the
# nanosecond, as rsync's quick check) are taken as applied and not copied.
#
# Safety:
# - Each non-directory appears at its path by a rename(2), replacing what
#   was there: a reader never sees half a file.  Every step can be repeated:
#   after a failure (or a kill) the same command completes the job, and
#   removes the staging directory left behind.
# - The base check: the run recorded in the upper (.wh..wh.liboverlay.base)
#   the manifest of each lower (type, mode, owner, size and mtime of every
#   entry).  DIR is compared with the one recorded for DIR's path (or, when
#   DIR is not a recorded lower, the first lower): every entry of DIR must be
#   as recorded, or already as the upper makes it (a partly applied upper).
#   Otherwise nothing is done and the status is 2; --force skips the check.
#   An upper without a manifest (a run with --no-verify, or LD_PRELOAD by
#   hand) cannot be checked: apply says so and proceeds.
# Progress (on a terminal) and the summary line: entries of the upper
# applied, bytes copied, files found already in place (common.sh).
# shellcheck shell=bash disable=SC2034,SC2015

SUB=apply

# final_of P: sets FIN to what DIR's entry P is once the whole upper is
# applied: the upper's manifest record, ABSENT, or BASE (not changed).
final_of() {
	local q='' parent c rest=$1 opq=0 u
	while :; do
		c=${rest%%/*} parent=$q q=${q:+$q/}$c
		u=${UP[$q]-}
		if [[ -z $u ]]; then
			if ((opq)) || [[ -n ${UP[${parent:+$parent/}.wh.$c]+x} ]]; then FIN=ABSENT; else FIN=BASE; fi
			return
		fi
		if [[ $rest != */* ]]; then
			FIN=$u
			return
		fi
		rest=${rest#*/}
		[[ $u == d* ]] || { FIN=ABSENT; return; }
		opq=0
		[[ -n ${UP[$q/.wh..wh..opq]+x} || -n ${UP[${parent:+$parent/}.wh.$c]+x} ]] && opq=1
	done
}

# selected P: P is under one of the PATHs given (or none was given).
selected() {
	((${#SEL[@]})) || return 0
	local s
	for s in "${SEL[@]}"; do
		[[ $1 == "$s" || $1 == "$s"/* ]] && return 0
	done
	return 1
}

# base_section DIR: the recorded manifest of the lower DIR (else of the
# first lower) into $W/base, its path into BASE_FROM; fails without one.
base_section() {
	local f=$UPPER/$BASE_NAME hdr n path pos=2 start=0 cnt=0
	[[ -f $f ]] || return 1
	IFS= read -r -d '' hdr <"$f"
	[[ $hdr == "liboverlay-base 1" ]] || fatal "$f: not a base manifest this version reads"
	while IFS= read -r -d '' hdr < <(tail -z -n +"$pos" -- "$f"); do
		[[ $hdr == "lower "* ]] || fatal "$f: damaged base manifest"
		n=${hdr#lower } path=${hdr#*$'\t'}
		n=${n%%$'\t'*}
		if ((start == 0)) || [[ $path == "$1" && $BASE_FROM != "$1" ]]; then
			start=$((pos + 1)) cnt=$n BASE_FROM=$path
		fi
		pos=$((pos + 1 + n))
	done
	((start)) || return 1
	tail -z -n +"$start" -- "$f" | head -z -n "$cnt" >"$W/base"
}

# base_check DIR: refuse (status 2) unless DIR is as recorded, or as the
# upper makes it, entry by entry.
base_check() {
	local dir=$1 rec p cur bad=0
	BASE_FROM=''
	if ! base_section "$dir"; then
		note "no base manifest in the upper ($BASE_NAME: made with --no-verify or without overlay-run): '$dir' not checked"
		return 0
	fi
	manifest "$dir" -name '.wh..wh.apply.*' -prune -o >"$W/cur"
	comm -z -23 -- "$W/base" "$W/cur" >"$W/was"
	comm -z -13 -- "$W/base" "$W/cur" >"$W/now"
	[[ -s $W/was || -s $W/now ]] || return 0
	declare -A BR=() CR=() ALL=()
	while IFS= read -r -d '' rec; do
		p=${rec#*$'\t'}
		[[ -n $p ]] && BR[$p]=${rec%%$'\t'*} ALL[$p]=1
	done <"$W/was"
	while IFS= read -r -d '' rec; do
		p=${rec#*$'\t'}
		[[ -n $p ]] && CR[$p]=${rec%%$'\t'*} ALL[$p]=1
	done <"$W/now"
	for p in "${!ALL[@]}"; do
		final_of "$p"
		[[ $FIN == BASE ]] && FIN=${BR[$p]-ABSENT}
		cur=${CR[$p]-ABSENT}
		[[ $cur == "$FIN" ]] && continue
		if ((bad++ == 0)); then
			note "'$dir' is not in the state the upper was made over (base check: type, mode, owner, size and mtime of each entry against the manifest of '$BASE_FROM' in $BASE_NAME); differences:"
		fi
		((bad <= 20)) && note "  /$p: recorded '${BR[$p]-absent}', now '${cur/#ABSENT/absent}'"
	done
	((bad == 0)) && return 0
	((bad > 20)) && note "  ... and $((bad - 20)) more"
	note "refused: nothing applied (--force applies anyway)"
	exit 2
}

# copy_tree LIST TO: copy the upper's entries named in LIST (NUL-separated
# paths, parents first) into TO, with their metadata, by a tar pipe.
TAR_COPY=(--format=posix --numeric-owner --xattrs --xattrs-include='*' --xattrs-exclude='user.overlay.*' --no-recursion --null)
copy_tree() {
	tar -c -f - -C "$UPPER" "${TAR_COPY[@]}" "${PG_TAR[@]}" --verbatim-files-from -T "$1" |
		tar -x -p -f - -C "$2" "${TAR_COPY[@]}"
	local st=("${PIPESTATUS[@]}")
	((st[0] == 0 && st[1] == 0))
}

# move_batch: rename the staged entries of BATCH (paths relative to the
# staging directory, all in directory BATCH_DIR) into DIR.
move_batch() {
	((${#BATCH[@]})) || return 0
	mv -f -t "$DIR${BATCH_DIR:+/$BATCH_DIR}" -- "${BATCH[@]/#/$STAGE/}" || failed=1
	BATCH=()
}

cmd_apply() {
	local force=0 paths=() p rec info b d t s failed=0 q rest c
	UPPER='' DIR=''
	while (($#)); do
		case $1 in
		--to)
			(($# > 1)) && [[ -n $2 ]] || usage_error "option --to needs a directory"
			DIR=$2
			shift 2 ;;
		--to=*) DIR=${1#*=}; [[ -n $DIR ]] || usage_error "option --to needs a directory"; shift ;;
		--force) force=1; shift ;;
		-q | --quiet) QUIET=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--version) version; exit 0 ;;
		--) shift; paths+=("$@"); break ;;
		-*) usage_error "unknown option '$1' (try --help)" ;;
		*)
			if [[ -z $UPPER ]]; then UPPER=$1; else paths+=("$1"); fi
			shift ;;
		esac
	done
	[[ -n $UPPER ]] || usage_error "no upper given (try --help)"
	[[ -n $DIR ]] || usage_error "no --to DIR given (try --help)"
	UPPER=$(need_dir upper "$UPPER") || exit
	DIR=$(need_dir "target directory" "$DIR") || exit
	inside "$DIR" "$UPPER" || inside "$UPPER" "$DIR" && usage_error "upper '$UPPER' and target '$DIR' overlap"
	SEL=()
	for p in "${paths[@]}"; do
		norm_path "$p"
		[[ -z $NP ]] && { SEL=(); break; }
		SEL+=("$NP")
	done

	progress_start
	scratch
	list_upper "$UPPER"
	while IFS= read -r -d '' rec; do
		note "skipped: leftover temporary /${rec#*$'\t'} in the upper"
	done <"$W/left"

	# Each PATH must be something the upper changes.
	for s in "${SEL[@]}"; do
		final_of "$s"
		[[ $FIN != BASE ]] && continue
		for p in "${!UP[@]}"; do [[ $p == "$s"/* ]] && continue 2; done
		usage_error "the upper changes nothing at or under /$s"
	done

	((force)) || base_check "$DIR"
	find "$DIR" -maxdepth 1 -name '.wh..wh.apply.*' -exec rm -rf -- {} + || fatal "cannot remove what an earlier apply left in '$DIR'"

	# 1. Deletions: what whiteouts delete, whatever the upper does not have
	#    in an opaque directory, and each PATH that the upper deletes.
	: >"$W/del"
	for s in "${SEL[@]}"; do
		final_of "$s"
		[[ $FIN == ABSENT ]] && printf '%s\0' "$DIR/$s" >>"$W/del"
	done
	local opaque=() n=0
	progress_phase "$N_UP" read
	while IFS= read -r -d '' rec; do
		((PG_ON)) && progress $((++n))
		p=${rec#*$'\t'} b=${p##*/} d=''
		[[ $p == */* ]] && d=${p%/*}
		case $b in
		.wh..wh..opq) [[ -n $d ]] && opaque+=("$d") ;; # none at the top: nobody removes the mount
		.wh.*)
			t=${d:+$d/}${b#.wh.}
			selected "$t" && printf '%s\0' "$DIR/$t" >>"$W/del" ;;
		esac
	done <"$W/up"
	xargs -0 -r rm -rf -- <"$W/del" || failed=1
	: >"$W/del"
	for d in "${opaque[@]}"; do
		local roots=()
		if selected "$d"; then
			roots=("$d")
		else
			for s in "${SEL[@]}"; do [[ $s == "$d"/* ]] && roots+=("$s"); done
		fi
		for s in "${roots[@]}"; do
			[[ -d $DIR/$s && ! -L $DIR/$s ]] || continue
			while IFS= read -r -d '' p; do
				p=$s${p:+/$p}
				[[ $p == "$d" ]] && continue
				final_of "$p"
				[[ $FIN == ABSENT ]] && printf '%s\0' "$DIR/$p" >>"$W/del"
			done < <(find "$DIR/$s" -name '.wh..wh.apply.*' -prune -o -printf '%P\0')
		done
	done
	xargs -0 -r rm -rf -- <"$W/del" || failed=1

	# What to copy: the directories (those leading to each PATH, then the
	# upper's), and the other entries, less the regular files already there.
	declare -A SAME=()
	manifest "$DIR" -name '.wh..wh.apply.*' -prune -o >"$W/dirnow"
	while IFS= read -r -d '' rec; do
		[[ $rec == f* ]] && SAME[${rec#*$'\t'}]=1
	done < <(LC_ALL=C sort -z -- "$W/up" | comm -z -12 - "$W/dirnow")
	: >"$W/dirs"
	: >"$W/files"
	for s in "${SEL[@]}"; do
		q='' rest=$s
		while [[ $rest == */* ]]; do
			c=${rest%%/*} rest=${rest#*/} q=${q:+$q/}$c
			[[ -d $DIR/$q && ! -L $DIR/$q ]] && continue
			[[ ${UP[$q]-} == d* ]] || fatal "cannot apply /$s: /$q is no directory in '$DIR', nor in the upper"
			printf '%s\0' "$q" >>"$W/dirs"
		done
	done
	# Counted for the summary: the entries applied (a whiteout or a marker
	# counts where PATHs select what it deletes), the files copied and
	# their bytes, the files already in place.
	local entries=0 ncopy=0 bytes=0 nsame=0 sz
	n=0
	progress_phase "$N_UP" planned
	while IFS= read -r -d '' rec; do
		((PG_ON)) && progress $((++n))
		info=${rec%%$'\t'*} p=${rec#*$'\t'} b=${p##*/}
		if [[ $b == .wh.* ]]; then
			d=''
			[[ $p == */* ]] && d=${p%/*}
			[[ $b == .wh..wh..opq ]] && t=$d || t=${d:+$d/}${b#.wh.}
			selected "$t" && entries=$((entries + 1))
			continue
		fi
		selected "$p" || continue
		entries=$((entries + 1))
		t=$DIR/$p
		if [[ $info == d* ]]; then
			# A non-directory (or a symlink) where the upper has a directory.
			if [[ -L $t || (-e $t && ! -d $t) ]]; then rm -f -- "$t" || failed=1; fi
			printf '%s\0' "$p" >>"$W/dirs"
		else
			[[ $info == f* && -n ${SAME[$p]+x} ]] && { nsame=$((nsame + 1)); continue; }
			if [[ -d $t && ! -L $t ]]; then rm -rf -- "$t" || failed=1; fi
			printf '%s\0' "$p" >>"$W/files"
			ncopy=$((ncopy + 1))
			[[ $info == f* ]] && sz=${info#* * * } && bytes=$((bytes + ${sz%% *}))
		fi
	done <"$W/up"

	# 2. The directories, with their owner and mode (and, until the end,
	#    writable by their owner).
	local ndirs
	ndirs=$(count "$W/dirs")
	if [[ -s $W/dirs ]]; then
		with_progress "$ndirs" "directories made" copy_tree "$W/dirs" "$DIR" || { note "cannot make the directories"; failed=1; }
		if ((EUID != 0)); then
			while IFS= read -r -d '' p; do
				[[ -w $DIR/$p && -x $DIR/$p ]] || chmod u+rwx -- "$DIR/$p" || failed=1
			done <"$W/dirs"
		fi
	fi
	((failed == 0)) || fatal "not complete: fix the problem above and run the same apply again"

	# 3. The other entries: staged, then renamed into place.
	if [[ -s $W/files ]]; then
		STAGE=$DIR/.wh..wh.apply.$$
		mkdir -- "$STAGE" && with_progress "$ncopy" copied copy_tree "$W/files" "$STAGE" ||
			fatal "cannot stage the files in $STAGE; run the same apply again"
		BATCH=() BATCH_DIR=''
		n=0
		progress_phase "$ncopy" "moved into place"
		while IFS= read -r -d '' p; do
			((PG_ON)) && progress $((++n))
			d=''
			[[ $p == */* ]] && d=${p%/*}
			[[ $d == "$BATCH_DIR" ]] || move_batch
			BATCH_DIR=$d
			BATCH+=("$p")
		done <"$W/files"
		move_batch
		rm -rf -- "$STAGE"
	fi

	# 4. The directories' mode and times, now that their entries are in.
	if [[ -s $W/dirs ]]; then
		with_progress "$ndirs" "directory times set" copy_tree "$W/dirs" "$DIR" || { note "cannot set the directories' times"; failed=1; }
	fi

	((failed == 0)) || fatal "not complete: fix the problem above and run the same apply again"
	plural "$entries" entry entries
	summary "$PL, $ncopy copied ($bytes bytes), $nsame already in place"
	return 0
}
