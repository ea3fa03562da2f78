/*
 * Copy-up (DESIGN.md section 3 "Copy-up"): what triggers it and what does
 * not, what it keeps (content, mode, owner, times, user.* xattrs, holes),
 * O_TRUNC copying no data, parents created with the lower's mode, atomic
 * publication and two processes copying up the same file.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "helpers.h"

#define COPYUP(name, ...) \
	Test(copyup, name, .init = fx_setup, .fini = fx_teardown, ##__VA_ARGS__)

static void expect_upper(const char *rel, const char *content, mode_t mode)
{
	struct stat st;
	cr_assert_eq(lstat(UP(rel), &st), 0, "%s not in the upper", rel);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, mode, "mode of %s: %o, want %o", rel,
		     st.st_mode & 07777, mode);
	char *s = read_file(UP(rel));
	cr_assert_not_null(s);
	cr_assert_str_eq(s, content, "content of upper %s", rel);
	free(s);
}

COPYUP(for_write_keeps_content_mode_and_mtime)
{
	mkdirs(L1("d"));
	write_file_mode(L1("d/f"), "lower content\n", 0640);
	set_mtime(L1("d/f"), 1000000000, 123456789);
	snap_lowers();
	mount_std(1);

	struct ovl_res r;
	cr_assert_eq(ovl_for_write(AT_FDCWD, MNT("d/f"), 0, &r), 0);
	cr_assert_eq(r.layer, 0);
	cr_assert_str_eq(r.real, UP("d/f"));
	expect_upper("d/f", "lower content\n", 0640);
	struct stat st;
	cr_assert_eq(stat(UP("d/f"), &st), 0);
	cr_assert_eq(st.st_mtim.tv_sec, 1000000000);
	cr_assert_eq(st.st_mtim.tv_nsec, 123456789);
	/* No temporary left next to it. */
	char *names = tree_names(T.upper);
	cr_assert_str_eq(names, "d d/f");
	free(names);
	check_lowers();
}

COPYUP(write_open_modes_copy_up)
{
	static const struct { const char *name; int flags; } cases[] = {
		{ "wronly", O_WRONLY },
		{ "rdwr", O_RDWR },
		{ "append", O_WRONLY | O_APPEND },
		{ "rdonly_trunc", O_RDONLY | O_TRUNC },
		{ "creat_rdwr", O_CREAT | O_RDWR },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		write_file_mode(L1(cases[i].name), "data", 0604);
	snap_lowers();
	mount_std(1);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int fd = v_open(MNT(cases[i].name), cases[i].flags, 0644);
		cr_assert(fd >= 0, "%s: %d", cases[i].name, fd);
		/* Copied up at open, before anything is written (O_TRUNC
		 * empties even a read-only open). */
		expect_upper(cases[i].name, cases[i].flags & O_TRUNC ? "" : "data", 0604);
		close(fd);
	}
	check_lowers();
}

/* O_RDONLY|O_APPEND gives no way to write: the kernel's overlayfs copies
 * nothing up for it (a copy-up would break the lower's hard links). */
COPYUP(rdonly_append_copies_nothing)
{
	write_file_mode(L1("f"), "data", 0604);
	snap_lowers();
	mount_std(1);
	int fd = v_open(MNT("f"), O_RDONLY | O_APPEND, 0);
	cr_assert(fd >= 0, "open: %d", fd);
	close(fd);
	struct stat st;
	cr_assert_neq(lstat(UP("f"), &st), 0, "f was copied up");
	check_lowers();
}

