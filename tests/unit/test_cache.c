/*
 * The lookup cache must never serve an answer that a change made before the
 * question outdated: not in the process that changed, and not in another
 * process that had cached the old answer.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

#define CACHE(name) Test(cache, name, .init = fx_setup, .fini = fx_teardown)

/* Look the name up twice so that the second answer comes from the cache. */
static int seen(const char *vpath)
{
	struct stat st;
	v_lstat(vpath, &st);
	return v_lstat(vpath, &st) == 0;
}

CACHE(own_changes_are_seen_at_once)
{
	mkdirs(L1("d"));
	write_file(L1("d/f"), "lower");
	mount_std(1);
	cr_assert_eq(v_write(MNT("d/new"), "x"), 0); /* creates the counters */
	cr_assert(seen(MNT("d/f")));
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/f"), 0), 0);
	cr_assert(!seen(MNT("d/f")));
	cr_assert_eq(v_write(MNT("d/f"), "again"), 0);
	cr_assert(seen(MNT("d/f")));
	cr_assert_eq(ovl_rename(AT_FDCWD, MNT("d/f"), AT_FDCWD, MNT("d/g"), 0), 0);
	cr_assert(!seen(MNT("d/f")));
	cr_assert(seen(MNT("d/g")));
}

/* A directory moved away takes the cached answers below it along: a new
 * directory under the old name must not inherit them. */
CACHE(moved_directory_leaves_no_answers_behind)
{
	mount_std(1);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("a"), 0755), 0);
	cr_assert_eq(v_write(MNT("a/inner"), "x"), 0);
	cr_assert(seen(MNT("a/inner")));
	cr_assert_eq(ovl_rename(AT_FDCWD, MNT("a"), AT_FDCWD, MNT("b"), 0), 0);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("a"), 0755), 0);
	cr_assert(!seen(MNT("a/inner")));
	cr_assert(seen(MNT("b/inner")));
}

/* Two processes: the reader caches an answer, the writer changes it and
 * says so through a pipe; from then on the reader must see the change.
 * Many rounds, alternating create and unlink, so that a stale hit would
 * show. */
