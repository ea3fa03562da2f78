# Coverage of the entries glibc runs without reaching our open, stat and
# opendir: its directory walkers (ftw, nftw, fts, glob), raw system calls
# through syscall() and getdents64, temporary names, getwd, statfs, the
# loader (dlopen, LD_LIBRARY_PATH, RUNPATH, $ORIGIN), Unix sockets and
# inotify.  Small C programs are compiled into the test's directory, outside
# the mount, and run under overlay-run.
# shellcheck shell=bash disable=SC2016,SC2034

# cov_cc NAME [CC-ARGS...] <SOURCE: compile $T/NAME from standard input.
cov_cc() {
	command -v cc >/dev/null || skip "cc is not installed"
	local name=$1
	shift
	cat >"$T/$name.c"
	cc -std=gnu11 -D_GNU_SOURCE -Wall -o "$T/$name" "$T/$name.c" "$@" 2>"$T/cc.err" ||
		{ cat "$T/cc.err"; fail "cannot compile $name"; exit 1; }
}

# A lower tree with a bit of everything, and an upper that changed it: f
# deleted, a/new added, a/g replaced, c made opaque.
cov_layers() {
	put "$L/t/f" f
	put "$L/t/a/g" g-lower
	put "$L/t/a/b/h" h
	put "$L/t/c/old" old
	ln -s a "$L/t/sl"
	ln -s nowhere "$L/t/dang"
	put "$U/t/a/new" new
	put "$U/t/a/g" g-upper
	: >"$U/t/.wh.f"
	put "$U/t/c/fresh" fresh
	: >"$U/t/c/.wh..wh..opq"
	freeze "$L"
}

# The read-only part of a test is over: check the frozen trees now and
# keep only the lower frozen.
cov_thaw_upper() {
	expect_unchanged
	FROZEN=() FROZEN_HOW=()
	freeze "$L"
}

WALK_SRC='
#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static int nftw_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	printf("nftw %d %d %d %s %s\n", flag, f->level, f->base, p,
	       flag == FTW_NS ? "-" : S_ISDIR(st->st_mode) ? "dir" : "other");
	if (getenv("UNLINK") && (flag == FTW_F || flag == FTW_SL || flag == FTW_SLN))
		unlink(p);
	if (getenv("UNLINK") && flag == FTW_DP && f->level > 0)
		rmdir(p);
	if (getenv("SKIP") && !strcmp(p + f->base, getenv("SKIP")))
		return FTW_SKIP_SUBTREE;
	return 0;
}

static int ftw_cb(const char *p, const struct stat *st, int flag)
{
	printf("ftw %d %s %ld\n", flag, p, flag == FTW_NS ? -1L : (long)st->st_size);
	return 0;
}

static int by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

int main(int argc, char **argv)
{
	if (!strcmp(argv[1], "nftw")) {
		printf("rc %d\n", nftw(argv[2], nftw_cb, 8, atoi(argv[3])));
	} else if (!strcmp(argv[1], "ftw")) {
		printf("rc %d\n", ftw(argv[2], ftw_cb, 8));
	} else if (!strcmp(argv[1], "fts")) {
		FTS *f = fts_open(argv + 3, (int)strtol(argv[2], NULL, 0), getenv("NOSORT") ? NULL : by_name);
		FTSENT *e;
		if (!f)
			return perror("fts_open"), 1;
		while ((e = fts_read(f))) {
			printf("fts %d %d %s %s %s\n", e->fts_info, e->fts_level, e->fts_path,
			       e->fts_name, e->fts_accpath);
			if (getenv("CHILDREN") && e->fts_info == FTS_D)
				for (FTSENT *c = fts_children(f, 0); c; c = c->fts_link)
					printf("  child %d %s\n", c->fts_info, c->fts_name);
			if (getenv("RM") && (e->fts_info == FTS_F || e->fts_info == FTS_SL || e->fts_info == FTS_SLNONE))
				unlink(e->fts_accpath);
			if (getenv("RM") && e->fts_info == FTS_DP && e->fts_level > 0)
				rmdir(e->fts_accpath);
		}
		printf("close %d\n", fts_close(f));
	} else if (!strcmp(argv[1], "glob")) {
		glob_t g;
		int rc = glob(argv[2], (int)strtol(argv[3], NULL, 0), NULL, &g);
		printf("glob rc %d\n", rc);
		for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
			printf("%s\n", g.gl_pathv[i]);
		if (rc == 0)
			globfree(&g);
	}
	return 0;
}'

