#!/usr/bin/env bash
# bench/run.sh: the liboverlay benchmark (issue 3, "The benchmark").
#
#   bench/run.sh [--markdown] [WORKLOAD]...      (or: make bench)
#
# Runs every workload under every variant (native, the library, the kernel's
# overlayfs, fuse-overlayfs), interleaved, each run on a fresh upper, and
# prints one table of median wall seconds with ratios to native and to the
# kernel.  --markdown prints the same table as Markdown (for the README).
# Naming workloads runs only those; the ids are lstat misses find ls make
# lstrace gitstatus gitcommit copyup sparse rm exec configure slstat gobuild
# statout
# (slstat and gobuild: programs the supervisor serves).
#
# Environment:
#   QUICK=1         3 runs and small sizes: about 70 s here (2 cores), 2 min
#                   with fuse-overlayfs installed; the full run about 6 min
#   RUNS=N          runs per cell (default 5, QUICK 3)
#   VARIANTS="..."  a subset of: native lib base kernel fuse proot (proot:
#                   only when named; apt-get install proot)
#   OVERLAY_LIB     the library (default build/liboverlay.so)
#   OVERLAY_BASE_LIB  another build of the library, the "base" variant, run
#                   interleaved with lib (a column and the ratio lib/base):
#                   a change's cost in one run, e.g. the build of main in a
#                   worktree (make B=/tmp/base lib); off when unset
#   BENCH_TIMEOUT   seconds allowed for one run (default 300, QUICK 60)
#   BENCH_KEEP=1    keep the work dir under ${TMPDIR:-/tmp} for inspection
#
# Every input is generated here from fixed names and contents; the work dir
# is removed at exit.  The helpers bench/statwalk.c and bench/spawn.c are
# built into build/bench/, where the last tables are also saved
# (results.txt, results.md).
#
# The kernel column needs root (mount -t overlay).  The fuse column needs the
# fuse-overlayfs binary and /dev/fuse: `apt-get install fuse-overlayfs`
# enables it.  This script installs nothing; it says what it skipped.

set -u -o pipefail
export LC_ALL=C

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
HB=$ROOT/build/bench                    # helper binaries and saved tables
export OVERLAY_LIB=${OVERLAY_LIB:-$ROOT/build/liboverlay.so}

MARKDOWN=0
ONLY=()
for a in "$@"; do
	case $a in
	--markdown) MARKDOWN=1 ;;
	-h | --help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
	-*) echo "run.sh: unknown option $a" >&2; exit 2 ;;
	*) ONLY+=("$a") ;;
	esac
done

# ---------------------------------------------------------------- sizes

QUICK=${QUICK:-0}
[[ $QUICK == 0 ]] && QUICK=
if [[ -n $QUICK ]]; then
	RUNS=${RUNS:-3}
	TREE_TOP=10 TREE_SUB=5     # 10 x 5 dirs x 100 files = 5,000
	NPROJ=60 NREPO=1000 NBIG=50 NEXEC=300 NLOOP=200000
	TIMEOUT=${BENCH_TIMEOUT:-60}
else
	RUNS=${RUNS:-5}
	TREE_TOP=20 TREE_SUB=10    # 20 x 10 dirs x 100 files = 20,000
	NPROJ=300 NREPO=5000 NBIG=200 NEXEC=1000 NLOOP=1000000
	TIMEOUT=${BENCH_TIMEOUT:-300}
fi
TREE_FILES=100
NTREE=$((TREE_TOP * TREE_SUB * TREE_FILES))
NMISS=$NTREE
MIB=1048576

# ------------------------------------------------------------- variants
# The one place that defines the variants.  Each has:
#   probe_V          sets NA[V] to a reason when V cannot run here
#   setup_V DS RW    prepares a fresh instance of dataset DS; sets DIR (the
#                    merged tree, where the command runs), UPPER (where the
#                    writes land) and PREFIX (the command prefix)
#   teardown_V       undoes setup_V

ALL_VARIANTS=(native lib base kernel fuse proot)
declare -A NA=()
RUN=                                    # scratch dir of the current run

probe_native() { :; }
setup_native() { # Native: a plain writable copy of lower + seed.
	local ds=$1 rw=$2
	if ((rw)); then
		DIR=$RUN/native
		native_copy "$ds" "$DIR" || return 1
	else                            # read-only workloads share one copy
		DIR=$WORK/ds/$ds/native
		[[ -d $DIR ]] || native_copy "$ds" "$DIR" || return 1
	fi
	UPPER=$DIR PREFIX=()
}
teardown_native() { :; }

probe_lib() {
	[[ -f $OVERLAY_LIB ]] || { NA[lib]="$OVERLAY_LIB not found (run make)"; return; }
	local p=$WORK/probe/lib out
	mkdir -p "$p/lower" "$p/upper" && echo probe-ok >"$p/lower/f"
	setup_lib_prefix "$p/upper" "$p/lower"
	out=$(timeout -k 5 30 "${PREFIX[@]}" bash -c 'cd -- "$1" && cat f' _ "$p/lower" 2>&1)
	[[ $out == probe-ok ]] || NA[lib]="smoke test failed (cat of a lower file under the library): ${out:0:200}"
}
setup_lib_prefix() { # upper lower
	if [[ -x $ROOT/scripts/overlay-run ]]; then
		PREFIX=("$ROOT/scripts/overlay-run" --upper "$1" --lower "$2" --)
	else                            # before the wrapper existed: in place by hand
		PREFIX=(env "LD_PRELOAD=$OVERLAY_LIB" "OVERLAY_UPPER=$1" "OVERLAY_LOWER=$2")
	fi
}
setup_lib() { # In place: the mount point is the lower itself.
	fresh_upper "$1" || return 1
	DIR=$WORK/ds/$1/lower UPPER=$RUN/upper
	setup_lib_prefix "$UPPER" "$DIR"
}
teardown_lib() { :; }

