/*
 * Changes to the namespace (DESIGN.md section 3 "Changes"): create, mkdir,
 * mknod, symlink, link, unlink and rmdir, with the whiteouts and opaque
 * markers they leave in the upper.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define DIROPS(name) Test(dirops, name, .init = fx_setup, .fini = fx_teardown)

/* ---- create ------------------------------------------------------------- */

DIROPS(create_new_file_lands_in_upper)
{
	mkdirs(L2("a/b"));
	snap_lowers();
	mount_std(2);
	cr_assert_eq(v_write(MNT("a/b/new"), "hello"), 0);
	cr_assert(is_file(UP("a/b/new")));
	char *s = read_file(UP("a/b/new"));
	cr_assert_str_eq(s, "hello");
	free(s);
	expect_content(MNT("a/b/new"), "hello");
	cr_assert(!exists(L1("a/b/new")) && !exists(L2("a/b/new")));
	check_lowers();
}

DIROPS(create_excl_considers_all_layers)
{
	write_file(L2("deep"), "lower2");
	write_file(UP("top"), "upper");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(v_open(MNT("deep"), O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
	cr_assert_eq(v_open(MNT("top"), O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
	cr_assert(!exists(UP("deep")));
	int fd = v_open(MNT("fresh"), O_CREAT | O_EXCL | O_WRONLY, 0600);
	cr_assert(fd >= 0, "%d", fd);
	close(fd);
	cr_assert(is_file(UP("fresh")));
	check_lowers();
}

DIROPS(create_excl_over_whiteout_removes_it)
{
	write_file(L1("f"), "old");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("f"), 0), 0);
	cr_assert(exists(UP(".wh.f")));
	int fd = v_open(MNT("f"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	cr_assert(fd >= 0, "O_EXCL over a whiteout: %d", fd);
	cr_assert_eq(write(fd, "new", 3), 3);
	close(fd);
	cr_assert(!exists(UP(".wh.f")), "whiteout left behind");
	expect_content(MNT("f"), "new");
	check_lowers();
}

DIROPS(create_excl_on_dangling_symlink_is_eexist)
{
	make_symlink("nowhere", L1("dangling"));
	snap_lowers();
	mount_std(1);
	cr_assert_eq(v_open(MNT("dangling"), O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
	check_upper_empty();
	check_lowers();
}

DIROPS(open_missing_without_creat_is_enoent)
{
	mkdirs(L1("d"));
	mount_std(1);
	cr_assert_eq(v_open(MNT("d/none"), O_RDONLY, 0), -ENOENT);
	cr_assert_eq(v_open(MNT("d/none"), O_WRONLY, 0), -ENOENT);
	check_upper_empty();
}

/* ---- mkdir -------------------------------------------------------------- */

DIROPS(mkdir_in_lower_dir_and_eexist)
{
	mkdirs_mode(L1("d"), 0750);
	mkdirs(L2("e"));
	write_file(L2("file"), "f");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("d/new"), 0755), 0);
	cr_assert(is_dir(UP("d/new")));
	struct stat st;
	cr_assert_eq(stat(UP("d"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0750, "parent copied up with mode %o",
		     st.st_mode & 07777);
	cr_assert_eq(v_type(MNT("d/new")), S_IFDIR);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("e"), 0755), -EEXIST);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("file"), 0755), -EEXIST);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("d/new"), 0755), -EEXIST);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("nodir/x"), 0755), -ENOENT);
	cr_assert(!exists(UP("e")) && !exists(UP("file")));
	check_lowers();
}

DIROPS(mkdir_over_whiteout_is_opaque)
{
	mkdirs(L1("d"));
	write_file(L1("d/a"), "a");
	mkdirs(L2("d/sub"));
	write_file(L2("d/b"), "b");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/a"), 0), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/b"), 0), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/sub"), AT_REMOVEDIR), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d"), AT_REMOVEDIR), 0);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("d"), 0700), 0);
	cr_assert(!exists(UP(".wh.d")));
	cr_assert(exists(UP("d/" OVL_OPAQUE)), "recreated dir not opaque");
	expect_list(MNT("d"), ".:d,..:d");
	cr_assert_eq(v_type(MNT("d/a")), -ENOENT);
	cr_assert_eq(v_type(MNT("d/b")), -ENOENT);
	cr_assert_eq(v_type(MNT("d/sub")), -ENOENT);
	/* And it works as a directory. */
	cr_assert_eq(v_write(MNT("d/c"), "c"), 0);
	expect_list(MNT("d"), ".:d,..:d,c:f");
	check_lowers();
}

/* ---- mknod, symlink ----------------------------------------------------- */