CACHE(other_process_changes_are_seen_after_the_writer_returns)
{
	int to_writer[2], to_reader[2];
	char name[64], c;

	mkdirs(L1("d"));
	mount_std(1);
	cr_assert_eq(v_write(MNT("d/seed"), "x"), 0);
	cr_assert_eq(pipe(to_writer), 0);
	cr_assert_eq(pipe(to_reader), 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(to_writer[1]);
		close(to_reader[0]);
		for (int i = 0; read(to_writer[0], &c, 1) == 1; i++) {
			snprintf(name, sizeof name, "d/f%d", i / 2);
			int rc = i % 2 == 0 ? v_write(MNT(name), "x")
					    : ovl_unlink(AT_FDCWD, MNT(name), 0);
			c = rc == 0 ? 'y' : 'n';
			if (write(to_reader[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(to_writer[0]);
	close(to_reader[1]);
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof name, "d/f%d", i / 2);
		int before = seen(MNT(name));
		cr_assert_eq(before, i % 2 == 1, "round %d: stale before the change", i);
		cr_assert_eq(write(to_writer[1], "go", 1), 1);
		cr_assert_eq(read(to_reader[0], &c, 1), 1);
		cr_assert_eq(c, 'y', "writer failed in round %d", i);
		cr_assert_eq(seen(MNT(name)), i % 2 == 0, "round %d: stale answer after the writer returned", i);
	}
	close(to_writer[1]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A reader leaves nothing in the upper but the internal counters file,
 * and that never shows in the view. */
CACHE(reading_leaves_only_the_hidden_counters)
{
	write_file(L1("f"), "x");
	mount_std(1);
	cr_assert(seen(MNT("f")));
	cr_assert(!seen(MNT("nope")));
	cr_assert(is_file(UP(OVL_GEN_FILE)));
	cr_assert(!seen(MNT(OVL_GEN_FILE)));
	check_upper_empty();
}

/* A listing teaches the cache what it saw; a change another process makes
 * afterwards must still be seen. */
CACHE(listing_answers_are_retired_by_changes)
{
	mkdirs(L1("d"));
	write_file(L1("d/gone"), "x");
	write_file(L1("d/kept"), "x");
	mount_std(1);
	cr_assert_eq(v_write(MNT("d/up"), "x"), 0);
	struct ovl_res r;
	struct ovl_dir *d;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("d"), 0, &r), 0);
	cr_assert_eq(ovl_dir_read(&r, &d), 0);
	ovl_dir_free(d);
	cr_assert(seen(MNT("d/gone")));
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(ovl_unlink(AT_FDCWD, MNT("d/gone"), 0) == 0 &&
		      ovl_unlink(AT_FDCWD, MNT("d/up"), 0) == 0 &&
		      v_write(MNT("d/new"), "y") == 0 ? 0 : 1);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert(!seen(MNT("d/gone")));
	cr_assert(!seen(MNT("d/up")));
	cr_assert(seen(MNT("d/new")));
	cr_assert(seen(MNT("d/kept")));
}

/* A directory asked often for names it lacks is listed once, and its
 * misses are then answered from memory: a name another process creates
 * there afterwards must still be found, in a lower-only directory (whose
 * upper part the creation makes) and in a merged one. */
CACHE(learned_directories_see_new_names)
{
	char name[64];

	mkdirs(L1("lo"));
	mkdirs(L1("both"));
	mkdirs(UP("both"));
	write_file(L1("lo/x"), "x");
	mount_std(1);
	cr_assert_eq(v_write(MNT("both/seed"), "x"), 0);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof name, "lo/miss%d", i);
		cr_assert(!seen(MNT(name)));
		snprintf(name, sizeof name, "both/miss%d", i);
		cr_assert(!seen(MNT(name)));
	}
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(v_write(MNT("lo/miss3"), "y") == 0 && v_write(MNT("both/miss3"), "y") == 0 &&
		      v_write(MNT("lo/brand-new"), "y") == 0 ? 0 : 1);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert(seen(MNT("lo/miss3")));
	cr_assert(seen(MNT("both/miss3")));
	cr_assert(seen(MNT("lo/brand-new")));
	cr_assert(!seen(MNT("lo/miss4")));
	cr_assert(seen(MNT("lo/x")));
}

/* The walk memo (memo.c) starts a path at its last component when the
 * thread walked to the same directory before.  A directory on the way
 * that another process moves, removes or replaces must end that: each of
 * these changes one directory of a path the reader has just walked, in a
 * child (its own memory: only the shared counters can tell the reader),
 * and the reader must then see the new tree. */
static void in_child(int (*change)(void))
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(-change() & 0xff);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "the change crashed");
	cr_assert_eq(WEXITSTATUS(status), 0, "the change failed with errno %d", WEXITSTATUS(status));
}

static int move_middle(void)
{
	int rc = ovl_rename(AT_FDCWD, MNT("a/b"), AT_FDCWD, MNT("a/c"), 0);
	return rc ? rc : ovl_mkdir(AT_FDCWD, MNT("a/b"), 0755);
}

static int remove_all(void)
{
	int rc = ovl_unlink(AT_FDCWD, MNT("a/b/f"), 0);
	if (!rc)
		rc = ovl_unlink(AT_FDCWD, MNT("a/b/g"), 0);
	if (!rc)
		rc = ovl_unlink(AT_FDCWD, MNT("a/b"), AT_REMOVEDIR);
	return rc ? rc : ovl_unlink(AT_FDCWD, MNT("a"), AT_REMOVEDIR);
}

static int remake_top(void)
{
	int rc = remove_all();
	if (!rc)
		rc = ovl_mkdir(AT_FDCWD, MNT("a"), 0755);
	return rc ? rc : ovl_mkdir(AT_FDCWD, MNT("a/b"), 0755);
}

static int top_becomes_file(void)
{
	int rc = remove_all();
	return rc ? rc : v_write(MNT("a"), "file");
}