# glibc's ftw and nftw inside the overlay see the merged tree.
test_nftw_merged() {
	cov_layers
	cov_cc walk <<<"$WALK_SRC"
	freeze_upper "$U"
	ovl "$T/walk" nftw t 1 # FTW_PHYS
	expect_rc 0
	expect_err_empty
	expect_eq "nftw" "$(printf '%s\n' "nftw 0 2 4 t/a/b/h other" "nftw 0 2 4 t/a/g other" \
		"nftw 0 2 4 t/a/new other" "nftw 0 2 4 t/c/fresh other" "nftw 1 0 0 t dir" \
		"nftw 1 1 2 t/a dir" "nftw 1 1 2 t/a/b dir" "nftw 1 1 2 t/c dir" "nftw 4 1 2 t/dang other" \
		"nftw 4 1 2 t/sl other" "rc 0" | sort)" "$(sed 's/^nftw 0 3 6 t\/a\/b\/h/nftw 0 2 4 t\/a\/b\/h/; s/^nftw 1 2 4 t\/a\/b /nftw 1 1 2 t\/a\/b /' <<<"$OUT" | sort)"
	# levels and bases of the deepest ones
	[[ $OUT == *"nftw 1 2 4 t/a/b dir"* && $OUT == *"nftw 0 3 6 t/a/b/h other"* ]] ||
		fail "levels and bases: $OUT"
	# ftw follows symlinks: sl is the directory a (reported once: seen
	# before), dang cannot be stat'ed.
	ovl "$T/walk" ftw t
	expect_rc 0
	expect_eq "ftw" "$(printf '%s\n' "ftw 0 t/a/b/h 2" "ftw 0 t/a/g 8" "ftw 0 t/a/new 4" "ftw 0 t/c/fresh 6" \
		"ftw 1 t 0" "ftw 1 t/a 0" "ftw 1 t/a/b 0" "ftw 1 t/c 0" "ftw 3 t/dang -1" "rc 0" | sort)" \
		"$(sed 's/^\(ftw 1 [^ ]*\) [0-9]*$/\1 0/' <<<"$OUT" | sort)"
	# FTW_DEPTH|FTW_PHYS removing what it walks: whiteouts in the upper, the
	# lower untouched.
	cov_thaw_upper
	ovl env UNLINK=1 "$T/walk" nftw t $((1 | 8))
	expect_rc 0
	ovl find t
	expect_out t
	expect_tree "$U" "t d" "t/.wh.f f" "t/.wh.a f" "t/.wh.c f" "t/.wh.sl f" "t/.wh.dang f"
}

# Where the view is one lower as it is, ours and glibc's walkers (run on
# the lower directly) give the same callbacks in the same order.
test_walkers_match_glibc() {
	put "$L/t/f" f
	put "$L/t/a/g" g
	put "$L/t/a/b/h" h
	mkdir "$L/t/empty"
	ln -s a "$L/t/sl"
	ln -s nowhere "$L/t/dang"
	ln -s .. "$L/t/a/b/up"
	freeze "$L"
	cov_cc walk <<<"$WALK_SRC"
	local args
	for args in "nftw t 0" "nftw t 1" "nftw t/ 9" "nftw t 4" "nftw $L/t 5" "nftw nope 0" "ftw t" \
		"fts 0x10 t" "fts 0x12 t" "fts 0x14 t" "fts 0x18 t" "fts 0x11 t/sl t/f" "fts 0x30 ." \
		"fts 0x02 t/a/b/up" "fts 0x10 nope t" "glob t/* 0" "glob t/*/* 2" "glob t/[a-f]* 0x2000" \
		"glob t/{a,sl}/* 0x400" "glob t/nope* 16"; do
		# shellcheck disable=SC2086
		run -C "$L" "$T/walk" $args
		local want=$OUT
		# shellcheck disable=SC2086
		ovl "$T/walk" $args
		expect_eq "$args: liboverlay (>) vs glibc (<)" "$want" "$OUT"
		# shellcheck disable=SC2086
		run -C "$L" env NOSORT=1 CHILDREN=1 "$T/walk" $args
		want=$OUT
		# shellcheck disable=SC2086
		ovl env NOSORT=1 CHILDREN=1 "$T/walk" $args
		# the merged listing's order is not the kernel's: same lines
		expect_eq "$args, unsorted, fts_children: liboverlay (>) vs glibc (<)" \
			"$(sort <<<"$want")" "$(sort <<<"$OUT")"
	done
	expect_tree "$U"
}

