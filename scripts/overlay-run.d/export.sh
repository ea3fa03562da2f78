# overlay-run.d/export.sh: overlay-run export UPPER (-o FILE [--gzip] | --oci DIR [--tag T]) [--quiet]
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
# --oci DIR: an OCI image layout (image-spec image-layout.md) instead, that
# umoci and skopeo read, so that an upper travels as an image
# (`skopeo copy oci:DIR:T docker://...`): oci-layout, index.json naming the
# manifest by the tag T (org.opencontainers.image.ref.name, default
# "latest"), and in blobs/sha256/ the manifest, the image config (this
# machine's architecture, os linux, the layer's diff_id) and the gzipped
# layer.  No time stamps anywhere: the same upper gives the same digests.
# DIR must be new or empty; it appears complete (written beside it, then
# renamed).
# Progress (on a terminal) and the summary line: common.sh.
# shellcheck shell=bash disable=SC2034,SC2015

SUB="export"

# layer_tar: the entries named in $W/names, from UPPER, as a tar on stdout
# (and, with progress on, each name on fd 5: PG_TAR).
layer_tar() {
	tar --create --file=- --directory="$UPPER" --no-recursion --null \
		--verbatim-files-from --files-from="$W/names" --format=posix \
		--pax-option='exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime' \
		--numeric-owner --hard-dereference --xattrs --xattrs-include='user.*' --xattrs-exclude='user.overlay.*' \
		"${PG_TAR[@]}"
}

# write_layer FILE GZ: the layer into FILE, gzipped when GZ is 1; fails
# (saying why) when tar or gzip does.
write_layer() {
	layer_tar | if (($2)); then gzip -n; else cat; fi >"$1"
	local st=("${PIPESTATUS[@]}")
	((st[0] == 0 && st[1] == 0)) && return 0
	note "tar failed (status ${st[0]}) or gzip (status ${st[1]})"
	return 1
}

# oci_arch: this machine's architecture as the image config names it (Go's
# GOARCH names, which the OCI image spec uses).
oci_arch() {
	local m
	m=$(uname -m)
	case $m in
	x86_64) echo amd64 ;;
	aarch64 | arm64) echo arm64 ;;
	arm*) echo arm ;;
	i?86) echo 386 ;;
	*) echo "$m" ;; # ppc64le, s390x, riscv64: the same in both
	esac
}

# put_blob DIR TEXT: TEXT as a blob of the layout DIR; sets BD to its
# digest ("sha256:HEX") and BS to its size.
put_blob() {
	local f=$1/blobs/sha256/new h
	printf '%s' "$2" >"$f" && h=$(sha256sum <"$f") && BS=$(stat -c %s -- "$f") &&
		mv -f -- "$f" "$1/blobs/sha256/${h%% *}" || fatal "cannot write a blob in $1"
	BD=sha256:${h%% *}
}

# export_oci DIR TAG: the image layout (see the top).
export_oci() {
	local dir=$1 tag=$2 tmp=$1.tmp.$$ h diffid layer lsize arch
	OCI_TMP=$tmp # for the trap, after we return
	mkdir -p -- "$tmp/blobs/sha256" || fatal "cannot create $tmp"
	trap 'rm -rf -- "$W" "$OCI_TMP"' EXIT
	with_progress "$(count "$W/names")" written write_layer "$tmp/layer" 1 || fatal "cannot write the layer"
	# The digests: of the gzipped blob (the manifest's), and of the tar in
	# it (the config's diff_id).
	h=$(gzip -dc -- "$tmp/layer" | sha256sum) && diffid=sha256:${h%% *} &&
		h=$(sha256sum <"$tmp/layer") && layer=sha256:${h%% *} && lsize=$(stat -c %s -- "$tmp/layer") &&
		mv -- "$tmp/layer" "$tmp/blobs/sha256/${h%% *}" || fatal "cannot read back the layer"
	arch=$(oci_arch)
	put_blob "$tmp" '{"architecture":"'"$arch"'","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["'"$diffid"'"]}}'
	put_blob "$tmp" '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"'"$BD"'","size":'"$BS"'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"'"$layer"'","size":'"$lsize"'}]}'
	MANIFEST=$BD
	printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$tmp/oci-layout" &&
		printf '%s' '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"'"$BD"'","size":'"$BS"',"platform":{"architecture":"'"$arch"'","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"'"$tag"'"}}]}' >"$tmp/index.json" ||
		fatal "cannot write $tmp"
	# rename(2) replaces an empty directory.
	mv -T -- "$tmp" "$dir" || fatal "cannot rename $tmp to $dir"
	LAYER_BYTES=$lsize
}