COPYUP(read_only_access_writes_nothing)
{
	mkdirs(L1("a/b"));
	write_file(L1("a/b/f"), "x");
	make_symlink("b/f", L1("a/link"));
	mkdirs(L2("a/c"));
	write_file(L2("a/c/g"), "y");
	snap_lowers();
	mount_std(2);

	struct ovl_res r;
	struct stat st;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a/b/f"), 0, &r), 0);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a/link"), 0, &r), 0);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a/link"), OVL_NOFOLLOW, &r), 0);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a/c/g"), 0, &r), 0);
	cr_assert_eq(v_stat(MNT("a/b/f"), &st), 0);
	cr_assert_eq(v_lstat(MNT("a"), &st), 0);
	int fd = v_open(MNT("a/b/f"), O_RDONLY, 0);
	cr_assert(fd >= 0, "%d", fd);
	close(fd);
	fd = v_open(MNT("a/c/g"), O_RDONLY | O_CREAT, 0644);
	cr_assert(fd >= 0, "%d", fd);
	close(fd);
	fd = v_open(MNT("a"), O_RDONLY | O_DIRECTORY, 0);
	cr_assert(fd >= 0, "%d", fd);
	close(fd);
	int err = 0;
	char *s = v_list(MNT("a"), &err);
	cr_assert_not_null(s, "%d", err);
	free(s);
	/* Failed lookups do not create anything either. */
	cr_assert_eq(v_open(MNT("a/b/missing"), O_RDONLY, 0), -ENOENT);
	check_upper_empty();
	check_lowers();
}