# fts (glibc's, not gnulib's) over the merged tree; an rm -r built on it.
test_fts_merged() {
	cov_layers
	cov_cc walk <<<"$WALK_SRC"
	freeze_upper "$U"
	ovl "$T/walk" fts 0x10 t # FTS_PHYSICAL, sorted by name
	expect_rc 0
	expect_err_empty
	expect_out "fts 1 0 t t t" "fts 1 1 t/a a a" "fts 1 2 t/a/b b b" "fts 8 3 t/a/b/h h h" \
		"fts 6 2 t/a/b b b" "fts 8 2 t/a/g g g" "fts 8 2 t/a/new new new" "fts 6 1 t/a a a" \
		"fts 1 1 t/c c c" "fts 8 2 t/c/fresh fresh fresh" "fts 6 1 t/c c c" \
		"fts 12 1 t/dang dang dang" "fts 12 1 t/sl sl sl" "fts 6 0 t t t" "close 0"
	# FTS_LOGICAL|FTS_NOCHDIR: symlinks followed, full access paths.
	ovl "$T/walk" fts 0x06 t/a t/sl
	expect_rc 0
	expect_out "fts 1 0 t/a a t/a" "fts 1 1 t/a/b b t/a/b" "fts 8 2 t/a/b/h h t/a/b/h" \
		"fts 6 1 t/a/b b t/a/b" "fts 8 1 t/a/g g t/a/g" "fts 8 1 t/a/new new t/a/new" \
		"fts 6 0 t/a a t/a" "fts 1 0 t/sl sl t/sl" "fts 1 1 t/sl/b b t/sl/b" \
		"fts 8 2 t/sl/b/h h t/sl/b/h" "fts 6 1 t/sl/b b t/sl/b" "fts 8 1 t/sl/g g t/sl/g" \
		"fts 8 1 t/sl/new new t/sl/new" "fts 6 0 t/sl sl t/sl" "close 0"
	cov_thaw_upper
	ovl env RM=1 "$T/walk" fts 0x10 t
	expect_rc 0
	ovl ls -A t
	expect_out ""
	expect_tree "$U" "t d" "t/.wh.f f" "t/.wh.a f" "t/.wh.c f" "t/.wh.sl f" "t/.wh.dang f"
}

# glob is handed our opendir/readdir/stat (GLOB_ALTDIRFUNC).
test_glob_merged() {
	cov_layers
	cov_cc walk <<<"$WALK_SRC"
	freeze_upper "$U"
	ovl "$T/walk" glob 't/*/*' 0
	expect_rc 0
	expect_out "glob rc 0" t/a/b t/a/g t/a/new t/c/fresh t/sl/b t/sl/g t/sl/new
	ovl "$T/walk" glob "$L/t/*" 0x2002 # GLOB_ONLYDIR | GLOB_MARK
	expect_out "glob rc 0" "$L/t/a/" "$L/t/c/" "$L/t/sl/"
	ovl "$T/walk" glob 't/f*' 0
	expect_out "glob rc 3" # GLOB_NOMATCH: f is deleted
	# what a shell's globbing gives (bash has its own, python its own)
	ovl bash -c 'echo t/*/*; cd t/c && echo *'
	expect_out "t/a/b t/a/g t/a/new t/c/fresh t/sl/b t/sl/g t/sl/new" fresh
	ovl python3 -c 'import glob; print(sorted(glob.glob("t/**", recursive=True)))'
	expect_out "['t/', 't/a', 't/a/b', 't/a/b/h', 't/a/g', 't/a/new', 't/c', 't/c/fresh', 't/dang', 't/sl', 't/sl/b', 't/sl/b/h', 't/sl/g', 't/sl/new']"
}

DENTS_SRC='
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

struct d64 { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; };