/* a/b/f and a/b/g in the lower, or (in_upper) made through the view: the
 * kernel's overlayfs moves only directories of the upper (EXDEV). */
static void memo_case(int (*change)(void), int missing_error, int in_upper)
{
	struct stat st;

	mkdirs(L1("a"));
	if (!in_upper) {
		mkdirs(L1("a/b"));
		write_file(L1("a/b/f"), "lower");
		write_file(L1("a/b/g"), "lower");
	}
	snap_lowers();
	mount_std(1);
	cr_assert_eq(v_write(MNT("seed"), "x"), 0); /* creates the counters */
	if (in_upper) {
		cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("a/b"), 0755), 0);
		cr_assert_eq(v_write(MNT("a/b/f"), "upper"), 0);
		cr_assert_eq(v_write(MNT("a/b/g"), "upper"), 0);
	}
	cr_assert_eq(v_lstat(MNT("a/b/f"), &st), 0);
	cr_assert_eq(v_lstat(MNT("a/b/g"), &st), 0); /* from the memo */
	in_child(change);
	cr_assert_eq(v_lstat(MNT("a/b/f"), &st), -missing_error, "a stale walk found a/b/f");
	cr_assert_eq(v_lstat(MNT("a/b/g"), &st), -missing_error, "a stale walk found a/b/g");
	check_lowers();
}

CACHE(memo_forgets_a_moved_directory)
{
	memo_case(move_middle, ENOENT, 1);
	struct stat st;
	cr_assert_eq(v_lstat(MNT("a/c/f"), &st), 0);
}

CACHE(memo_forgets_a_removed_directory)
{
	memo_case(remake_top, ENOENT, 0);
}

CACHE(memo_forgets_a_directory_become_file)
{
	memo_case(top_becomes_file, ENOTDIR, 0);
}

/* Paths relative to the cwd are kept under their own directory part (the
 * cwd memo).  Stat as the shim does: the name ovl_kernel_name gives, which
 * is the caller's own path when the kernel reaches the directory's only
 * layer by it from its cwd. */
static int rel_lstat(const char *path, struct stat *st)
{
	struct ovl_res r;
	int rc = ovl_for_read(AT_FDCWD, path, OVL_NOFOLLOW, &r);

	if (rc < 0)
		return rc;
	return lstat(ovl_kernel_name(&r), st) ? -errno : 0;
}

static char cwd_before[PATH_MAX];

static void enter(const char *real)
{
	if (!cwd_before[0])
		cr_assert_not_null(getcwd(cwd_before, sizeof cwd_before));
	ovl_cwd_init();
	cr_assert_eq(chdir(real), 0);
	ovl_cwd_changed();
}

static void leave(void)
{
	cr_assert_eq(chdir(cwd_before), 0);
	ovl_cwd_changed();
}

static int make_in_sub(void)
{
	return v_write(MNT("d/sub/new"), "new");
}

/* Another process copies the lower-only directory up: the memo of "sub"
 * (one layer, the kernel's own name) must not send "sub/new" to the lower. */
CACHE(cwd_memo_forgets_a_directory_copied_up)
{
	struct stat st;

	mkdirs(L1("d/sub"));
	write_file(L1("d/sub/f"), "lower");
	mount_std(1);
	cr_assert_eq(v_write(MNT("seed"), "x"), 0); /* creates the counters */
	enter(L1("d"));
	cr_assert_eq(rel_lstat("sub/f", &st), 0);
	cr_assert_eq(rel_lstat("sub/g", &st), -ENOENT); /* from the memo */
	in_child(make_in_sub);
	cr_assert_eq(rel_lstat("sub/new", &st), 0, "a stale memo missed sub/new");
	cr_assert_eq(st.st_size, 3);
	cr_assert_eq(rel_lstat("sub/f", &st), 0);
	cr_assert_eq(st.st_size, 5);
	leave();
}

/* Two directories with the same relative name "sub/f" (4 and 12 bytes),
 * the cwd in the first, "sub/f" looked at from there. */