# base: the same as lib with another build of the library (OVERLAY_BASE_LIB)
probe_base() {
	[[ -n ${OVERLAY_BASE_LIB:-} ]] || { NA[base]="OVERLAY_BASE_LIB is not set"; return; }
	[[ -f $OVERLAY_BASE_LIB ]] || { NA[base]="$OVERLAY_BASE_LIB not found"; return; }
}
setup_base() {
	setup_lib "$@" || return 1
	PREFIX=(env "OVERLAY_LIB=$OVERLAY_BASE_LIB" "${PREFIX[@]}")
}
teardown_base() { :; }

probe_kernel() {
	((EUID == 0)) || { NA[kernel]="needs root to mount -t overlay"; return; }
	local p=$WORK/probe/kernel err
	mkdir -p "$p"/{l,u,w,m}
	if ! err=$(mount -t overlay overlay -o "lowerdir=$p/l,upperdir=$p/u,workdir=$p/w" "$p/m" 2>&1); then
		NA[kernel]="mount -t overlay failed: ${err:-no message}"
		return
	fi
	umount "$p/m"
}
setup_kernel() {
	fresh_upper "$1" || return 1
	mkdir -p "$RUN/work" "$RUN/mnt"
	mount -t overlay overlay -o "lowerdir=$WORK/ds/$1/lower,upperdir=$RUN/upper,workdir=$RUN/work" \
		"$RUN/mnt" 2>"$RUN/setup.err" || return 1
	DIR=$RUN/mnt UPPER=$RUN/upper PREFIX=()
}
teardown_kernel() { unmount "$RUN/mnt"; }

probe_fuse() {
	command -v fuse-overlayfs >/dev/null ||
		{ NA[fuse]="fuse-overlayfs not installed (apt-get install fuse-overlayfs enables this column)"; return; }
	[[ -c /dev/fuse ]] && { : <>/dev/fuse; } 2>/dev/null ||
		{ NA[fuse]="/dev/fuse missing or not usable"; return; }
	local p=$WORK/probe/fuse err
	mkdir -p "$p"/{l,u,w,m}
	if ! err=$(fuse-overlayfs -o "lowerdir=$p/l,upperdir=$p/u,workdir=$p/w" "$p/m" 2>&1); then
		NA[fuse]="fuse-overlayfs mount failed: ${err:-no message}"
		return
	fi
	unmount "$p/m"
}
setup_fuse() {
	fresh_upper "$1" || return 1
	mkdir -p "$RUN/work" "$RUN/mnt"
	fuse-overlayfs -o "lowerdir=$WORK/ds/$1/lower,upperdir=$RUN/upper,workdir=$RUN/work" \
		"$RUN/mnt" 2>"$RUN/setup.err" || return 1
	DIR=$RUN/mnt UPPER=$RUN/upper PREFIX=()
}
teardown_fuse() { unmount "$RUN/mnt"; }

# proot: no overlay of its own; the native copy under proot's ptrace, for
# the cost of tracing every system call (the nearest peer of the
# supervisor, which serves static and Go programs).
probe_proot() {
	command -v proot >/dev/null ||
		{ NA[proot]="proot not installed (apt-get install proot enables this column)"; return; }
	local out
	out=$(timeout -k 5 30 proot true 2>&1) || NA[proot]="proot true failed: ${out:0:200}"
}
setup_proot() {
	setup_native "$@" || return 1
	PREFIX=(proot)
}
teardown_proot() { :; }

# A fresh upper: a copy of the dataset's seed (the upper's part of merged
# directories), or empty.
fresh_upper() {
	mkdir -p "$RUN/upper" || return 1
	[[ ! -d $WORK/ds/$1/seed ]] || cp -a "$WORK/ds/$1/seed/." "$RUN/upper/"
}

native_copy() { # ds dest: lower + seed merged by hand, then per-dataset prep
	cp -a "$WORK/ds/$1/lower" "$2" || return 1
	[[ ! -d $WORK/ds/$1/seed ]] || cp -a "$WORK/ds/$1/seed/." "$2/" || return 1
	if declare -F "native_prep_$1" >/dev/null; then "native_prep_$1" "$2"; fi
}

unmount() {
	local i
	for i in 1 2 3 4 5; do
		mountpoint -q "$1" || return 0
		if command -v fusermount >/dev/null && fusermount -u "$1" 2>/dev/null; then return 0; fi
		umount "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	umount -l "$1" 2>/dev/null
}

# ------------------------------------------------------------- datasets
# Each dataset DS is $WORK/ds/DS/lower (the lower, and the mount root), an
# optional $WORK/ds/DS/seed (what the upper holds before the command runs),
# and $WORK/ds/DS/native (the merged copy for read-only workloads, made on
# first use).  Everything is made from fixed names and contents.

gen_tree() { # NTREE files, some directories in both layers
	local L=$WORK/ds/tree/lower S=$WORK/ds/tree/seed t s f d x
	for ((t = 0; t < TREE_TOP; t++)); do
		for ((s = 0; s < TREE_SUB; s++)); do
			printf -v d 'tree/d%02d/s%02d' "$t" "$s"
			mkdir -p "$L/$d"
			for ((f = 0; f < TREE_FILES; f++)); do
				printf -v x 'f%03d.c' "$f"
				printf 'int v_%d_%d_%d = %d;\n' "$t" "$s" "$f" $((t * s + f)) >"$L/$d/$x"
			done
			ln -s f000.c "$L/$d/link"
			# The upper holds a quarter of the directories too: five
			# extra files and a newer copy of f001.c each.
			if ((t < TREE_TOP / 4 && s < TREE_SUB / 2)); then
				mkdir -p "$S/$d"
				for x in 0 1 2 3 4; do echo "extra $x" >"$S/$d/extra$x.txt"; done
				echo 'int upper_version = 1;' >"$S/$d/f001.c"
			fi
		done
	done
	(cd "$L" && find tree | sort) >"$WORK/lists/hits"
	# Misses: names in existing directories (as a compiler's include
	# search does), present in no layer.
	local dirs=() i
	mapfile -t dirs < <(cd "$L" && find tree -mindepth 2 -type d | sort)
	for ((i = 0; i < NMISS; i++)); do
		printf '%s/nothere%05d.h\n' "${dirs[i % ${#dirs[@]}]}" "$i"
	done >"$WORK/lists/misses"
}