/* List dir with buffers of n bytes; "del" unlinks each entry as it is read. */
static void list(const char *dir, size_t n, int raw, int del)
{
	char *buf = malloc(n);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	long got;
	if (fd < 0) { perror(dir); exit(1); }
	while ((got = raw ? syscall(SYS_getdents64, fd, buf, n) : getdents64(fd, buf, n)) > 0) {
		for (long i = 0; i < got;) {
			struct d64 *d = (struct d64 *)(buf + i);
			printf("%s %d\n", d->name, d->type);
			if (del && d->name[0] != 0x2e)
				unlinkat(fd, d->name, 0);
			i += d->reclen;
		}
	}
	if (got < 0)
		printf("error %s\n", strerror(errno));
	if (!del) {
		/* back to the start: the whole listing again */
		lseek(fd, 0, SEEK_SET);
		got = syscall(SYS_getdents64, fd, buf, n);
		printf("again %d\n", got > 0);
		/* too small for one entry */
		lseek(fd, 0, SEEK_SET);
		got = syscall(SYS_getdents64, fd, buf, 8);
		printf("tiny %ld %s\n", got, strerror(errno));
	}
	close(fd);
	free(buf);
}

int main(int argc, char **argv)
{
	list(argv[1], (size_t)atoi(argv[2]), !strcmp(argv[3], "raw"), argc > 4);
	return 0;
}'

# getdents64, raw through syscall() and through glibc's wrapper, lists the
# merged directory, in small buffers too, and an rm loop deleting as it
# reads misses nothing.
test_getdents64_merged() {
	for i in 1 2 3 4 5 6 7 8; do put "$L/d/lower$i" x; done
	put "$L/d/gone" x
	put "$U/d/upper" y
	: >"$U/d/.wh.gone"
	mkdir "$L/d/sub"
	freeze "$L"
	cov_cc dents <<<"$DENTS_SRC"
	local want
	want=$(printf '%s\n' ". 4" ".. 4" "lower1 8" "lower2 8" "lower3 8" "lower4 8" "lower5 8" \
		"lower6 8" "lower7 8" "lower8 8" "sub 4" "upper 8")
	for mode in raw libc; do
		ovl "$T/dents" d 4096 $mode
		expect_rc 0
		expect_eq "getdents64 ($mode)" "$want" "$(grep -v -e '^again' -e '^tiny' <<<"$OUT" | sort)"
		expect_eq "rewind and tiny buffer ($mode)" "again 1
tiny -1 Invalid argument" "$(grep -e '^again' -e '^tiny' <<<"$OUT")"
		ovl "$T/dents" d 64 $mode
		expect_eq "getdents64 with a small buffer ($mode)" "$want" "$(grep -v -e '^again' -e '^tiny' <<<"$OUT" | sort)"
	done
	# outside the overlay the same program sees the kernel's listing
	run "$T/dents" "$L/d" 4096 raw
	expect_eq "host listing" 12 "$(grep -vc -e '^again' -e '^tiny' <<<"$OUT")"
	ovl "$T/dents" d 64 raw del
	expect_rc 0
	expect_eq "deleting while reading" "$want" "$(sort <<<"$OUT")"
	ovl ls -A d
	expect_out sub
	expect_tree "$U" "d d" "d/.wh.gone f" "d/.wh.lower1 f" "d/.wh.lower2 f" "d/.wh.lower3 f" \
		"d/.wh.lower4 f" "d/.wh.lower5 f" "d/.wh.lower6 f" "d/.wh.lower7 f" "d/.wh.lower8 f"
}

SYSCALL_SRC='
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static long say(const char *what, long rc)
{
	printf("%s %ld %s\n", what, rc, rc < 0 ? strerror(errno) : "ok");
	return rc;
}
#define SAY(what, rc) say(what, (long)(rc))