DIROPS(mknod_fifo_in_upper)
{
	mkdirs(L1("d"));
	write_file(L1("d/taken"), "");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_mknod(AT_FDCWD, MNT("d/fifo"), S_IFIFO | 0640, 0), 0);
	struct stat st;
	cr_assert_eq(lstat(UP("d/fifo"), &st), 0);
	cr_assert(S_ISFIFO(st.st_mode));
	cr_assert_eq(v_type(MNT("d/fifo")), S_IFIFO);
	cr_assert_eq(ovl_mknod(AT_FDCWD, MNT("d/taken"), S_IFIFO | 0640, 0), -EEXIST);
	check_lowers();
}

DIROPS(symlink_created_in_upper)
{
	mkdirs(L1("d"));
	write_file(L1("d/t"), "target content");
	write_file(L1("d/taken"), "");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_symlink("t", AT_FDCWD, MNT("d/s")), 0);
	cr_assert(is_symlink(UP("d/s")));
	char buf[16] = "";
	cr_assert_eq(readlink(UP("d/s"), buf, sizeof buf - 1), 1);
	cr_assert_str_eq(buf, "t");
	/* Followed in the virtual namespace: the target is in lower1. */
	expect_content(MNT("d/s"), "target content");
	cr_assert_eq(ovl_symlink("t", AT_FDCWD, MNT("d/taken")), -EEXIST);
	check_lowers();
}

DIROPS(symlink_over_whiteout_removes_it)
{
	write_file(L1("s"), "old file");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("s"), 0), 0);
	cr_assert_eq(ovl_symlink("elsewhere", AT_FDCWD, MNT("s")), 0);
	cr_assert(!exists(UP(".wh.s")));
	cr_assert_eq(v_type(MNT("s")), S_IFLNK);
	check_lowers();
}

/* ---- link --------------------------------------------------------------- */

DIROPS(link_copies_up_source_and_shares_inode)
{
	mkdirs(L1("d"));
	write_file_mode(L1("d/f"), "data", 0640);
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_link(AT_FDCWD, MNT("d/f"), AT_FDCWD, MNT("g"), 0), 0);
	struct stat a, b;
	cr_assert_eq(lstat(UP("d/f"), &a), 0, "source not copied up");
	cr_assert_eq(lstat(UP("g"), &b), 0, "link not in the upper");
	cr_assert_eq(a.st_ino, b.st_ino);
	cr_assert_eq(a.st_dev, b.st_dev);
	cr_assert_eq(a.st_nlink, 2);
	cr_assert_eq(a.st_mode & 07777, 0640);
	expect_content(MNT("g"), "data");
	/* A write through one name shows through the other. */
	cr_assert_eq(v_append(MNT("g"), "+"), 0);
	expect_content(MNT("d/f"), "data+");
	check_lowers();
}

DIROPS(link_errors)
{
	mkdirs(L1("dir"));
	write_file(L1("f"), "f");
	write_file(L2("taken"), "t");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_link(AT_FDCWD, MNT("dir"), AT_FDCWD, MNT("dir2"), 0), -EPERM);
	cr_assert_eq(ovl_link(AT_FDCWD, MNT("f"), AT_FDCWD, MNT("taken"), 0), -EEXIST);
	cr_assert_eq(ovl_link(AT_FDCWD, MNT("none"), AT_FDCWD, MNT("x"), 0), -ENOENT);
	cr_assert(!exists(UP("dir2")));
	cr_assert(!exists(UP("x")));
	check_lowers();
}

DIROPS(link_over_whiteout_removes_it)
{
	write_file(L1("f"), "f");
	write_file(L1("g"), "old g");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("g"), 0), 0);
	cr_assert_eq(ovl_link(AT_FDCWD, MNT("f"), AT_FDCWD, MNT("g"), 0), 0);
	cr_assert(!exists(UP(".wh.g")));
	expect_content(MNT("g"), "f");
	check_lowers();
}

/* ---- unlink ------------------------------------------------------------- */

DIROPS(unlink_upper_only_leaves_no_whiteout)
{
	mkdirs(L1("d"));
	snap_lowers();
	mount_std(1);
	cr_assert_eq(v_write(MNT("d/new"), "n"), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/new"), 0), 0);
	cr_assert(!exists(UP("d/new")));
	cr_assert(!exists(UP("d/.wh.new")), "whiteout for an upper-only file");
	cr_assert_eq(v_type(MNT("d/new")), -ENOENT);
	check_lowers();
}

DIROPS(unlink_upper_and_lower_leaves_whiteout)
{
	write_file(L1("f"), "lower");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(v_write(MNT("f"), "upper"), 0);
	cr_assert(is_file(UP("f")));
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("f"), 0), 0);
	cr_assert(!exists(UP("f")));
	cr_assert(exists(UP(".wh.f")));
	cr_assert_eq(v_type(MNT("f")), -ENOENT);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("f"), 0), -ENOENT);
	check_lowers();
}

DIROPS(unlink_lower2_file_and_symlink)
{
	mkdirs(L2("d"));
	write_file(L2("d/f"), "f");
	make_symlink("f", L2("d/l"));
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/f"), 0), 0);
	/* unlink removes the link, not what it points to. */
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/l"), 0), 0);
	cr_assert(exists(UP("d/.wh.f")));
	cr_assert(exists(UP("d/.wh.l")));
	expect_list(MNT("d"), ".:d,..:d");
	check_lowers();
}

