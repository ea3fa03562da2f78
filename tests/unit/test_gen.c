/*
 * The shared change counters (core/gen.c) on a hostile upper: a full disk,
 * a file whose pages were never allocated, garbage, racing creators, a file
 * removed or made unreadable.  The library must map only what is reserved
 * (a write through the map to an unallocated page of a full file system is
 * a SIGBUS) or run without the cache; it must never crash.
 *
 * The full-disk cases mount a small tmpfs over the upper in a private mount
 * namespace of the test's own process (criterion forks one per test);
 * they are skipped where that is not allowed.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define GEN_BYTES ((off_t)OVL_GEN_BYTES)

static int mounted;

static void fini(void)
{
	ovl_config_reset();
	if (mounted)
		umount2(T.upper, MNT_DETACH);
	mounted = 0;
	fx_teardown();
}

#define GEN(name) Test(gen, name, .init = fx_setup, .fini = fini)

/* A tmpfs of the given options over the upper, visible to this process
 * only. */
static void upper_tmpfs(const char *opts)
{
	if (unshare(CLONE_NEWNS) < 0)
		cr_skip_test("unshare(CLONE_NEWNS): %s", strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0, "%s", strerror(errno));
	if (mount("tmpfs", T.upper, "tmpfs", 0, opts) < 0)
		cr_skip_test("mount tmpfs: %s", strerror(errno));
	mounted = 1;
}

/* Write zeros into path until the file system is full. */
static void fill(const char *path)
{
	static const char zero[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert_geq(fd, 0);
	while (write(fd, zero, sizeof zero) > 0)
		;
	cr_assert_eq(errno, ENOSPC, "filling %s: %s", path, strerror(errno));
	close(fd);
}

static const char *gen_path(void) { return UP(OVL_GEN_FILE); }

/* The counter file at full size without a single allocated page. */
static void sparse_gen_file(void)
{
	int fd = open(gen_path(), O_WRONLY | O_CREAT | O_EXCL, 0600);

	cr_assert_geq(fd, 0, "%s", strerror(errno));
	cr_assert_eq(ftruncate(fd, GEN_BYTES), 0);
	close(fd);
}

static const struct ovl_mount *m0(void) { return ovl_mount_at(0); }

/* Lookups, a listing and a failed create on the upper: what a process does
 * first; none of it may crash. */
static void use_the_view(void)
{
	struct stat st;
	int err = 0;

	cr_assert_eq(v_lstat(MNT("f"), &st), 0);
	cr_assert_eq(v_lstat(MNT("f"), &st), 0);
	cr_assert_eq(v_lstat(MNT("missing"), &st), -ENOENT);
	char *l = v_list(MNT(""), &err);
	cr_assert_not_null(l, "listing: %d", err);
	free(l);
	expect_content(MNT("f"), "lower");
}

static int temporaries(void) { return count_prefixed(T.upper, OVL_INTERNAL "gen."); }

/* The counters work: a change made through the view is seen at once. */
static void caching_works(void)
{
	struct stat st;

	cr_assert_eq(v_lstat(MNT("new"), &st), -ENOENT);
	cr_assert_eq(v_lstat(MNT("new"), &st), -ENOENT);
	cr_assert_eq(v_write(MNT("new"), "x"), 0);
	cr_assert_eq(v_lstat(MNT("new"), &st), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("new"), 0), 0);
	cr_assert_eq(v_lstat(MNT("new"), &st), -ENOENT);
}

static void reserved(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_geq(st.st_size, GEN_BYTES);
	cr_assert_geq((off_t)st.st_blocks * 512, GEN_BYTES, "only %ld blocks", (long)st.st_blocks);
	close(fd);
}

/* No room for the file at all: no counters, no crash, no temporary left. */
GEN(full_upper_without_the_file)
{
	write_file(L1("f"), "lower");
	upper_tmpfs("size=64k");
	fill(UP("fill"));
	mount_std(1);
	cr_assert_null(ovl_gen_map(m0()));
	use_the_view();
	cr_assert_eq(v_write(MNT("g"), "x"), -ENOSPC);
	cr_assert_eq(temporaries(), 0);
	cr_assert(!exists(gen_path()), "a counter file without its pages");
}