int main(void)
{
	struct open_how how = { .flags = O_RDONLY };
	char buf[64] = "";
	struct stat st;
	struct statx stx;
	long fd = syscall(SYS_openat2, AT_FDCWD, "up/only", &how, sizeof how);
	SAY("openat2-read", fd);
	if (fd >= 0) { buf[read((int)fd, buf, sizeof buf - 1)] = 0; printf("read %s", buf); close((int)fd); }
	how.flags = O_WRONLY | O_APPEND;
	fd = syscall(SYS_openat2, AT_FDCWD, "lowfile", &how, sizeof how);
	SAY("openat2-append", fd);
	if (fd >= 0) { if (write((int)fd, "more\n", 5) != 5) return 1; close((int)fd); }
	how.flags = O_WRONLY | O_CREAT | O_EXCL;
	how.mode = 0640;
	SAY("openat2-create", fd = syscall(SYS_openat2, AT_FDCWD, "up/created", &how, sizeof how));
	close((int)fd);
	how = (struct open_how){ .flags = O_RDONLY, .resolve = RESOLVE_BENEATH };
	SAY("openat2-beneath", syscall(SYS_openat2, AT_FDCWD, "lowfile", &how, sizeof how));
	SAY("statx", syscall(SYS_statx, AT_FDCWD, "up/only", 0, STATX_SIZE, &stx));
	printf("statx size %llu\n", (unsigned long long)stx.stx_size);
	SAY("newfstatat", syscall(SYS_newfstatat, AT_FDCWD, "gone", &st, 0));
	SAY("faccessat2", syscall(SYS_faccessat2, AT_FDCWD, "up/only", R_OK, AT_EACCESS));
	SAY("renameat2-noreplace", syscall(SYS_renameat2, AT_FDCWD, "up/only", AT_FDCWD, "lowfile", RENAME_NOREPLACE));
	SAY("renameat2", syscall(SYS_renameat2, AT_FDCWD, "up/only", AT_FDCWD, "moved", 0));
	SAY("mkdirat", syscall(SYS_mkdirat, AT_FDCWD, "newdir", 0755));
	SAY("unlinkat", syscall(SYS_unlinkat, AT_FDCWD, "dellow", 0));
	SAY("readlinkat", syscall(SYS_readlinkat, AT_FDCWD, "link", buf, sizeof buf));
	SAY("fchmodat", syscall(SYS_fchmodat, AT_FDCWD, "chm", 0600));
	SAY("getpid", syscall(SYS_getpid) == getpid() ? 0 : -1);
	return 0;
}'

# Path system calls made through syscall(): openat2 (copy-up, create,
# RESOLVE_BENEATH refused with ENOSYS), statx, newfstatat, faccessat2,
# renameat2, mkdirat, unlinkat, readlinkat, fchmodat; others pass through.
# raw_syscalls [CC FLAGS]: the program built so, run and checked.
raw_syscalls() {
	put "$L/lowfile" low
	put "$L/gone" x
	put "$L/dellow" x
	put "$L/chm" x
	ln -s lowfile "$L/link"
	chmod 644 "$L/chm"
	put "$U/up/only" only-upper
	: >"$U/.wh.gone"
	freeze "$L"
	cov_cc rawsys "$@" <<<"$SYSCALL_SRC"
	ovl "$T/rawsys"
	expect_rc 0
	expect_err_empty
	expect_out "openat2-read 3 ok" "read only-upper" "openat2-append 3 ok" "openat2-create 3 ok" \
		"openat2-beneath -1 Function not implemented" "statx 0 ok" "statx size 11" \
		"newfstatat -1 No such file or directory" "faccessat2 0 ok" \
		"renameat2-noreplace -1 File exists" "renameat2 0 ok" "mkdirat 0 ok" "unlinkat 0 ok" \
		"readlinkat 7 ok" "fchmodat 0 ok" "getpid 0 ok"
	expect_file "$U/lowfile" low more
	expect_file "$U/moved" only-upper
	expect_tree "$U" ".wh.gone f" "lowfile f" "up d" "up/created f" "moved f" "newdir d" \
		".wh.dellow f" "chm f"
	expect_eq "mode of the created file" 640 "$(stat -c %a "$U/up/created")"
	expect_eq "fchmodat copied up" 600 "$(stat -c %a "$U/chm")"
}

test_raw_syscalls() {
	raw_syscalls
}

# The same calls from a static program, which the supervisor serves: the
# same answers as the library's (openat2's RESOLVE_BENEATH too).
test_raw_syscalls_static() {
	printf 'int main(void) { return 0; }\n' >"$T/probe.c"
	cc -static -o "$T/probe" "$T/probe.c" 2>/dev/null || skip "cannot link a static program (no libc.a)"
	raw_syscalls -static
}