DIROPS(unlink_errors)
{
	mkdirs(L1("dir"));
	write_file(L1("f"), "f");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("dir"), 0), -EISDIR);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("f"), AT_REMOVEDIR), -ENOTDIR);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("none"), 0), -ENOENT);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("none"), AT_REMOVEDIR), -ENOENT);
	cr_assert_eq(v_type(MNT("dir")), S_IFDIR);
	cr_assert_eq(v_type(MNT("f")), S_IFREG);
	check_upper_empty();
	check_lowers();
}

/* ---- rmdir -------------------------------------------------------------- */

DIROPS(rmdir_merged_dir_that_lists_nothing)
{
	mkdirs(L1("d"));
	write_file(L1("d/a"), "a");
	mkdirs(L2("d"));
	write_file(L2("d/b"), "b");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/a"), 0), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/b"), 0), 0);
	expect_list(MNT("d"), ".:d,..:d");
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d"), AT_REMOVEDIR), 0);
	cr_assert(exists(UP(".wh.d")));
	cr_assert(!exists(UP("d")), "upper dir (with its whiteouts) left behind");
	cr_assert_eq(v_type(MNT("d")), -ENOENT);
	check_lowers();
}

DIROPS(rmdir_non_empty_merged_dir)
{
	mkdirs(UP("d"));
	write_file(UP("d/x"), "x");
	mkdirs(L1("d"));
	mkdirs(L1("e"));
	mkdirs(L2("e"));
	write_file(L2("e/only_in_lower2"), "y");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d"), AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("e"), AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert(is_file(UP("d/x")));
	cr_assert(!exists(UP(".wh.d")) && !exists(UP(".wh.e")));
	cr_assert_eq(v_type(MNT("e/only_in_lower2")), S_IFREG);
	check_lowers();
}

DIROPS(rmdir_upper_only_dir_leaves_no_whiteout)
{
	mount_std(1);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("n"), 0755), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("n"), AT_REMOVEDIR), 0);
	cr_assert(!exists(UP("n")));
	check_upper_empty();
}

DIROPS(rmdir_then_create_file_of_same_name)
{
	mkdirs(L1("d"));
	write_file(L1("d/a"), "a");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/a"), 0), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d"), AT_REMOVEDIR), 0);
	cr_assert_eq(v_write(MNT("d"), "now a file"), 0);
	cr_assert_eq(v_type(MNT("d")), S_IFREG);
	cr_assert(!exists(UP(".wh.d")));
	expect_list(T.mnt, ".:d,..:d,d:f");
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("d/a"), 0, &r), -ENOTDIR);
	check_lowers();
}

DIROPS(changes_through_in_place_mount)
{
	/* The mount point is lower1 itself; writes still land in the upper. */
	mkdirs(L1("src"));
	write_file(L1("src/main.c"), "int main;\n");
	snap_lowers();
	mount_inplace(1);
	const struct ovl_mount *m = ovl_mount_at(0);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->point, T.lower1);
	expect_content(L1("src/main.c"), "int main;\n");
	cr_assert_eq(v_append(L1("src/main.c"), "int x;\n"), 0);
	cr_assert_eq(v_write(L1("src/new.c"), "new\n"), 0);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, L1("build"), 0755), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, L1("src/new.c"), 0), 0);
	cr_assert_eq(v_write(L1("src/new2.c"), "n2\n"), 0);

	expect_content(L1("src/main.c"), "int main;\nint x;\n");
	char *s = read_file(UP("src/main.c"));
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "int main;\nint x;\n");
	free(s);
	cr_assert(is_dir(UP("build")));
	cr_assert(is_file(UP("src/new2.c")));
	cr_assert(!exists(UP("src/.wh.new.c")), "whiteout for an upper-only file");
	expect_list(L1("src"), ".:d,..:d,main.c:f,new2.c:f");
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, L1("src/main.c"), 0, &r), 0);
	cr_assert_str_eq(r.real, UP("src/main.c"));
	char out[PATH_MAX];
	cr_assert_eq(ovl_virtual_of(UP("src/main.c"), out, sizeof out), 0);
	cr_assert_str_eq(out, L1("src/main.c"));
	/* The real lower1 is untouched, though it is the mount point. */
	check_lowers();
}

DIROPS(whiteout_direct_copies_parents)
{
	mkdirs_mode(L1("d"), 0711);
	write_file(L1("d/f"), "f");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_whiteout(ovl_mount_at(0), "d/f"), 0);
	cr_assert(is_dir(UP("d")));
	struct stat st;
	cr_assert_eq(stat(UP("d"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0711);
	cr_assert(exists(UP("d/.wh.f")));
	cr_assert_eq(v_type(MNT("d/f")), -ENOENT);
	expect_list(MNT("d"), ".:d,..:d");
	check_lowers();
}