static void two_cwds(void)
{
	struct stat st;

	mkdirs(L1("a/sub"));
	mkdirs(L1("b/sub"));
	write_file(L1("a/sub/f"), "in a");
	write_file(L1("b/sub/f"), "in b, longer");
	mount_std(1);
	cr_assert_eq(v_write(MNT("seed"), "x"), 0);
	enter(L1("a"));
	cr_assert_eq(rel_lstat("sub/f", &st), 0);
}

/* "sub/f" is found in directory dir (a or b) */
static void sub_f_is(const char *dir, off_t size, const char *why)
{
	char rel[16];
	struct ovl_res r;
	struct stat st;

	snprintf(rel, sizeof rel, "%s/sub/f", dir);
	cr_assert_eq(ovl_for_read(AT_FDCWD, "sub/f", OVL_NOFOLLOW, &r), 0);
	cr_assert_str_eq(r.rel, rel, "%s", why);
	cr_assert_eq(rel_lstat("sub/f", &st), 0);
	cr_assert_eq(st.st_size, size, "%s", why);
}

/* The same relative name in another cwd is another directory. */
CACHE(cwd_memo_forgets_the_old_cwd)
{
	struct stat st;

	two_cwds();
	cr_assert_eq(rel_lstat("sub/f", &st), 0);
	enter(L1("b"));
	sub_f_is("b", 12, "the memo of a/sub served b/sub");
	leave();
}

/* The kernel's cwd is the upper's directory (d is merged) while sub is
 * the lower's alone: the kernel must get the lower's full name. */
CACHE(cwd_memo_names_another_layer_in_full)
{
	struct ovl_res r;

	mkdirs(L1("d/sub"));
	write_file(L1("d/sub/f"), "lower");
	mount_std(1);
	cr_assert_eq(v_write(MNT("d/up"), "upper"), 0);
	enter(UP("d"));
	for (int i = 0; i < 2; i++) { /* the second from the memo */
		cr_assert_eq(ovl_for_read(AT_FDCWD, "sub/f", OVL_NOFOLLOW, &r), 0);
		cr_assert_str_eq(ovl_kernel_name(&r), L1("d/sub/f"));
	}
	cr_assert_eq(ovl_for_read(AT_FDCWD, "up", OVL_NOFOLLOW, &r), 0);
	cr_assert_eq(r.layer, 0);
	leave();
}

/* A vfork child that moves shares its parent's memory, memos included, but
 * not its cwd: what it walks from its own cwd must not answer the parent. */
CACHE(cwd_memo_of_a_vfork_child_stays_its_own)
{
	struct stat st;
	int status;

	two_cwds();
	pid_t pid = vfork();
	if (pid == 0) {
		if (chdir(L1("b")) != 0)
			_exit(2);
		ovl_cwd_changed(); /* as the shim's chdir does */
		int ok = rel_lstat("sub/f", &st) == 0 && rel_lstat("sub/f", &st) == 0 &&
			 st.st_size == 12;
		_exit(ok ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child saw a's sub/f");
	sub_f_is("a", 4, "the parent took its vfork child's memo");
	leave();
}

/* The cwd memo of the cwd itself (the key of "f" is empty) must not answer
 * an empty path: that names nothing (ENOENT), as natively. */
CACHE(cwd_memo_leaves_the_empty_path_alone)
{
	struct ovl_res r;
	struct stat st;

	mkdirs(L1("d"));
	write_file(L1("d/f"), "lower");
	mount_std(1);
	cr_assert_eq(v_write(MNT("seed"), "x"), 0);
	enter(L1("d"));
	cr_assert_eq(rel_lstat("f", &st), 0);
	cr_assert_eq(rel_lstat("f", &st), 0);
	cr_assert_eq(ovl_for_read(AT_FDCWD, "", OVL_NOFOLLOW, &r), -ENOENT);
	cr_assert_eq(ovl_for_read(AT_FDCWD, "", OVL_NOFOLLOW | OVL_STAT, &r), -ENOENT);
	leave();
}
