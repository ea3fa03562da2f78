/*
 * rename (DESIGN.md section 3 "Changes"): non-directories are copied up and
 * renamed in the upper with a whiteout at the old name; directories only in
 * the upper rename plainly; directories with a lower part give EXDEV;
 * RENAME_NOREPLACE and whiteouts consider all layers.
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

#define RENAME(name) Test(rename, name, .init = fx_setup, .fini = fx_teardown)

static int rn(const char *a, const char *b, unsigned flags)
{
	return ovl_rename(AT_FDCWD, MNT(a), AT_FDCWD, MNT(b), flags);
}

RENAME(lower_file)
{
	mkdirs(L1("d"));
	write_file_mode(L1("d/a"), "A", 0600);
	mkdirs(L2("d"));
	write_file(L2("d/a"), "lower2 A");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(rn("d/a", "d/b", 0), 0);
	expect_content(MNT("d/b"), "A");
	cr_assert_eq(v_type(MNT("d/a")), -ENOENT);
	cr_assert(exists(UP("d/.wh.a")), "old name not whited out");
	cr_assert(!exists(UP("d/a")));
	struct stat st;
	cr_assert_eq(lstat(UP("d/b"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600);
	expect_list(MNT("d"), ".:d,..:d,b:f");
	check_lowers();
}

RENAME(lower_file_into_other_lower_dir)
{
	mkdirs(L1("src"));
	write_file(L1("src/f"), "F");
	mkdirs_mode(L2("dst"), 0751);
	snap_lowers();
	mount_std(2);
	cr_assert_eq(rn("src/f", "dst/g", 0), 0);
	cr_assert(is_file(UP("dst/g")));
	struct stat st;
	cr_assert_eq(stat(UP("dst"), &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0751);
	cr_assert(exists(UP("src/.wh.f")));
	expect_content(MNT("dst/g"), "F");
	check_lowers();
}

RENAME(upper_only_file_no_whiteout)
{
	mount_std(1);
	cr_assert_eq(v_write(MNT("a"), "a"), 0);
	cr_assert_eq(rn("a", "b", 0), 0);
	cr_assert(!exists(UP(".wh.a")), "whiteout for an upper-only name");
	cr_assert(is_file(UP("b")));
	expect_list(T.mnt, ".:d,..:d,b:f");
}

RENAME(lower_symlink)
{
	write_file(L1("t"), "T");
	make_symlink("t", L1("l"));
	snap_lowers();
	mount_std(1);
	cr_assert_eq(rn("l", "l2", 0), 0);
	cr_assert(is_symlink(UP("l2")), "the link itself must move");
	cr_assert(!exists(UP("t")), "the link's target was copied up");
	expect_content(MNT("l2"), "T");
	cr_assert_eq(v_type(MNT("l")), -ENOENT);
	check_lowers();
}

RENAME(upper_only_dir_plain_rename)
{
	mkdirs(L1("p"));
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("p/d"), 0755), 0);
	cr_assert_eq(v_write(MNT("p/d/x"), "x"), 0);
	cr_assert_eq(rn("p/d", "p/e", 0), 0);
	cr_assert(is_file(UP("p/e/x")));
	cr_assert(!exists(UP("p/d")));
	cr_assert(!exists(UP("p/.wh.d")));
	expect_content(MNT("p/e/x"), "x");
	cr_assert_eq(v_type(MNT("p/d")), -ENOENT);
	check_lowers();
}

RENAME(dir_with_lower_part_is_exdev)
{
	mkdirs(L1("lowonly"));
	write_file(L1("lowonly/f"), "");
	mkdirs(UP("merged"));
	mkdirs(L2("merged"));
	snap_lowers();
	mount_std(2);
	cr_assert_eq(rn("lowonly", "x", 0), -EXDEV);
	cr_assert_eq(rn("merged", "y", 0), -EXDEV);
	cr_assert_eq(v_type(MNT("lowonly/f")), S_IFREG);
	cr_assert_eq(v_type(MNT("merged")), S_IFDIR);
	cr_assert(!exists(UP("x")) && !exists(UP("y")));
	cr_assert(is_dir(UP("merged")));
	check_lowers();
}

RENAME(noreplace_considers_lowers)
{
	write_file(L1("a"), "a");
	write_file(L2("b"), "b");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(rn("a", "b", RENAME_NOREPLACE), -EEXIST);
	expect_content(MNT("a"), "a");
	expect_content(MNT("b"), "b");
	cr_assert(!exists(UP(".wh.a")));
	cr_assert_eq(rn("a", "c", RENAME_NOREPLACE), 0);
	expect_content(MNT("c"), "a");
	check_lowers();
}

RENAME(replace_lower_target)
{
	write_file(L1("a"), "a");
	write_file(L2("b"), "b");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(rn("a", "b", 0), 0);
	expect_content(MNT("b"), "a");
	cr_assert_eq(v_type(MNT("a")), -ENOENT);
	cr_assert(is_file(UP("b")));
	cr_assert(exists(UP(".wh.a")));
	cr_assert(!exists(UP(".wh.b")));
	expect_list(T.mnt, ".:d,..:d,b:f");
	check_lowers();
}

RENAME(over_whiteout_removes_it)
{
	write_file(L1("b"), "old b");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(v_write(MNT("a"), "new"), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("b"), 0), 0);
	cr_assert(exists(UP(".wh.b")));
	cr_assert_eq(rn("a", "b", 0), 0);
	cr_assert(!exists(UP(".wh.b")), "whiteout left at the new name");
	expect_content(MNT("b"), "new");
	cr_assert(!exists(UP(".wh.a")));
	check_lowers();
}

RENAME(dir_onto_whiteout_is_opaque)
{
	mkdirs(L1("d"));
	write_file(L1("d/old"), "");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/old"), 0), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d"), AT_REMOVEDIR), 0);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("n"), 0755), 0);
	cr_assert_eq(v_write(MNT("n/fresh"), ""), 0);
	cr_assert_eq(rn("n", "d", 0), 0);
	cr_assert(!exists(UP(".wh.d")));
	cr_assert(exists(UP("d/" OVL_OPAQUE)), "renamed dir not opaque");
	expect_list(MNT("d"), ".:d,..:d,fresh:f");
	cr_assert_eq(v_type(MNT("d/old")), -ENOENT);
	check_lowers();
}

RENAME(dir_onto_merged_dir_that_looks_empty)
{
	mkdirs(L1("t"));
	write_file(L1("t/x"), "");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("t/x"), 0), 0);
	expect_list(MNT("t"), ".:d,..:d");
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("n"), 0755), 0);
	cr_assert_eq(v_write(MNT("n/y"), ""), 0);
	cr_assert_eq(rn("n", "t", 0), 0);
	expect_list(MNT("t"), ".:d,..:d,y:f");
	cr_assert_eq(v_type(MNT("t/x")), -ENOENT);
	cr_assert_eq(v_type(MNT("n")), -ENOENT);
	check_lowers();
}

RENAME(dir_onto_non_empty_dir_is_enotempty)
{
	mkdirs(L1("t"));
	write_file(L1("t/x"), "");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("n"), 0755), 0);
	/* The kernel's overlayfs (and ext4) say ENOTEMPTY. */
	cr_assert_eq(rn("n", "t", 0), -ENOTEMPTY);
	cr_assert_eq(v_type(MNT("t/x")), S_IFREG);
	cr_assert_eq(v_type(MNT("n")), S_IFDIR);
	check_lowers();
}

RENAME(type_mismatch_and_missing_source)
{
	write_file(L1("f"), "");
	mkdirs(L1("d"));
	snap_lowers();
	mount_std(1);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("u"), 0755), 0);
	cr_assert_eq(rn("f", "d", 0), -EISDIR);
	cr_assert_eq(rn("u", "f", 0), -ENOTDIR);
	cr_assert_eq(rn("none", "z", 0), -ENOENT);
	cr_assert_eq(v_type(MNT("f")), S_IFREG);
	cr_assert_eq(v_type(MNT("u")), S_IFDIR);
	cr_assert_eq(v_type(MNT("z")), -ENOENT);
	check_lowers();
}

RENAME(onto_itself_changes_nothing)
{
	write_file(L1("f"), "f");
	snap_lowers();
	mount_std(1);
	cr_assert_eq(rn("f", "f", 0), 0);
	expect_content(MNT("f"), "f");
	cr_assert(!exists(UP(".wh.f")));
	check_lowers();
}