/* The file exists with its size, but its pages were never allocated (an
 * older library extended it with ftruncate): mapping it would fault on the
 * first write. */
GEN(full_upper_with_a_sparse_file)
{
	write_file(L1("f"), "lower");
	upper_tmpfs("size=1m");
	sparse_gen_file();
	fill(UP("fill"));
	mount_std(1);
	cr_assert_null(ovl_gen_map(m0()));
	use_the_view();
	ovl_gen_bump(m0(), "f"); /* a writer retries: still no crash */
	ovl_gen_bump_all(m0());
	cr_assert_null(ovl_gen_map(m0()));
}

/* The same file with room on the disk: its pages are reserved, then
 * mapped. */
GEN(sparse_file_is_reserved)
{
	write_file(L1("f"), "lower");
	upper_tmpfs("size=4m");
	sparse_gen_file();
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	reserved(gen_path());
	use_the_view();
	caching_works();
}

/* A file of the right size, allocated, but the disk now full: mapped, and
 * every write through the map lands on reserved pages. */
GEN(allocated_file_on_a_full_upper)
{
	write_file(L1("f"), "lower");
	upper_tmpfs("size=1m");
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	ovl_config_reset();
	fill(UP("fill"));
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	for (int i = 0; i < OVL_GEN_SLOTS; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "n%d", i);
		ovl_gen_bump(m0(), rel);
	}
	use_the_view();
}

/* Created fresh: full size, every page allocated, under its name at once
 * (no temporary left), and the upper root keeps its times. */
GEN(new_file_is_complete)
{
	struct stat before, after;

	write_file(L1("f"), "lower");
	set_mtime(T.upper, 1600000000, 0);
	cr_assert_eq(stat(T.upper, &before), 0);
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	reserved(gen_path());
	cr_assert_eq(temporaries(), 0);
	cr_assert_eq(stat(T.upper, &after), 0);
	cr_assert_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	cr_assert_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	caching_works();
}

/* Too short (an older or damaged file): extended and reserved, not a
 * fault past its end. */
GEN(short_file_is_extended)
{
	write_file(L1("f"), "lower");
	write_file(gen_path(), "garbage, and far too short");
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	reserved(gen_path());
	use_the_view();
	caching_works();
}

/* Garbage counters are only counters: the view stays right. */
GEN(garbage_contents_are_harmless)
{
	char *junk = malloc(GEN_BYTES);

	for (off_t i = 0; i < GEN_BYTES; i++)
		junk[i] = (char)(i * 131 + 7);
	int fd = open(gen_path(), O_WRONLY | O_CREAT, 0600);
	cr_assert_eq(write(fd, junk, GEN_BYTES), GEN_BYTES);
	close(fd);
	free(junk);
	write_file(L1("f"), "lower");
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	use_the_view();
	caching_works();
}

/* Not a regular file under the name: no counters, no crash. */
GEN(not_a_file)
{
	write_file(L1("f"), "lower");
	mkdirs(gen_path());
	mount_std(1);
	cr_assert_null(ovl_gen_map(m0()));
	use_the_view();
	caching_works();
}

/* Removed while mapped: this process keeps its map; a new one makes a new
 * file.  Neither crashes. */
GEN(removed_file)
{
	write_file(L1("f"), "lower");
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	cr_assert_eq(unlink(gen_path()), 0);
	use_the_view();
	caching_works();
	ovl_config_reset();
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	reserved(gen_path());
	caching_works();
}

/* chmod 000: root opens it anyway; another owner gets the mode back (the
 * file is the library's own), so caching still works. */