TEMP_SRC='
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	char t[64], cwd[4096];
	strcpy(t, "d/tmpXXXXXX");
	printf("mktemp %s\n", mktemp(t)[0] ? "named" : "failed");
	printf("mktemp-in-upper-dir %d\n", strncmp(t, "d/tmp", 5) == 0);
	strcpy(t, "nodir/tmpXXXXXX");
	printf("mktemp-missing-dir %s\n", mktemp(t)[0] ? "named" : "failed");
	char *n = tempnam(argv[1], "pre");
	printf("tempnam %s\n", n && !strncmp(n, argv[2], strlen(argv[2])) ? "in-mount" : n ? n : "NULL");
	FILE *f = n ? fopen(n, "w") : NULL;
	if (f) { fputs("via tempnam\n", f); fclose(f); }
	f = tmpfile();
	if (f) { fputs("scratch\n", f); rewind(f); char b[16]; printf("tmpfile %s", fgets(b, sizeof b, f)); fclose(f); }
	if (chdir("d") == 0 && getwd(cwd))
		printf("getwd %s\n", cwd);
	return 0;
}'

# mktemp, tempnam and getwd look at the view; tmpfile works.
test_temp_names_and_getwd() {
	mkdir "$L/low"
	put "$U/d/keep" k
	freeze "$L"
	cov_cc temp -Wno-deprecated-declarations <<<"$TEMP_SRC" 2>/dev/null
	ovl env TMPDIR="$L/d" "$T/temp" "$L/low" "$L/d/pre"
	expect_rc 0
	expect_out "mktemp named" "mktemp-in-upper-dir 1" "mktemp-missing-dir named" "tempnam in-mount" \
		"tmpfile scratch" "getwd $L/d"
	# the name tempnam chose was created in the upper
	expect_eq "tempnam's file" "via tempnam" "$(cat "$U"/d/pre*)"
	# python's tempfile goes through the same calls
	ovl python3 -c 'import tempfile, os
fd, p = tempfile.mkstemp(dir="d"); os.write(fd, b"py\n"); os.close(fd)
with tempfile.TemporaryDirectory(dir="low") as td: print(os.path.isdir(td))
print(os.path.dirname(p))'
	expect_rc 0
	expect_out True "$L/d"
	expect_eq "python's temp file" py "$(cat "$U"/d/tmp*)"
}

# tmpfile makes its file in P_tmpdir (/tmp): when /tmp is a mount point,
# the file lives in the upper.  Run without overlay-run, whose check of the
# mount point would see this very test writing to /tmp.
test_tmpfile_in_mounted_tmp() {
	local x
	x=$(mktemp -d /var/tmp/ovlcov.XXXXXX) || skip "no /var/tmp"
	mkdir "$x/lower" "$x/upper"
	cov_cc tmpf <<'EOF'
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	char link[64], real[4096];
	FILE *f = tmpfile();
	if (!f) { perror("tmpfile"); return 1; }
	snprintf(link, sizeof link, "/proc/self/fd/%d", fileno(f));
	ssize_t n = readlink(link, real, sizeof real - 1);
	real[n > 0 ? n : 0] = 0;
	fputs("data\n", f);
	rewind(f);
	printf("%s %s", real, fgets(link, sizeof link, f));
	return 0;
}
EOF
	cp "$T/tmpf" "$x/tmpf"
	run env LD_PRELOAD="$(preload)" OVERLAY_UPPER="$x/upper" OVERLAY_LOWER="$x/lower" \
		OVERLAY_MOUNT=/tmp "$x/tmpf"
	expect_rc 0
	[[ $OUT == "$x/upper/"*" data" ]] || fail "tmpfile's file is not in the upper: $OUT"
	expect_tree "$x/lower"
	rm -rf -- "$x"
}

# statfs, statvfs, pathconf and python's os.statvfs see files only the
# upper has, and do not copy up.
test_statfs_family() {
	put "$L/low" x
	put "$U/up/f" y
	freeze "$L"
	freeze_upper "$U"
	cov_cc sfs <<'EOF'
#include <stdio.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
int main(void)
{
	struct statfs a; struct statvfs b;
	printf("%d %d %d %d %d\n", statfs("up/f", &a), statvfs("up/f", &b), statfs("low", &a),
	       (int)(pathconf("up/f", _PC_NAME_MAX) > 0), statvfs("missing", &b));
	return 0;
}
EOF
	ovl "$T/sfs"
	expect_rc 0
	expect_out "0 0 0 1 -1"
	ovl python3 -c 'import os; print(os.statvfs("up/f").f_bsize > 0)'
	expect_out True
}