cmd_export() {
	local out='' oci='' tag='' gz=0 rec tmp
	UPPER=''
	while (($#)); do
		case $1 in
		-o | --output | --oci | --tag)
			(($# > 1)) && [[ -n $2 ]] || usage_error "option $1 needs $([[ $1 == --oci ]] && echo a directory || { [[ $1 == --tag ]] && echo a tag; } || echo a file)"
			case $1 in
			--oci) oci=$2 ;;
			--tag) tag=$2 ;;
			*) out=$2 ;;
			esac
			shift 2 ;;
		-o?*) out=${1#-o}; shift ;;
		--output=*) out=${1#*=}; [[ -n $out ]] || usage_error "option --output needs a file"; shift ;;
		--oci=*) oci=${1#*=}; [[ -n $oci ]] || usage_error "option --oci needs a directory"; shift ;;
		--tag=*) tag=${1#*=}; [[ -n $tag ]] || usage_error "option --tag needs a tag"; shift ;;
		--gzip) gz=1; shift ;;
		-q | --quiet) QUIET=1; shift ;;
		-h | --help) usage; exit 0 ;;
		--version) version; exit 0 ;;
		-*) usage_error "unknown option '$1' (try --help)" ;;
		*)
			[[ -z $UPPER ]] || usage_error "more than one upper given ('$UPPER', '$1')"
			UPPER=$1
			shift ;;
		esac
	done
	[[ -n $UPPER ]] || usage_error "no upper given (try --help)"
	[[ -n $out && -n $oci ]] && usage_error "-o and --oci exclude each other"
	[[ -n $out || -n $oci ]] || usage_error "no -o FILE or --oci DIR given (try --help)"
	[[ -n $tag && -z $oci ]] && usage_error "--tag goes with --oci"
	UPPER=$(need_dir upper "$UPPER") || exit
	if [[ -n $oci ]]; then
		# The tag grammar of the image spec's ref.name is wide; this is
		# the one registries accept (docker's), which skopeo needs too.
		tag=${tag:-latest}
		[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ ]] ||
			usage_error "tag '$tag' is not [A-Za-z0-9_][A-Za-z0-9._-]* (at most 128 characters)"
		[[ -L $oci || (-e $oci && ! -d $oci) ]] && usage_error "--oci '$oci' exists and is not a directory"
		[[ -d $oci && -n $(find "$oci" -mindepth 1 -maxdepth 1 -print -quit) ]] &&
			usage_error "--oci directory '$oci' is not empty (export writes a new layout)"
		oci=$(realpath -m -- "$oci") || usage_error "cannot resolve --oci '$oci'"
		inside "$oci" "$UPPER" && usage_error "--oci directory '$oci' is inside the upper"
		inside "$UPPER" "$oci" && usage_error "the upper is inside the --oci directory '$oci'"
		[[ -d ${oci%/*}/ ]] || usage_error "no directory for --oci '$oci'"
	elif [[ $out != - ]]; then
		[[ -d $out ]] && usage_error "output '$out' is a directory"
		out=$(realpath -m -- "$out") || usage_error "cannot resolve output '$out'"
		inside "$out" "$UPPER" && usage_error "output '$out' is inside the upper"
		[[ -d ${out%/*}/ ]] || usage_error "no directory for output '$out'"
	fi
	command -v tar >/dev/null || fatal "GNU tar is needed"
	((gz == 0 && ${#oci} == 0)) || command -v gzip >/dev/null || fatal "gzip is needed for --gzip and --oci"

	progress_start
	scratch
	list_upper "$UPPER"
	while IFS= read -r -d '' rec; do
		note "skipped: leftover temporary /${rec#*$'\t'}"
	done <"$W/left"
	cut -z -f 2- -- "$W/up" | LC_ALL=C sort -z >"$W/names"
	local what
	plural "$N_UP" entry entries
	what="$PL ($BYTES_UP bytes)"

	if [[ -n $oci ]]; then
		export_oci "$oci" "$tag"
		summary "$what, layer $LAYER_BYTES bytes, image $oci:$tag (manifest $MANIFEST)"
		return 0
	fi
	# Into a temporary beside the output, renamed over it when complete.
	if [[ $out == - ]]; then tmp=/dev/stdout; else tmp=$out.tmp.$$; fi
	if ! with_progress "$N_UP" written write_layer "$tmp" "$gz"; then
		[[ $out == - ]] || rm -f -- "$tmp"
		fatal "cannot write the layer"
	fi
	if [[ $out == - ]]; then
		summary "$what, layer written to stdout"
	else
		mv -f -- "$tmp" "$out" || fatal "cannot write '$out'"
		summary "$what, layer $(stat -c %s -- "$out") bytes in $out"
	fi
}