COPYUP(parents_created_with_lower_mode)
{
	mkdirs_mode(L1("a"), 0751);
	mkdirs_mode(L1("a/b"), 0705);
	mkdirs_mode(L1("a/b/c"), 0700);
	write_file(L1("a/b/c/f"), "deep");
	/* Parents come from the topmost lower that has them. */
	mkdirs_mode(L2("a"), 0777);
	snap_lowers();
	mount_std(2);

	cr_assert_eq(v_append(MNT("a/b/c/f"), "+"), 0);
	struct stat st;
	cr_assert_eq(stat(UP("a"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0751, "a: %o", st.st_mode & 07777);
	cr_assert_eq(stat(UP("a/b"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0705, "a/b: %o", st.st_mode & 07777);
	cr_assert_eq(stat(UP("a/b/c"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700, "a/b/c: %o", st.st_mode & 07777);
	expect_upper("a/b/c/f", "deep+", 0644);
	check_lowers();
}

COPYUP(copy_up_from_lower2_under_lower1_dir)
{
	mkdirs_mode(L1("d"), 0750);
	mkdirs_mode(L2("d"), 0700);
	write_file_mode(L2("d/f"), "from lower2", 0600);
	snap_lowers();
	mount_std(2);
	struct ovl_res r;
	cr_assert_eq(ovl_for_write(AT_FDCWD, MNT("d/f"), 0, &r), 0);
	cr_assert_str_eq(r.real, UP("d/f"));
	expect_upper("d/f", "from lower2", 0600);
	struct stat st;
	cr_assert_eq(stat(UP("d"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0750);
	check_lowers();
}

COPYUP(keeps_owner)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to give the lower file another owner");
	write_file(L1("owned"), "x");
	cr_assert_eq(lchown(L1("owned"), 1234, 5678), 0);
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_write(AT_FDCWD, MNT("owned"), 0, &r), 0);
	struct stat st;
	cr_assert_eq(lstat(UP("owned"), &st), 0);
	cr_assert_eq(st.st_uid, 1234);
	cr_assert_eq(st.st_gid, 5678);
}

COPYUP(keeps_user_xattrs)
{
	write_file(L1("x"), "x");
	if (setxattr(L1("x"), "user.test", "value", 5, 0) != 0) {
		if (errno == ENOTSUP || errno == EOPNOTSUPP)
			cr_skip_test("the file system of /tmp lacks user xattrs");
		cr_assert_fail("setxattr: %s", strerror(errno));
	}
	cr_assert_eq(setxattr(L1("x"), "user.other", "", 0, 0), 0);
	snap_lowers();
	mount_std(1);
	cr_assert_eq(v_append(MNT("x"), "y"), 0);
	char buf[64] = "";
	cr_assert_eq(getxattr(UP("x"), "user.test", buf, sizeof buf), 5,
		     "user.test not copied: %s", strerror(errno));
	cr_assert_str_eq(buf, "value");
	cr_assert_eq(getxattr(UP("x"), "user.other", buf, sizeof buf), 0);
	check_lowers();
}

COPYUP(keeps_holes)
{
	const off_t size = 64 << 20;
	int fd = open(L1("sparse"), O_WRONLY | O_CREAT, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, size), 0);
	cr_assert_eq(pwrite(fd, "middle", 6, 32 << 20), 6);
	cr_assert_eq(pwrite(fd, "end", 3, size - 3), 3);
	close(fd);
	struct stat st;
	cr_assert_eq(stat(L1("sparse"), &st), 0);
	if (st.st_blocks > 2048)
		cr_skip_test("the file system of /tmp does not keep holes");
	snap_lowers();
	mount_std(1);

	fd = v_open(MNT("sparse"), O_RDWR, 0);
	cr_assert(fd >= 0, "%d", fd);
	char buf[8] = "";
	cr_assert_eq(pread(fd, buf, 6, 32 << 20), 6);
	cr_assert_str_eq(buf, "middle");
	close(fd);

	cr_assert_eq(stat(UP("sparse"), &st), 0);
	cr_assert_eq(st.st_size, size);
	/* 1 MiB of blocks at most, where the data alone is 64 MiB. */
	cr_assert(st.st_blocks <= 2048, "copy-up filled the holes: %lld blocks",
		  (long long)st.st_blocks);
	fd = open(UP("sparse"), O_RDONLY);
	cr_assert(fd >= 0);
	memset(buf, 0, sizeof buf);
	cr_assert_eq(pread(fd, buf, 6, 32 << 20), 6);
	cr_assert_str_eq(buf, "middle");
	memset(buf, 0, sizeof buf);
	cr_assert_eq(pread(fd, buf, 3, size - 3), 3);
	cr_assert_str_eq(buf, "end");
	memset(buf, 'x', sizeof buf);
	cr_assert_eq(pread(fd, buf, 4, 1 << 20), 4);
	cr_assert(buf[0] == 0 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0);
	close(fd);
	check_lowers();
}

COPYUP(o_trunc_copies_no_data)
{
	char big[8192];
	memset(big, 'L', sizeof big - 1);
	big[sizeof big - 1] = 0;
	write_file_mode(L1("f"), big, 0640);
	write_file_mode(L1("g"), big, 0640);
	snap_lowers();
	mount_std(1);

	/* After ovl_for_open and before the caller's own O_TRUNC open, the
	 * upper copy already holds no data: none was copied. */
	struct ovl_res r;
	cr_assert_eq(ovl_for_open(AT_FDCWD, MNT("f"), O_WRONLY | O_TRUNC, &r), 0);
	cr_assert_str_eq(r.real, UP("f"));
	struct stat st;
	cr_assert_eq(stat(UP("f"), &st), 0);
	cr_assert_eq(st.st_size, 0, "O_TRUNC copy-up copied %lld bytes", (long long)st.st_size);
	cr_assert_eq(st.st_mode & 07777, 0640);

	/* The same through ovl_copy_up's skip_data. */
	cr_assert_eq(ovl_copy_up(ovl_mount_at(0), "g", 1, 1), 0);
	cr_assert_eq(stat(UP("g"), &st), 0);
	cr_assert_eq(st.st_size, 0);
	cr_assert_eq(st.st_mode & 07777, 0640);
	check_lowers();
}

COPYUP(copy_up_direct_and_idempotent)
{
	mkdirs(L2("x/y"));
	write_file(L2("x/y/f"), "original");
	snap_lowers();
	mount_std(2);
	const struct ovl_mount *m = ovl_mount_at(0);
	cr_assert_not_null(m);
	cr_assert_eq(ovl_copy_up(m, "x/y/f", 2, 0), 0);
	expect_upper("x/y/f", "original", 0644);
	/* Change the upper copy, then copy up again: the upper wins. */
	write_file(UP("x/y/f"), "changed");
	cr_assert_eq(ovl_copy_up(m, "x/y/f", 2, 0), 0);
	expect_upper("x/y/f", "changed", 0644);
	struct ovl_res r;
	cr_assert_eq(ovl_for_write(AT_FDCWD, MNT("x/y/f"), 0, &r), 0);
	expect_upper("x/y/f", "changed", 0644);
	cr_assert_eq(v_append(MNT("x/y/f"), "!"), 0);
	expect_upper("x/y/f", "changed!", 0644);
	cr_assert_eq(count_prefixed(UP("x/y"), OVL_INTERNAL), 0);
	check_lowers();
}

COPYUP(copy_up_dirs_only)
{
	mkdirs_mode(L1("p/q"), 0710);
	write_file(L1("p/q/f"), "f");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_copy_up_dirs(ovl_mount_at(0), "p/q"), 0);
	cr_assert(is_dir(UP("p/q")));
	struct stat st;
	cr_assert_eq(stat(UP("p/q"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0710);
	cr_assert(!exists(UP("p/q/f")), "copy_up_dirs copied a file");
	/* The file still shows, from the lower. */
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("p/q/f"), 0, &r), 0);
	cr_assert_str_eq(r.real, L1("p/q/f"));
	check_lowers();
}

COPYUP(for_write_nofollow_copies_symlink_itself)
{
	write_file(L1("target"), "t");
	make_symlink("target", L1("link"));
	snap_lowers();
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_write(AT_FDCWD, MNT("link"), OVL_NOFOLLOW, &r), 0);
	cr_assert_str_eq(r.real, UP("link"));
	cr_assert(is_symlink(UP("link")));
	char buf[64] = "";
	cr_assert_eq(readlink(UP("link"), buf, sizeof buf - 1), 6);
	cr_assert_str_eq(buf, "target");
	cr_assert(!exists(UP("target")), "the link's target was copied up too");
	check_lowers();
}

COPYUP(for_write_follows_symlink_to_target)
{
	write_file(L1("target"), "t");
	make_symlink("target", L1("link"));
	snap_lowers();
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_write(AT_FDCWD, MNT("link"), 0, &r), 0);
	cr_assert_str_eq(r.real, UP("target"));
	expect_upper("target", "t", 0644);
	cr_assert(!exists(UP("link")));
	check_lowers();
}

COPYUP(reader_opened_before_copy_up_keeps_lower)
{
	/* Documented in DESIGN.md: a read-only descriptor opened before the
	 * copy-up keeps reading the lower copy (kernels before 4.19 alike). */
	write_file(L1("f"), "old");
	snap_lowers();
	mount_std(1);
	int rfd = v_open(MNT("f"), O_RDONLY, 0);
	cr_assert(rfd >= 0);
	cr_assert_eq(v_write(MNT("f"), "new"), 0);
	char buf[8] = "";
	cr_assert_eq(read(rfd, buf, sizeof buf - 1), 3);
	cr_assert_str_eq(buf, "old");
	close(rfd);
	int err = 0;
	char *s = v_read(MNT("f"), &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, "new");
	free(s);
	check_lowers();
}

/* Two processes append to the same lower file at the same moment, many
 * times over.  Each must see a copy-up that the other's write reaches. */
COPYUP(concurrent_copy_up_keeps_both_writes)
{
	enum { ROUNDS = 40 };
	mkdirs(L1("d"));
	for (int i = 0; i < ROUNDS; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "d/f%d", i);
		write_file(L1(rel), "original\n");
	}
	snap_lowers();
	mount_std(1);

	for (int i = 0; i < ROUNDS; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "d/f%d", i);
		const char *v = MNT(rel);
		int gate[2];
		cr_assert_eq(pipe(gate), 0);
		pid_t pid[2];
		for (int c = 0; c < 2; c++) {
			pid[c] = fork();
			cr_assert(pid[c] >= 0);
			if (pid[c] == 0) {
				char b;
				close(gate[1]);
				if (read(gate[0], &b, 1) < 0)
					_exit(3);
				int fd = v_open(v, O_WRONLY | O_APPEND, 0);
				if (fd < 0)
					_exit(1);
				const char *line = c ? "child B\n" : "child A\n";
				if (write(fd, line, 8) != 8)
					_exit(2);
				close(fd);
				_exit(0);
			}
		}
		close(gate[0]);
		close(gate[1]);  /* both children wake up now */
		for (int c = 0; c < 2; c++) {
			int status;
			cr_assert_eq(waitpid(pid[c], &status, 0), pid[c]);
			cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
				  "round %d child %d failed: status %#x", i, c, status);
		}
		char *s = read_file(UP(rel));
		cr_assert_not_null(s, "round %d: no upper copy", i);
		cr_assert(strcmp(s, "original\nchild A\nchild B\n") == 0 ||
			  strcmp(s, "original\nchild B\nchild A\n") == 0,
			  "round %d: upper holds \"%s\"", i, s);
		free(s);
	}
	cr_assert_eq(count_prefixed(UP("d"), OVL_INTERNAL), 0, "temporary left behind");
	cr_assert_eq(count_prefixed(T.upper, OVL_INTERNAL), 0, "temporary left behind");
	check_lowers();
}