# dlopen of a path in the overlay loads the layer's file; a library the
# upper deleted is not found in the lower.
test_dlopen_path() {
	command -v cc >/dev/null || skip "cc is not installed"
	put "$L/plug.c" 'const char *who(void) { return "lower plugin"; }'
	put "$L/gone.c" 'const char *who(void) { return "deleted plugin"; }'
	cc -shared -fPIC -o "$L/gone.so" "$L/gone.c"
	freeze "$L"
	cov_cc dl -ldl <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		void *h = dlopen(argv[i], RTLD_NOW);
		const char *(*who)(void) = h ? (const char *(*)(void))dlsym(h, "who") : NULL;
		printf("%s: %s\n", argv[i], who ? who() : "not loaded");
	}
	return 0;
}
EOF
	ovl sh -c "cc -shared -fPIC -o plug.so plug.c && rm gone.so && $T/dl ./plug.so $L/plug.so ./gone.so"
	expect_rc 0
	expect_out "./plug.so: lower plugin" "$L/plug.so: lower plugin" "./gone.so: not loaded"
	expect_tree "$U" "plug.so f" ".wh.gone.so f"
	# A bare name is found along the calling program's RUNPATH: the loader
	# must see the program as the caller, not the library.  (A preloaded
	# ASan runtime intercepts dlopen itself and hides the caller: not here.)
	[[ -z ${OVERLAY_PRELOAD_EXTRA:-} ]] || return 0
	mkdir "$T/plugs"
	cc -shared -fPIC -o "$T/plugs/libplug.so" "$L/plug.c"
	cc -D_GNU_SOURCE -o "$T/dlr" "$T/dl.c" -ldl -Wl,--enable-new-dtags,-rpath,"$T/plugs"
	ovl "$T/dlr" libplug.so
	expect_rc 0
	expect_out "libplug.so: lower plugin"
}

# A program and its shared library, as a build inside the overlay makes
# them.  $1: how the program finds the library (cc flags).
cov_lib_project() {
	put "$L/src/lib.c" '#include <stdio.h>' 'void hello(void) { puts("lib " VERSION); }'
	put "$L/src/main.c" 'void hello(void);' '#include <stdio.h>' '#include <stdlib.h>' \
		'int main(void) { const char *p = getenv("LD_LIBRARY_PATH"); hello(); printf("LD_LIBRARY_PATH=%s\n", p ? p : "(unset)"); return 0; }'
	mkdir -p "$L/lib" "$L/bin"
	# the lowers ship an old build of the library
	cc -shared -fPIC -DVERSION='"old"' -o "$L/lib/libhello.so" "$L/src/lib.c"
}

# LD_LIBRARY_PATH naming a directory in the mount finds the library built
# in the upper; the program sees LD_LIBRARY_PATH as it was set.
test_loader_ld_library_path() {
	command -v cc >/dev/null || skip "cc is not installed"
	cov_lib_project
	freeze "$L"
	ovl sh -c 'cc -shared -fPIC -DVERSION="\"new\"" -o lib/libhello.so src/lib.c &&
		cc -o bin/prog src/main.c -Llib -lhello && LD_LIBRARY_PATH=lib ./bin/prog &&
		LD_LIBRARY_PATH=/nonexistent:lib bin/prog'
	expect_rc 0
	expect_err_empty
	expect_out "lib new" "LD_LIBRARY_PATH=lib" "lib new" "LD_LIBRARY_PATH=/nonexistent:lib"
	expect_tree "$U" "lib d" "lib/libhello.so f" "bin d" "bin/prog f"
}