gen_proj() { # a C project of NPROJ sources: main.c and NPROJ-1 units
	local P=$WORK/ds/proj/lower/proj i u n=$((NPROJ - 1))
	mkdir -p "$P"/{src,include,inc1,inc2}
	echo '/* unused */' >"$P/inc1/one.h"
	echo '/* unused */' >"$P/inc2/two.h"
	cat >"$P/Makefile" <<'EOF'
# -Iinc1 -Iinc2 make every system header a few misses first, as in real builds.
CFLAGS = -O1 -Iinc1 -Iinc2 -Iinclude
SRC := $(sort $(wildcard src/*.c))
OBJ := $(SRC:src/%.c=obj/%.o)

prog: $(OBJ)
	$(CC) -o $@ $(OBJ)

obj/%.o: src/%.c include/common.h | obj
	$(CC) $(CFLAGS) -c -o $@ $<

obj:
	mkdir -p obj
EOF
	{
		echo '#ifndef COMMON_H'
		echo '#define COMMON_H'
		for ((i = 0; i < n; i++)); do printf 'int unit_%03d(int x);\n' "$i"; done
		echo '#endif'
	} >"$P/include/common.h"
	for ((i = 0; i < n; i++)); do
		printf -v u 'unit_%03d' "$i"
		cat >"$P/src/$u.c" <<EOF
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

static const int table[8] = { $i, $((i + 1)), $((i * 3)), 7, $((i % 5)), 11, $((i * i % 97)), 13 };

int $u(int x)
{
	int s = 0;
	for (int i = 0; i < 8; i++)
		s += table[i] * (x + i) % $((i + 7));
	return s;
}
EOF
	done
	{
		echo '#include <stdio.h>'
		echo '#include "common.h"'
		echo 'int main(void)'
		echo '{'
		echo '	long sum = 0;'
		echo '	for (int x = 0; x < 10; x++) {'
		for ((i = 0; i < n; i++)); do printf '\t\tsum += unit_%03d(x);\n' "$i"; done
		echo '	}'
		echo '	printf("sum %ld\n", sum);'
		echo '	return 0;'
		echo '}'
	} >"$P/src/main.c"
}

gen_repo() { # a git repository of NREPO files: committed, modified, untracked
	local R=$WORK/ds/repo/lower/repo d f i path
	mkdir -p "$R"
	# Fixed mtimes, set before `git add`, so that no index entry is racily
	# clean and a clean `git status` writes nothing.
	write_repo_file() { printf 'file %s\nline two of %s\n%s\n' "$1" "$1" "$2" >"$R/$1"; }
	for ((d = 0; d < NREPO / 100; d++)); do
		mkdir -p "$R/$(printf 'pkg%02d' "$d")"
		for ((f = 0; f < 100; f++)); do
			((f % 20 == 19)) && continue                    # untracked later
			printf -v path 'pkg%02d/f%03d.txt' "$d" "$f"
			write_repo_file "$path" "$((d * f))"
		done
	done
	(
		cd "$R" || exit 1
		touch -d @1700000000 pkg*/*
		git init -q -b main && git config gc.auto 0 &&
			git add -A && git commit -q -m initial && git repack -adq
	) || return 1
	for ((d = 0; d < NREPO / 100; d++)); do
		for ((f = 0; f < 100; f++)); do
			printf -v path 'pkg%02d/f%03d.txt' "$d" "$f"
			if ((f % 20 == 19)); then
				write_repo_file "$path" new                     # untracked
			elif ((f % 50 == 7)); then
				echo changed >>"$R/$path"                       # modified
			else
				continue
			fi
			touch -d @1700000000 "$R/$path"
		done
	done
	git -C "$R" update-index -q --refresh >/dev/null 2>&1
	return 0
}
# The copy has new inode numbers and ctimes: refresh its index untimed, as
# the checkout it stands for would have.
native_prep_repo() { git -C "$1/repo" update-index -q --refresh >/dev/null 2>&1; return 0; }

gen_block() { # $WORK/block: 1 MiB of non-zero data
	[[ -f $WORK/block ]] || { yes 'liboverlay benchmark data block' | head -c $MIB >"$WORK/block"; } 2>/dev/null
}

gen_big() { # NBIG files of 1 MiB
	local B=$WORK/ds/big/lower/big i
	mkdir -p "$B"
	gen_block
	for ((i = 0; i < NBIG; i++)); do
		{ printf '%07d\n' "$i"; head -c $((MIB - 8)) "$WORK/block"; } >"$B/$(printf 'f%03d' "$i")"
	done
}

gen_sparse() { # one 1 GiB sparse file with five 4 KiB data blocks
	local F=$WORK/ds/sparse/lower/sparse.img blk
	mkdir -p "${F%/*}"
	gen_block
	truncate -s 1G "$F"
	for blk in 0 65536 131072 196608 262143; do
		dd if="$WORK/block" of="$F" bs=4096 count=1 seek="$blk" conv=notrunc status=none
	done
}

gen_gomod() { # a Go module of three packages (go build in the lower)
	local G=$WORK/ds/gomod/lower/gomod p
	mkdir -p "$G"
	printf 'module example.com/bench\n\ngo 1.19\n' >"$G/go.mod"
	for p in alpha beta gamma; do
		mkdir -p "$G/$p"
		printf 'package %s\n\nimport "strings"\n\nfunc Name() string { return strings.ToUpper("%s") }\n' "$p" "$p" >"$G/$p/$p.go"
	done
	printf 'package main\n\nimport (\n\t"fmt"\n\t"example.com/bench/alpha"\n\t"example.com/bench/beta"\n\t"example.com/bench/gamma"\n)\n\nfunc main() { fmt.Println(alpha.Name(), beta.Name(), gamma.Name()) }\n' >"$G/main.go"
	# warm the cache once, untimed (in a copy: the lower must not change)
	cp -a "$G" "$WORK/gowarm" &&
		(cd "$WORK/gowarm" && GOCACHE=$BENCH_GOCACHE GOFLAGS=-trimpath GOTOOLCHAIN=local GOPROXY=off go build -o prog .) &&
		rm -rf "$WORK/gowarm"
}

gen_conf() { # an autotools project: a ./configure of about 110 checks (autoconf, untimed)
	local C=$WORK/ds/conf/lower/conf i hdrs=() fns=()
	mkdir -p "$C"
	hdrs=(stdio.h stdlib.h string.h strings.h unistd.h fcntl.h errno.h limits.h
		stdint.h inttypes.h sys/types.h sys/stat.h sys/time.h sys/wait.h
		sys/mman.h sys/socket.h sys/ioctl.h sys/select.h sys/param.h
		sys/resource.h netinet/in.h arpa/inet.h netdb.h poll.h pthread.h
		signal.h termios.h locale.h langinfo.h wchar.h wctype.h dlfcn.h
		dirent.h pwd.h grp.h utime.h sched.h semaphore.h nonexistent1.h nonexistent2.h)
	fns=(memcpy memmove strdup strndup strerror strsignal snprintf vsnprintf
		asprintf getline getdelim realpath readlink symlink lstat fchmod
		fchown ftruncate fsync fdatasync mmap munmap mkstemp mkdtemp pipe2
		dup3 poll select setenv unsetenv clock_gettime gettimeofday nanosleep
		sigaction sigprocmask fork vfork waitpid posix_spawn getpwnam getgrnam
		setlocale nl_langinfo wcwidth iconv_open dlopen pthread_create
		sched_yield openat fstatat unlinkat renameat2 utimensat futimens
		no_such_function_1 no_such_function_2)
	{
		echo 'AC_INIT([bench], [1.0])'
		echo 'AC_CONFIG_HEADERS([config.h])'
		echo 'AC_PROG_CC'
		echo "AC_CHECK_HEADERS([${hdrs[*]}])"
		echo "AC_CHECK_FUNCS([${fns[*]}])"
		for i in int long 'long long' 'void *' size_t off_t; do echo "AC_CHECK_SIZEOF([$i])"; done
		echo 'AC_SEARCH_LIBS([cos], [m])'
		echo 'AC_CONFIG_FILES([Makefile])'
		echo 'AC_OUTPUT'
	} >"$C/configure.ac"
	printf 'all:\n\t@echo @PACKAGE_NAME@ @CC@\n' >"$C/Makefile.in"
	(cd "$C" && autoheader && autoconf && rm -rf autom4te.cache)
}

gen_misc() { # a near-empty lower for the exec and pass-through loops
	mkdir -p "$WORK/ds/misc/lower" "$WORK/outside"
	echo hello >"$WORK/ds/misc/lower/hello"
	echo outside >"$WORK/outside/file"
}

# ------------------------------------------------------------ workloads
# wl ID DATASET RW LABEL GOAL TIMED [CHECK [POST]]
#   RW     1 when the command writes (native then needs a fresh copy a run)
#   GOAL   issue 3's goal for the library: nat:R (ratio to native),
#          ker:R (ratio to kernel), sec:S (seconds), pct:P (% over native),
#          ns:N / kb:K (over native, for the metric rows), or empty
#   TIMED  bash run in the merged tree; only this part is timed
#   CHECK  bash run afterwards, untimed, in the same process: its output and
#          TIMED's must equal native's, or the cell is FAIL
#   POST   bash run by the harness after the run, with $UPPER: output
#          "key value" lines that are kept as metrics
# Metric rows (ID:KEY) show the median of a metric that a workload wrote.

WL=()
declare -A W_DS W_RW W_LABEL W_GOAL W_TIMED W_CHECK W_POST
declare -A W_NEEDS=([make]="make cc" [gitstatus]=git [gitcommit]=git [gobuild]=go [configure]="autoconf cc")  # tools beyond coreutils
wl() {
	WL+=("$1")
	W_DS[$1]=$2 W_RW[$1]=$3 W_LABEL[$1]=$4 W_GOAL[$1]=$5 W_TIMED[$1]=$6 W_CHECK[$1]=${7:-} W_POST[$1]=${8:-}
}

define_workloads() {
	local cpgoal
	cpgoal=$(awk -v n="$NBIG" 'BEGIN { printf "%.3g", 0.10 * n / 200 }')
	wl lstat tree 0 "lstat $NTREE lower hits x5" nat:1.10 \
		'"$BENCH_H/statwalk" -l -n 5 -m "$BENCH_METRICS" "$BENCH_LISTS/hits"'
	wl misses tree 0 "stat $NMISS misses" nat:1.00 \
		'"$BENCH_H/statwalk" "$BENCH_LISTS/misses"'
	wl find tree 0 "find -type f | wc -l" nat:1.10 \
		'find tree -type f | wc -l' \
		'find tree | sort | cksum'
	wl ls tree 0 "ls -laR" nat:1.10 \
		'ls -laR tree >/dev/null' \
		'ls -aR tree | cksum'
	# the cost of tracing: the row above with OVERLAY_TRACE on (a line per
	# stat and listing, written outside every layer)
	wl lstrace tree 0 "ls -laR, OVERLAY_TRACE on" '' \
		't="${BENCH_OUTSIDE%/*}/trace.$$"; OVERLAY_TRACE=$t ls -laR tree >/dev/null; rm -f "$t"'
	wl make proj 1 "make -j2, $NPROJ C files" nat:1.02 \
		'make -s -j2 --no-print-directory -C proj' \
		'proj/prog'
	wl gitstatus repo 1 "git status, $NREPO files" nat:1.10 \
		'git -C repo status'
	wl gitcommit repo 1 "git add -A && git commit" nat:1.10 \
		'git -C repo add -A && git -C repo commit -q -m x' \
		'git -C repo rev-parse HEAD && git -C repo status --porcelain | wc -l'
	wl copyup big 1 "copy-up $NBIG x 1 MiB (s)" "sec:$cpgoal" \
		'rc=0; for f in big/f*; do printf x >>"$f" || rc=1; done; [[ $rc == 0 ]]' \
		'cat big/f* | cksum'
	wl sparse sparse 1 "copy-up 1 GiB sparse (s)" sec:0.2 \
		'printf x >>sparse.img' \
		'stat -c %s sparse.img; tail -c 4097 sparse.img | cksum; dd if=sparse.img bs=4096 skip=131072 count=1 status=none | cksum' \
		'echo "alloc_kb $(du -k "$UPPER/sparse.img" | cut -f1)"'
	wl rm tree 1 "rm -rf merged tree ($NTREE)" ker:1.5 \
		'rm -rf tree' \
		'ls -A; [[ ! -e tree ]] && echo gone'
	wl exec misc 0 "exec /bin/true x $NEXEC" pct:5 \
		"\"\$BENCH_H/spawn\" $NEXEC /bin/true"
	# start-up in bulk: hundreds of short processes (sh, cc, sed, rm),
	# each probing a few names in the tree and writing a few files
	wl configure conf 1 "./configure, 110 checks" pct:5 \
		'cd conf && ./configure -q' \
		'cat conf/config.h conf/Makefile | cksum' 
	# the supervisor's rows: a statically linked statwalk, and the Go tool
	# (its runtime makes its own system calls) with a warm build cache
	# outside the tree, so that a build is mostly lookups and reads
	wl slstat tree 0 "static: lstat $NTREE lower hits" nat:2 \
		'"$BENCH_H/statwalk-static" -l "$BENCH_LISTS/hits"'
	wl gobuild gomod 1 "go build (cached), 4 packages" nat:2 \
		'cd gomod && GOCACHE=$BENCH_GOCACHE GOFLAGS=-trimpath GOTOOLCHAIN=local GOPROXY=off go build -o prog . && ./prog'
	wl statout misc 0 "stat outside mount x $NLOOP" '' \
		"\"\$BENCH_H/statwalk\" -L $NLOOP -m \"\$BENCH_METRICS\" \"\$BENCH_OUTSIDE\""
	# metric rows
	W_LABEL[statout:ns_per_call]="  same, ns per stat call" W_GOAL[statout:ns_per_call]=ns:20
	W_LABEL[lstat:maxrss_kb]="peak RSS of statwalk (kB)" W_GOAL[lstat:maxrss_kb]=kb:1024
	ROWS=("${WL[@]}" statout:ns_per_call lstat:maxrss_kb)
}

# --------------------------------------------------------------- running

# Runs in the variant's process (under the library for lib): cd into the
# merged tree, time TIMED, then run CHECK.  $1 = merged tree, $2 = result
# file prefix.
INNER='set -o pipefail
cd -- "$1" || { echo "cannot cd to $1" >&2; exit 97; }
r=$2
t0=$EPOCHREALTIME
{ eval "$BENCH_TIMED"; } >"$r.out" 2>"$r.err"
rc=$?
t1=$EPOCHREALTIME
echo "$rc $t0 $t1" >"$r.time"
if [[ $rc == 0 && -n $BENCH_CHECK ]]; then { eval "$BENCH_CHECK"; } >"$r.chk" 2>>"$r.err"; fi
exit $rc'

# run_one W V K: run K of workload W under variant V; writes $res.status
# ("ok SECONDS" or "fail WHY") and $res.metrics.
run_one() {
	local w=$1 v=$2 k=$3 ds=${W_DS[$1]}
	local res=$WORK/res/$w.$v.$k why='' rc
	RUN=$WORK/run
	rm -rf "$RUN" && mkdir -p "$RUN"
	: >"$res.metrics"
	if ! "setup_$v" "$ds" "${W_RW[$w]}"; then
		why="setup failed: $(tail -c 300 "$RUN/setup.err" 2>/dev/null)"
	else
		# Nothing of the setup (copies, the previous run's removal) may
		# still be in writeback while the command is timed.
		sync
		BENCH_TIMED=${W_TIMED[$w]} BENCH_CHECK=${W_CHECK[$w]} BENCH_METRICS=$res.metrics \
			timeout -k 5 "$TIMEOUT" "${PREFIX[@]}" bash -c "$INNER" bench "$DIR" "$res" \
			>"$res.wrap" 2>&1 </dev/null
		rc=$?
		if [[ -n ${W_POST[$w]} ]]; then UPPER=$UPPER bash -c "${W_POST[$w]}" >>"$res.metrics" 2>/dev/null; fi
		"teardown_$v"
		why=$(judge "$w" "$v" "$res" "$rc")
	fi
	# a run that failed may have changed the lower too: blame only it
	local changed
	changed=$(find "$WORK/ds/$ds/lower" -cnewer "$WORK/stamp" -print -quit 2>/dev/null)
	if [[ -n $changed ]]; then
		[[ -n $why ]] || why="the lower was modified: ${changed#"$WORK/ds/$ds/lower/"} (later runs on it are suspect)"
		touch "$WORK/stamp"
	fi
	if [[ -n $why ]]; then
		printf 'fail %s\n' "$why" >"$res.status"
	else
		awk '{ printf "ok %.6f\n", $3 - $2 }' "$res.time" >"$res.status"
		# native's output is the reference the other variants must match
		[[ $v != native || -f $WORK/res/$w.ref ]] || output_of "$res" >"$WORK/res/$w.ref"
	fi
	rm -rf "$RUN"
}

# judge W V RES RC: prints why the run failed, or nothing.
judge() {
	local w=$1 v=$2 res=$3 rc=$4 err
	err=$(cat "$res.err" "$res.wrap" 2>/dev/null | grep -v '^overlay-run: upper:' | tail -n 3 | tr '\n' ' ')
	if [[ $rc == 124 || $rc == 137 ]]; then
		echo "timed out after ${TIMEOUT}s; ${err}"
	elif [[ ! -f $res.time ]]; then
		echo "exit $rc before the command ran: ${err:-no message}"
	elif [[ $(cut -d' ' -f1 "$res.time") != 0 ]]; then
		echo "exit $(cut -d' ' -f1 "$res.time"): ${err:-no message}"
	elif [[ $rc != 0 ]]; then
		echo "exit $rc after the command (check): ${err:-no message}"
	elif [[ -f $WORK/res/$w.ref ]] && ! output_of "$res" | cmp -s - "$WORK/res/$w.ref"; then
		echo "output differs from native: $(output_of "$res" | diff "$WORK/res/$w.ref" - | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	fi
}

# output_of RES: what TIMED and CHECK printed
output_of() { cat "$1.out" 2>/dev/null; [[ ! -f $1.chk ]] || cat "$1.chk"; }

cleanup() {
	local m
	if [[ -n ${WORK:-} && -d $WORK ]]; then
		# unmount whatever is still mounted below the work dir, deepest first
		while read -r m; do unmount "$m"; done < <(awk -v w="$WORK" 'index($2, w "/") == 1 { print $2 }' /proc/mounts | sort -r)
		if [[ -n ${BENCH_KEEP:-} ]]; then echo "bench: work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
	fi
}

build_helpers() {
	mkdir -p "$HB" || return 1
	local h
	for h in statwalk spawn; do
		if [[ ! -x $HB/$h || $ROOT/bench/$h.c -nt $HB/$h ]]; then
			cc -O2 -Wall -Wextra -o "$HB/$h" "$ROOT/bench/$h.c" || return 1
		fi
	done
	# the same walk linked statically: under the library it runs supervised
	if [[ ! -x $HB/statwalk-static || $ROOT/bench/statwalk.c -nt $HB/statwalk-static ]]; then
		cc -O2 -Wall -Wextra -static -o "$HB/statwalk-static" "$ROOT/bench/statwalk.c" 2>/dev/null ||
			cp "$HB/statwalk" "$HB/statwalk-static" # no libc.a: the row then measures the library
	fi
}

# ------------------------------------------------------------ the table

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# (max - min) / median of the values on stdin, as a fraction
spread() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print (m > 0) ? (a[NR] - a[1]) / m : 0 }'; }
isnum() { [[ $1 =~ ^[0-9.]+$ ]]; }
fmt_sec() { awk -v x="$1" 'BEGIN { if (x >= 100) f = "%.0f"; else if (x >= 10) f = "%.1f"; else if (x >= 1) f = "%.2f"; else if (x >= 0.1) f = "%.3f"; else f = "%.4f"; printf f, x }'; }