GEN(unreadable_file)
{
	write_file(L1("f"), "lower");
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0())); /* makes the file */
	ovl_config_reset();
	cr_assert_eq(chmod(gen_path(), 0), 0);
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	use_the_view();

	if (getuid() != 0)
		return;
	/* as an unprivileged owner */
	ovl_config_reset();
	cr_assert_eq(chmod(T.root, 0755), 0);
	char cmd[2 * PATH_MAX + 64];
	snprintf(cmd, sizeof cmd, "chown -R 65534:65534 '%s' '%s'", T.upper, T.lower1);
	cr_assert_eq(system(cmd), 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(3);
		mount_std(1);
		_exit(ovl_gen_map(m0()) ? 0 : 4);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died: signal %d", WTERMSIG(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "owner without counters (%d)", WEXITSTATUS(status));
	struct stat st;
	cr_assert_eq(stat(gen_path(), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

/* Many processes creating the file at once agree on one file: every bump
 * of every process lands in it. */
GEN(racing_creators_share_one_file)
{
	enum { KIDS = 8, BUMPS = 200 };
	int go[2];

	write_file(L1("f"), "lower");
	cr_assert_eq(pipe(go), 0);
	for (int k = 0; k < KIDS; k++) {
		if (fork() == 0) {
			char c, rel[16];
			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(2);
			mount_std(1);
			if (!ovl_gen_map(m0()))
				_exit(3);
			snprintf(rel, sizeof rel, "k%d", k);
			for (int i = 0; i < BUMPS; i++)
				ovl_gen_bump(m0(), rel);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]); /* all start at once */
	for (int k = 0; k < KIDS; k++) {
		int status;
		cr_assert_gt(wait(&status), 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %#x", status);
	}
	cr_assert_eq(temporaries(), 0);
	reserved(gen_path());
	mount_std(1);
	cr_assert_not_null(ovl_gen_map(m0()));
	for (int k = 0; k < KIDS; k++) {
		char rel[16];
		snprintf(rel, sizeof rel, "k%d", k);
		uint64_t h = ovl_gen_hash(rel, strlen(rel));
		/* the epoch part aside, each name's slot counts every bump (no
		 * two of these names share a slot) */
		cr_assert_geq(ovl_gen_name(ovl_gen_map(m0()), h) & ((1ULL << 40) - 1), BUMPS,
			      "bumps of %s lost", rel);
	}
}

/* ---- ovl_temp_name ------------------------------------------------------ */

static unsigned long long start_time(pid_t pid)
{
	char p[64], buf[1024], *s;
	unsigned long long v = 0;
	size_t n;
	FILE *f;

	snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(p, "r")))
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields 3.. follow the last ')'; the start time is field 22 */
	if (!(s = strrchr(buf, ')')))
		return 0;
	for (int field = 3; field <= 22 && (s = strchr(s, ' ')); field++)
		if (field == 22)
			v = strtoull(++s, NULL, 10);
		else
			s++;
	return v;
}

/* 1 when name is "/d/.wh..wh.copyup.PID.START.TID.N" for this process and
 * thread (no criterion asserts: also called in a child). */
static int name_ok(const char *name, pid_t pid)
{
	char want[128];
	unsigned long long n;
	int tid;

	snprintf(want, sizeof want, "/d/" OVL_INTERNAL "copyup.%d.%llu.", (int)pid, start_time(pid));
	if (strncmp(name, want, strlen(want)) != 0 ||
	    sscanf(name + strlen(want), "%d.%llu", &tid, &n) != 2 || tid != (int)syscall(SYS_gettid)) {
		fprintf(stderr, "%s is not %sTID.N\n", name, want);
		return 0;
	}
	return 1;
}

/* The owner's pid and start time are in the name, so that a reclaimer can
 * tell a dead owner from a live one even when the pid was reused. */
Test(gen, temp_name_records_the_owner)
{
	char a[PATH_MAX], b[PATH_MAX];

	cr_assert_eq(ovl_temp_name("/d/x", "copyup", a, sizeof a), 0);
	cr_assert_eq(ovl_temp_name("/d/x", "copyup", b, sizeof b), 0);
	cr_assert_str_neq(a, b);
	cr_assert(name_ok(a, getpid()));
	pid_t pid = fork();
	if (pid == 0) {
		char c[PATH_MAX];
		ovl_temp_name("/d/x", "copyup", c, sizeof c);
		_exit(name_ok(c, getpid()) ? 0 : 1);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %#x", status);
	cr_assert_eq(ovl_temp_name("/d/x", "copyup", a, 24), -ENAMETOOLONG);
}