# An absolute RUNPATH into the mount point, CMake's build-tree default: the
# library built in the upper is the one loaded, not the lower's old one.
# An old-style DT_RPATH is searched before LD_LIBRARY_PATH: there a library
# that only the upper has is found, but a lower's copy would win.
test_loader_runpath_into_mount() {
	command -v cc >/dev/null || skip "cc is not installed"
	cov_lib_project
	mkdir "$L/lib2"
	freeze "$L"
	ovl sh -c "cc -shared -fPIC -DVERSION='\"new\"' -o lib/libhello.so src/lib.c &&
		cc -shared -fPIC -DVERSION='\"upper only\"' -o lib2/libhello.so src/lib.c &&
		cc -o bin/runpath src/main.c -Llib -lhello -Wl,--enable-new-dtags,-rpath,$L/lib &&
		cc -o bin/rpath src/main.c -Llib2 -lhello -Wl,--disable-new-dtags,-rpath,$L/lib2 &&
		./bin/runpath && bin/rpath"
	expect_rc 0
	expect_err_empty
	expect_out "lib new" "LD_LIBRARY_PATH=(unset)" "lib upper only" "LD_LIBRARY_PATH=(unset)"
	# started by overlay-run itself, through env
	ovl "$L/bin/runpath"
	expect_out "lib new" "LD_LIBRARY_PATH=(unset)"
}

# RUNPATH $ORIGIN/../lib: a program rebuilt in the upper still finds the
# library only the lower has, and the upper's library wins over the lower's.
test_loader_origin() {
	command -v cc >/dev/null || skip "cc is not installed"
	cov_lib_project
	freeze "$L"
	ovl sh -c 'cc -o bin/prog src/main.c -Llib -lhello -Wl,-rpath,"\$ORIGIN/../lib" && bin/prog &&
		cc -shared -fPIC -DVERSION="\"new\"" -o lib/libhello.so src/lib.c && bin/prog'
	expect_rc 0
	expect_err_empty
	expect_out "lib old" "LD_LIBRARY_PATH=(unset)" "lib new" "LD_LIBRARY_PATH=(unset)"
}

# A Unix socket bound in the mount is made in the upper; a client connects
# by the same virtual path; a name the lower has is in use.
test_unix_sockets() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	put "$L/taken" x
	mkdir "$L/run"
	freeze "$L"
	ovl python3 -c 'import socket, os, stat
s = socket.socket(socket.AF_UNIX); s.bind("run/sock"); s.listen(1)
print(stat.S_ISSOCK(os.stat("run/sock").st_mode))
c = socket.socket(socket.AF_UNIX); c.connect("run/sock"); a, _ = s.accept()
c.sendall(b"hi"); print(a.recv(2).decode())
try:
    socket.socket(socket.AF_UNIX).bind("taken")
except OSError as e:
    print(e.strerror)
try:
    socket.socket(socket.AF_UNIX).connect("run/none")
except OSError as e:
    print(e.strerror)'
	expect_rc 0
	expect_err_empty
	expect_out True hi "Address already in use" "No such file or directory"
	[[ -S $U/run/sock ]] || fail "the socket is not in the upper"
	# an upper path too long for sun_path goes through /proc/self/fd
	local long
	long=$T/$(printf 'u%.0s' {1..60})/$(printf 'v%.0s' {1..60})
	run_ovl -C "$L" --upper "$long" --lower "$L" -- python3 -c 'import socket
s = socket.socket(socket.AF_UNIX); s.bind("run/s2"); s.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect("run/s2"); print("ok")'
	expect_rc 0
	expect_out ok
	[[ -S $long/run/s2 ]] || fail "the socket is not in the long upper"
}

# inotify watches the object the view shows.
test_inotify_watch() {
	put "$L/low" x
	put "$U/updir/f" y
	freeze "$L"
	cov_cc inot <<'EOF'
#include <stdio.h>
#include <unistd.h>
#include <sys/inotify.h>
int main(void)
{
	char buf[4096];
	int fd = inotify_init();
	printf("%d %d %d\n", inotify_add_watch(fd, "updir", IN_CREATE) > 0,
	       inotify_add_watch(fd, "low", IN_ATTRIB) > 0, inotify_add_watch(fd, "missing", IN_ATTRIB));
	FILE *f = fopen("updir/new", "w");
	fclose(f);
	ssize_t n = read(fd, buf, sizeof buf);
	struct inotify_event *e = (struct inotify_event *)buf;
	printf("%s\n", n > 0 && (e->mask & IN_CREATE) ? e->name : "no event");
	return 0;
}
EOF
	ovl "$T/inot"
	expect_rc 0
	expect_out "1 1 -1" new
}