# value ROW V: the cell's raw value (a number, FAIL, n/a or -)
declare -A VAL=() SPREAD=()
compute_values() {
	local row v w key k st vals s t
	for row in "${ROWS[@]}"; do
		w=${row%%:*} key=${row#*:}
		[[ $row == *:* ]] || key=
		for v in "${ALL_VARIANTS[@]}"; do
			if [[ -n ${NA[$v]:-} ]]; then VAL[$row,$v]=n/a; continue; fi
			if ! in_list "$v" "${VARIANTS[@]}" || [[ -z ${RAN[$w]:-} ]]; then VAL[$row,$v]=-; continue; fi
			vals=() st=ok
			for ((k = 1; k <= RUNS; k++)); do
				read -r s t <"$WORK/res/$w.$v.$k.status" 2>/dev/null || { st=FAIL; continue; }
				[[ $s == ok ]] || { st=FAIL; continue; }
				if [[ -n $key ]]; then
					t=$(awk -v k="$key" '$1 == k { print $2 }' "$WORK/res/$w.$v.$k.metrics")
					[[ -n $t ]] || continue
				fi
				vals+=("$t")
			done
			if [[ $st == FAIL ]]; then VAL[$row,$v]=FAIL
			elif ((${#vals[@]} == 0)); then VAL[$row,$v]=-
			else
				VAL[$row,$v]=$(printf '%s\n' "${vals[@]}" | median)
				SPREAD[$row,$v]=$(printf '%s\n' "${vals[@]}" | spread)
			fi
		done
	done
}

cell() { # row variant: formatted value
	local x=${VAL[$1,$2]}
	isnum "$x" || { echo "$x"; return; }
	case $1 in
	*:maxrss_kb) printf '%.0f' "$x" ;;
	*:ns_per_call) printf '%.0f' "$x" ;;
	*) fmt_sec "$x" ;;
	esac
}

ratio() { # row a b
	local a=${VAL[$1,$2]} b=${VAL[$1,$3]}
	if isnum "$a" && isnum "$b"; then awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
	elif [[ $a == n/a || $b == n/a ]]; then echo n/a
	else echo -
	fi
}

goal_text() {
	local g=${W_GOAL[$1]:-}
	case $g in
	nat:*) echo "<=${g#*:}" ;;
	ker:*) echo "<=${g#*:} kern" ;;
	sec:*) echo "<=${g#*:}s" ;;
	pct:*) echo "<=+${g#*:}%" ;;
	ns:*) echo "<=+${g#*:}ns" ;;
	kb:*) echo "<=+${g#*:}kB" ;;
	*) echo - ;;
	esac
}

goal_met() { # yes / no / - for the library
	local row=$1 g=${W_GOAL[$1]:-} l=${VAL[$1,lib]} n=${VAL[$1,native]} k=${VAL[$1,kernel]}
	[[ -n $g ]] && isnum "$l" || { echo -; return; }
	local lim=${g#*:} expr
	case $g in
	nat:*) isnum "$n" || { echo -; return; }; expr="$l <= $lim * $n" ;;
	ker:*) isnum "$k" || { echo -; return; }; expr="$l <= $lim * $k" ;;
	sec:*) expr="$l <= $lim" ;;
	pct:*) isnum "$n" || { echo -; return; }; expr="$l <= (1 + $lim / 100) * $n" ;;
	ns:* | kb:*) isnum "$n" || { echo -; return; }; expr="$l - $n <= $lim" ;;
	esac
	# the limit's distance from the library's median, against the spread
	# of the library's runs: a verdict inside that spread is only noise
	local sp=${SPREAD[$1,lib]:-0} lhs=${expr%% <= *} rhs=${expr#* <= }
	awk "BEGIN { ok = ($expr); d = ($rhs) - ($lhs); if (d < 0) d = -d
		noisy = d < $sp * $l
		print (ok ? \"yes\" : \"no\") (noisy ? \" (noise)\" : \"\") }"
}

spread_cell() { # the library's spread on row $1, as +-N%
	local sp=${SPREAD[$1,lib]:-}
	isnum "$sp" && awk -v s="$sp" 'BEGIN { printf "%.0f%%", 100 * s }' || echo -
}

HEAD=(workload native lib kernel fuse lib/nat lib/kern kern/nat fuse/nat fuse/kern lib-spread goal met)
table_rows() { # one line a row, cells separated by tabs
	local row base='' proot=''
	in_list base "${AVAIL[@]}" && base=1
	in_list proot "${AVAIL[@]}" && proot=1
	(IFS=$'\t'; echo "${HEAD[*]}${base:+$'\t'base$'\t'lib/base}${proot:+$'\t'proot$'\t'lib/proot}")
	for row in "${ROWS[@]}"; do
		[[ -n ${RAN[${row%%:*}]:-} ]] || continue
		printf '%s\t' "${W_LABEL[$row]}" \
			"$(cell "$row" native)" "$(cell "$row" lib)" "$(cell "$row" kernel)" "$(cell "$row" fuse)" \
			"$(ratio "$row" lib native)" "$(ratio "$row" lib kernel)" "$(ratio "$row" kernel native)" \
			"$(ratio "$row" fuse native)" "$(ratio "$row" fuse kernel)" "$(spread_cell "$row")" \
			"$(goal_text "$row")"
		printf '%s' "$(goal_met "$row")"
		[[ -z $base ]] || printf '\t%s\t%s' "$(cell "$row" base)" "$(ratio "$row" lib base)"
		[[ -z $proot ]] || printf '\t%s\t%s' "$(cell "$row" proot)" "$(ratio "$row" lib proot)"
		printf '\n'
	done
}

render_text() {
	printf '%s\n' "${INFO[@]}"
	echo
	table_rows | awk -F'\t' '
		{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
		END {
			for (r = 1; r <= n; r++) {
				line = sprintf("%-" w[1] "s", c[r, 1])
				for (i = 2; i <= nf; i++) line = line sprintf("  %" w[i] "s", c[r, i])
				print line
			}
		}'
	echo
	printf '%s\n' "${LEGEND[@]}"
	if ((${#NOTES[@]})); then echo; echo 'notes:'; printf '  %s\n' "${NOTES[@]}"; fi
}

render_markdown() {
	printf '%s  \n' "${INFO[@]}"
	echo
	table_rows | awk -F'\t' '
		NR == 1 { s = "|"; for (i = 1; i <= NF; i++) s = s " " $i " |"; print s
			  s = "|---|"; for (i = 2; i <= NF; i++) s = s "---:|"; print s; next }
		{ s = "|"; for (i = 1; i <= NF; i++) { x = $i; gsub(/\|/, "\\|", x); s = s " " x " |" } print s }'
	echo
	printf '%s  \n' "${LEGEND[@]}"
	if ((${#NOTES[@]})); then echo; printf -- '- %s\n' "${NOTES[@]}"; fi
}

# NOTES: why a column is n/a, and every FAIL with its command and error.
collect_notes() {
	local v w k s why first n
	NOTES=("${SKIPPED[@]}")
	for v in "${ALL_VARIANTS[@]}"; do
		[[ -z ${NA[$v]:-} ]] || NOTES+=("$v: n/a: ${NA[$v]}")
	done
	for w in "${WL[@]}"; do
		[[ -n ${RAN[$w]:-} ]] || continue
		for v in "${AVAIL[@]}"; do
			first='' n=0
			for ((k = 1; k <= RUNS; k++)); do
				read -r s why <"$WORK/res/$w.$v.$k.status" 2>/dev/null || { s=fail why='no result'; }
				[[ $s == ok ]] && continue
				((n++)) || first="run $k: $why"
			done
			((n == 0)) || NOTES+=("FAIL $v / ${W_LABEL[$w]}: $n of $RUNS runs failed; command: ${W_TIMED[$w]}; $first")
		done
	done
	for v in "${AVAIL[@]}"; do
		[[ -n ${RAN[sparse]:-} ]] || break
		s=$(for ((k = 1; k <= RUNS; k++)); do awk '$1 == "alloc_kb" { print $2 }' "$WORK/res/sparse.$v.$k.metrics" 2>/dev/null; done | median)
		[[ -z $s ]] || SPARSE+="${SPARSE:+, }$v $s kB"
	done
	[[ -z ${SPARSE:-} ]] || NOTES+=("1 GiB sparse file after the append, space allocated in the upper (native: the file itself): $SPARSE")
}

in_list() { local x=$1; shift; local y; for y; do [[ $x == "$y" ]] && return 0; done; return 1; }

# ------------------------------------------------------------------ main

main() {
	local t_start=$EPOCHREALTIME w v k ds
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/ovlbench.XXXXXX") || exit 1
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$WORK"/{ds,res,lists,probe,home}

	# git: no user or system configuration, fixed identity and dates, so
	# that commits are the same in every variant
	export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
	export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
	export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
	export GIT_AUTHOR_DATE='1700000000 +0000' GIT_COMMITTER_DATE='1700000000 +0000'
	unset BASH_ENV ENV GIT_DIR GIT_WORK_TREE
	export BENCH_H=$HB BENCH_LISTS=$WORK/lists BENCH_OUTSIDE=$WORK/outside/file
	export BENCH_GOCACHE=$WORK/gocache

	build_helpers || { echo "bench: cannot build the helpers in $HB" >&2; exit 1; }
	define_workloads
	if ((${#ONLY[@]})); then
		for w in "${ONLY[@]}"; do in_list "$w" "${WL[@]}" || { echo "bench: no workload '$w' (have: ${WL[*]})" >&2; exit 2; }; done
	else
		ONLY=("${WL[@]}")
	fi

	# a workload whose tools are missing is skipped, and said so
	local keep=() t missing
	SKIPPED=()
	for w in "${ONLY[@]}"; do
		missing=''
		for t in ${W_NEEDS[$w]:-}; do command -v "$t" >/dev/null || missing+=" $t"; done
		if [[ -n $missing ]]; then
			SKIPPED+=("skipped ${W_LABEL[$w]}: not installed:$missing (apt-get install$missing)")
			echo "bench: ${SKIPPED[-1]}" >&2
		else
			keep+=("$w")
		fi
	done
	ONLY=("${keep[@]}")

	# proot (slow on every row) only when asked for
	local dflt=(native lib base kernel fuse)
	[[ -n ${OVERLAY_BASE_LIB:-} ]] || dflt=(native lib kernel fuse)
	read -r -a VARIANTS <<<"${VARIANTS:-${dflt[*]}}"
	for v in "${VARIANTS[@]}"; do in_list "$v" "${ALL_VARIANTS[@]}" || { echo "bench: no variant '$v'" >&2; exit 2; }; done
	for v in "${ALL_VARIANTS[@]}"; do
		in_list "$v" "${VARIANTS[@]}" || continue
		"probe_$v"
		[[ -z ${NA[$v]:-} ]] || echo "bench: $v: n/a: ${NA[$v]}" >&2
	done
	AVAIL=()
	for v in "${VARIANTS[@]}"; do [[ -n ${NA[$v]:-} ]] || AVAIL+=("$v"); done

	echo "bench: generating datasets in $WORK ..." >&2
	declare -A made=()
	for w in "${ONLY[@]}"; do
		ds=${W_DS[$w]}
		[[ -n ${made[$ds]:-} ]] && continue
		"gen_$ds" || { echo "bench: generating dataset $ds failed" >&2; exit 1; }
		made[$ds]=1
	done
	gen_misc
	sync
	touch "$WORK/stamp"             # the lowers must not change after this

	declare -gA RAN=()
	echo "bench: $RUNS runs each, interleaved: ${AVAIL[*]}" >&2
	for w in "${ONLY[@]}"; do
		local t0=$EPOCHREALTIME
		printf 'bench:   %-32s ' "${W_LABEL[$w]}" >&2
		for ((k = 1; k <= RUNS; k++)); do
			for v in "${AVAIL[@]}"; do
				run_one "$w" "$v" "$k"
				if [[ $(cut -d' ' -f1 "$WORK/res/$w.$v.$k.status") == ok ]]; then printf . >&2; else printf F >&2; fi
			done
			printf ' ' >&2
		done
		printf '%5.1fs\n' "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" >&2
		RAN[$w]=1
	done

	compute_values
	collect_notes
	local rev cpu fs
	rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	[[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] || rev+=" + uncommitted changes"
	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	fs=$(df -PT "$WORK" | awk 'NR == 2 { print $2 }')
	INFO=(
		"liboverlay benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')${QUICK:+ (QUICK=1: small sizes)}"
		"machine: $(nproc) CPUs (${cpu:-unknown}), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r) $(uname -m), work dir on $fs"
		"library: $(realpath -- "$OVERLAY_LIB" 2>/dev/null || echo "$OVERLAY_LIB"), git $rev; $(git --version 2>/dev/null || echo "no git"); $(cc --version | head -n 1)"
		"sizes: tree $NTREE files (+ extras in $((TREE_TOP / 4 * (TREE_SUB / 2))) dirs merged with the upper), make $NPROJ sources, git repo $NREPO files, copy-up $NBIG x 1 MiB, $NEXEC execs, $NLOOP stats"
	)
	LEGEND=(
		"cells: median wall seconds of $RUNS runs (runs interleaved across variants, a fresh upper each run); the last two rows are ns per call and kB"
		"ratios: of the medians; lib-spread: (max - min) / median of the library's runs; goal and met: issue 12's goal for the library (ratio to native unless marked), (noise) where the limit lies within that spread of the median${QUICK:+; the copy-up goal is scaled to $NBIG files}"
		"native runs on a plain copy of lower+upper; lib runs through scripts/overlay-run in place (the wrapper's own start-up is not timed)"
	)

	mkdir -p "$HB"
	render_text >"$HB/results.txt"
	render_markdown >"$HB/results.md"
	if ((MARKDOWN)); then cat "$HB/results.md"; else cat "$HB/results.txt"; fi
	printf 'bench: done in %.0fs; tables saved in %s/results.{txt,md}\n' \
		"$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "${HB#"$ROOT"/}" >&2
}

[[ -n ${BENCH_SOURCE_ONLY:-} ]] || main
