/*
 * Lookup (DESIGN.md section 3 "Lookup" and "Paths"): layer precedence,
 * whiteouts and opaque markers in any layer, non-directories hiding
 * directories, reserved ".wh." names, symlinks resolved in the virtual
 * namespace, paths leaving the mount, paths outside every mount, and the
 * reverse map from host paths to virtual ones.
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

#define LOOKUP(name) Test(lookup, name, .init = fx_setup, .fini = fx_teardown)

LOOKUP(precedence_upper_then_lower1_then_lower2)
{
	write_file(UP("all"), "upper");
	write_file(L1("all"), "lower1");
	write_file(L2("all"), "lower2");
	write_file(L1("low"), "lower1");
	write_file(L2("low"), "lower2");
	write_file(L2("bottom"), "lower2");
	snap_lowers();
	mount_std(2);

	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("all"), 0, &r), 0);
	cr_assert_eq(r.layer, 0);
	cr_assert_eq(r.type, S_IFREG);
	cr_assert_str_eq(r.real, UP("all"));
	cr_assert_str_eq(r.rel, "all");
	cr_assert_eq(r.m, ovl_mount_at(0));
	expect_content(MNT("all"), "upper");

	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("low"), 0, &r), 0);
	cr_assert_eq(r.layer, 1);
	cr_assert_str_eq(r.real, L1("low"));
	expect_content(MNT("low"), "lower1");

	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("bottom"), 0, &r), 0);
	cr_assert_eq(r.layer, 2);
	cr_assert_str_eq(r.real, L2("bottom"));
	expect_content(MNT("bottom"), "lower2");

	check_lowers();
}

LOOKUP(missing_name_and_missing_parent)
{
	mkdirs(L1("dir"));
	mount_std(2);
	struct ovl_res r;
	/* A missing final component is not an error: layer -1. */
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("dir/nothing"), 0, &r), 0);
	cr_assert_eq(r.layer, -1);
	cr_assert_eq(r.type, 0);
	/* A missing parent is ENOENT. */
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("nodir/nothing"), 0, &r), -ENOENT);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("dir/nothing"), 0, &r), -ENOENT);
	struct stat st;
	cr_assert_eq(v_stat(MNT("nodir/nothing"), &st), -ENOENT);
	check_upper_empty();
}

LOOKUP(mount_root_is_a_directory_and_hides_mountpoint_contents)
{
	/* Contents of the real mount point are hidden, as under a real mount. */
	write_file(MNT("hidden"), "mountpoint's own file");
	write_file(L1("shown"), "x");
	mount_std(2);
	cr_assert_eq(v_type(T.mnt), S_IFDIR);
	cr_assert_eq(v_type(MNT("hidden")), -ENOENT);
	cr_assert_eq(v_type(MNT("shown")), S_IFREG);
	int err = 0;
	char *s = v_list(T.mnt, &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, ".:d,..:d,shown:f");
	free(s);
}

LOOKUP(whiteout_in_upper_hides_every_lower)
{
	write_file(UP(".wh.f"), "");
	write_file(L1("f"), "1");
	write_file(L2("f"), "2");
	mount_std(2);
	cr_assert_eq(v_type(MNT("f")), -ENOENT);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("f"), 0, &r), 0);
	cr_assert_eq(r.layer, -1);
	cr_assert(r.upper_wh, "upper_wh not set for an upper whiteout");
}

LOOKUP(whiteout_in_lower1_hides_lower2)
{
	write_file(L1(".wh.f"), "");
	write_file(L2("f"), "lower2");
	write_file(L2("g"), "lower2");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(v_type(MNT("f")), -ENOENT);
	struct stat st;
	cr_assert_eq(v_stat(MNT("f"), &st), -ENOENT);
	cr_assert_eq(v_type(MNT("g")), S_IFREG);
	int err = 0;
	char *s = v_read(MNT("f"), &err);
	cr_assert_null(s);
	cr_assert_eq(err, -ENOENT);
	s = v_list(T.mnt, &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, ".:d,..:d,g:f");
	free(s);
	check_upper_empty();
	check_lowers();
}

LOOKUP(whiteout_hides_whole_subtree)
{
	/* A whiteout in lower1 over a lower2 directory. */
	write_file(L1(".wh.gone"), "");
	mkdirs(L2("gone/deeper"));
	write_file(L2("gone/child"), "x");
	write_file(L2("gone/deeper/leaf"), "x");
	/* A whiteout in the upper over a directory of lower1. */
	write_file(UP(".wh.gone2"), "");
	mkdirs(L1("gone2"));
	write_file(L1("gone2/child"), "x");
	mount_std(2);

	struct ovl_res r;
	cr_assert_eq(v_type(MNT("gone")), -ENOENT);
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("gone/child"), 0, &r), -ENOENT);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("gone/deeper/leaf"), 0, &r), -ENOENT);
	cr_assert_eq(v_type(MNT("gone2")), -ENOENT);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("gone2/child"), 0, &r), -ENOENT);
	/* Nor can anything be created below a whited-out directory. */
	cr_assert_eq(v_open(MNT("gone2/new"), O_CREAT | O_WRONLY, 0644), -ENOENT);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT("gone/newdir"), 0755), -ENOENT);
}

LOOKUP(opaque_in_lower1_hides_lower2_contents)
{
	mkdirs(L1("d"));
	write_file(L1("d/" OVL_OPAQUE), "");
	write_file(L1("d/a"), "lower1");
	mkdirs(L2("d"));
	write_file(L2("d/a"), "lower2");
	write_file(L2("d/b"), "lower2");
	mount_std(2);

	cr_assert_eq(v_type(MNT("d")), S_IFDIR);
	expect_content(MNT("d/a"), "lower1");
	cr_assert_eq(v_type(MNT("d/b")), -ENOENT);
	int err = 0;
	char *s = v_list(MNT("d"), &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, ".:d,..:d,a:f");
	free(s);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("d"), 0, &r), 0);
	cr_assert_eq(r.mask & (1u << 2), 0, "lower2 merges into an opaque dir: mask %llx",
		     (unsigned long long)r.mask);
}

LOOKUP(opaque_in_upper_hides_lower_contents)
{
	mkdirs(UP("d"));
	write_file(UP("d/" OVL_OPAQUE), "");
	write_file(UP("d/new"), "n");
	mkdirs(L1("d"));
	write_file(L1("d/old"), "o");
	mount_std(1);
	cr_assert_eq(v_type(MNT("d/old")), -ENOENT);
	cr_assert_eq(v_type(MNT("d/new")), S_IFREG);
	int err = 0;
	char *s = v_list(MNT("d"), &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, ".:d,..:d,new:f");
	free(s);
}

LOOKUP(non_directory_hides_directory_below)
{
	write_file(L1("x"), "file in lower1");
	mkdirs(L2("x"));
	write_file(L2("x/child"), "c");
	write_file(UP("y"), "file in upper");
	mkdirs(L1("y"));
	write_file(L1("y/child"), "c");
	mount_std(2);

	cr_assert_eq(v_type(MNT("x")), S_IFREG);
	expect_content(MNT("x"), "file in lower1");
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("x/child"), 0, &r), -ENOTDIR);
	cr_assert_eq(v_type(MNT("y")), S_IFREG);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("y/child"), 0, &r), -ENOTDIR);
}

LOOKUP(directory_does_not_merge_with_file_below)
{
	mkdirs(L1("d"));
	write_file(L1("d/a"), "a");
	write_file(L2("d"), "a file under a dir");
	mkdirs(L2("e"));
	write_file(L2("e/z"), "z");
	mkdirs(UP("e"));
	write_file(UP("e/y"), "y");
	write_file(L1("e"), "file between two dirs");
	mount_std(2);

	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("d"), 0, &r), 0);
	cr_assert_eq(r.layer, 1);
	cr_assert_eq(r.type, S_IFDIR);
	cr_assert_eq(r.mask, 1u << 1, "mask %llx", (unsigned long long)r.mask);
	/* The file in lower1 stops the merge: lower2's e/z is hidden. */
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("e"), 0, &r), 0);
	cr_assert_eq(r.layer, 0);
	cr_assert_eq(r.mask, 1u << 0, "mask %llx", (unsigned long long)r.mask);
	cr_assert_eq(v_type(MNT("e/z")), -ENOENT);
	int err = 0;
	char *s = v_list(MNT("e"), &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, ".:d,..:d,y:f");
	free(s);
}

LOOKUP(name_and_whiteout_in_same_layer_name_wins)
{
	write_file(L1("x"), "lower1 x");
	write_file(L1(".wh.x"), "");
	write_file(L2("x"), "lower2 x");
	write_file(UP("y"), "upper y");
	write_file(UP(".wh.y"), "");
	write_file(L1("y"), "lower1 y");
	mount_std(2);
	expect_content(MNT("x"), "lower1 x");
	expect_content(MNT("y"), "upper y");
	int err = 0;
	char *s = v_list(T.mnt, &err);
	cr_assert_not_null(s, "%d", err);
	cr_assert_str_eq(s, ".:d,..:d,x:f,y:f");
	free(s);
}

LOOKUP(reserved_names_are_not_found)
{
	write_file(L1(".wh.f"), "");          /* a whiteout */
	write_file(L2("f"), "");
	mkdirs(L1("d"));
	write_file(L1("d/" OVL_OPAQUE), "");  /* an opaque marker */
	write_file(UP(".wh..wh.tmp1234"), ""); /* an internal temporary */
	mount_std(2);

	struct ovl_res r;
	struct stat st;
	int rc = ovl_resolve(AT_FDCWD, MNT(".wh.f"), 0, &r);
	cr_assert(rc == -ENOENT || (rc == 0 && r.layer == -1), "rc %d layer %d", rc, r.layer);
	cr_assert_eq(v_stat(MNT(".wh.f"), &st), -ENOENT);
	cr_assert_eq(v_stat(MNT("d/" OVL_OPAQUE), &st), -ENOENT);
	cr_assert_eq(v_stat(MNT(".wh..wh.tmp1234"), &st), -ENOENT);
	cr_assert_eq(v_stat(MNT(".wh.nothing"), &st), -ENOENT);
	cr_assert_eq(v_open(MNT(".wh.f"), O_RDONLY, 0), -ENOENT);
}

LOOKUP(creating_reserved_names_is_einval)
{
	write_file(L1("f"), "f");
	mkdirs(L1("d"));
	snap_lowers();
	mount_std(1);

	int fd = v_open(MNT(".wh.new"), O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	cr_assert_eq(fd, -EINVAL, "open O_CREAT .wh.new: %d", fd);
	fd = v_open(MNT("d/.wh.f"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	cr_assert_eq(fd, -EINVAL, "open O_CREAT|O_EXCL d/.wh.f: %d", fd);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT(".wh.dir"), 0755), -EINVAL);
	cr_assert_eq(ovl_symlink("f", AT_FDCWD, MNT(".wh.link")), -EINVAL);
	cr_assert_eq(ovl_rename(AT_FDCWD, MNT("f"), AT_FDCWD, MNT(".wh.g"), 0), -EINVAL);
	cr_assert_eq(ovl_link(AT_FDCWD, MNT("f"), AT_FDCWD, MNT(".wh.h"), 0), -EINVAL);
	cr_assert_eq(ovl_mknod(AT_FDCWD, MNT(".wh.fifo"), S_IFIFO | 0644, 0), -EINVAL);
	cr_assert_eq(ovl_mkdir(AT_FDCWD, MNT(OVL_OPAQUE), 0755), -EINVAL);

	/* Nothing at all was published: f is still visible, the upper holds no
	 * reserved name. */
	cr_assert_eq(v_type(MNT("f")), S_IFREG);
	cr_assert_eq(count_prefixed(T.upper, ".wh."), 0);
	if (is_dir(UP("d")))
		cr_assert_eq(count_prefixed(UP("d"), ".wh."), 0);
	check_lowers();
}

LOOKUP(symlink_resolves_in_virtual_namespace)
{
	mkdirs(L1("common/include"));
	write_file(L1("common/include/h.h"), "#define OLD 1\n");
	mkdirs(L1("proj"));
	make_symlink("../common/include", L1("proj/inc"));
	snap_lowers();
	mount_std(1);

	/* Before the edit the link leads to the lower header. */
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("proj/inc/h.h"), 0, &r), 0);
	cr_assert_str_eq(r.real, L1("common/include/h.h"));

	/* Edit the header through the overlay: it is copied up. */
	cr_assert_eq(v_write(MNT("common/include/h.h"), "#define NEW 1\n"), 0);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("proj/inc/h.h"), 0, &r), 0);
	cr_assert_eq(r.layer, 0);
	cr_assert_str_eq(r.real, UP("common/include/h.h"));
	expect_content(MNT("proj/inc/h.h"), "#define NEW 1\n");

	/* The link itself, unfollowed, is the lower symlink. */
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("proj/inc"), OVL_NOFOLLOW, &r), 0);
	cr_assert_eq(r.type, S_IFLNK);
	cr_assert_str_eq(r.real, L1("proj/inc"));
	check_lowers();
}

LOOKUP(absolute_symlink_into_mount_resolves_virtually)
{
	write_file(L1("target"), "lower");
	make_symlink(MNT("target"), L1("abs"));
	mount_std(1);
	cr_assert_eq(v_write(MNT("target"), "upper"), 0);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("abs"), 0, &r), 0);
	cr_assert_str_eq(r.real, UP("target"));
	expect_content(MNT("abs"), "upper");
}

LOOKUP(symlink_loop_is_eloop)
{
	make_symlink("b", L1("a"));
	make_symlink("a", L1("b"));
	make_symlink("self/x", L1("self"));
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a"), 0, &r), -ELOOP);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("self"), 0, &r), -ELOOP);
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("a/x"), 0, &r), -ELOOP);
	/* Not following the final link is fine. */
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a"), OVL_NOFOLLOW, &r), 0);
	cr_assert_eq(r.type, S_IFLNK);
	cr_assert_eq(r.layer, 1);
}

static void expect_same_object(const char *a, const char *b)
{
	struct stat sa, sb;
	cr_assert_eq(stat(a, &sa), 0, "stat %s", a);
	cr_assert_eq(stat(b, &sb), 0, "stat %s", b);
	cr_assert(sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino, "%s is not %s", a, b);
}

LOOKUP(dotdot_leaving_the_mount_continues_on_host)
{
	write_file(RP("other/host.txt"), "host");
	mkdirs(L1("sub"));
	make_symlink("../other", L1("out"));  /* mnt/out -> ROOT/other */
	mount_std(1);

	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("../other/host.txt"), 0, &r), 0);
	cr_assert_null(r.m, "path left the mount but m is set");
	expect_same_object(r.real, RP("other/host.txt"));

	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("sub/../../other/host.txt"), 0, &r), 0);
	cr_assert_null(r.m);
	expect_same_object(r.real, RP("other/host.txt"));

	/* Leaving by a symlink. */
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("out/host.txt"), 0, &r), 0);
	cr_assert_null(r.m);
	expect_same_object(r.real, RP("other/host.txt"));
	check_upper_empty();
}

LOOKUP(dot_dotdot_and_double_slash_inside_mount)
{
	mkdirs(L1("a/b"));
	write_file(L2("c"), "c");
	mount_std(2);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("/a/./b/../../c"), 0, &r), 0);
	cr_assert_str_eq(r.rel, "c");
	cr_assert_str_eq(r.real, L2("c"));
	cr_assert_eq(r.m, ovl_mount_at(0));
	/* ".." inside a lower-only directory goes to its virtual parent. */
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a/b/.."), 0, &r), 0);
	cr_assert_str_eq(r.rel, "a");
}

LOOKUP(trailing_slash_on_file_is_enotdir)
{
	write_file(L1("f"), "f");
	mkdirs(L1("d"));
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("f/"), 0, &r), -ENOTDIR);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("d/"), 0, &r), 0);
	cr_assert_eq(r.type, S_IFDIR);
	cr_assert(r.trailing);
}

LOOKUP(paths_outside_every_mount_pass)
{
	write_file(RP("other/f"), "x");
	mount_std(2);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, RP("other/f"), 0, &r), OVL_PASS);
	cr_assert_eq(ovl_for_read(AT_FDCWD, RP("other/f"), 0, &r), OVL_PASS);
	cr_assert_eq(ovl_for_write(AT_FDCWD, RP("other/f"), 0, &r), OVL_PASS);
	cr_assert_eq(ovl_for_open(AT_FDCWD, RP("other/f"), O_RDWR, &r), OVL_PASS);
	cr_assert_eq(ovl_for_open(AT_FDCWD, RP("other/new"), O_CREAT | O_WRONLY, &r), OVL_PASS);
	cr_assert_eq(ovl_resolve(AT_FDCWD, "/etc", 0, &r), OVL_PASS);
	cr_assert_eq(ovl_resolve(AT_FDCWD, "/", 0, &r), OVL_PASS);
	/* A sibling whose name extends the mount point's is not under it. */
	cr_assert_eq(ovl_resolve(AT_FDCWD, RP("mnt2/x"), 0, &r), OVL_PASS);
	check_upper_empty();
	/* Nothing configured: everything passes. */
	ovl_config_reset();
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("x"), 0, &r), OVL_PASS);
}

LOOKUP(relative_path_from_dirfd_on_virtual_directory)
{
	mkdirs(L1("sub"));
	write_file(L1("sub/f"), "from lower1");
	write_file(L2("g"), "from lower2");
	mount_std(2);

	/* A descriptor on the mount point itself. */
	int dfd = open(T.mnt, O_RDONLY | O_DIRECTORY);
	cr_assert(dfd >= 0);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(dfd, "g", 0, &r), 0);
	cr_assert_str_eq(r.real, L2("g"));
	cr_assert_eq(ovl_for_read(dfd, "sub/f", 0, &r), 0);
	cr_assert_str_eq(r.real, L1("sub/f"));
	close(dfd);

	/* A descriptor opened on the real directory core handed out: the
	 * reverse map brings it back into the mount, so ".." and siblings from
	 * other layers are seen. */
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("sub"), 0, &r), 0);
	dfd = open(r.real, O_RDONLY | O_DIRECTORY);
	cr_assert(dfd >= 0);
	char v[PATH_MAX];
	cr_assert_eq(ovl_fd_virtual(dfd, v, sizeof v), 0);
	cr_assert_str_eq(v, MNT("sub"));
	cr_assert_eq(ovl_for_read(dfd, "f", 0, &r), 0);
	cr_assert_str_eq(r.real, L1("sub/f"));
	cr_assert_eq(ovl_for_read(dfd, "../g", 0, &r), 0);
	cr_assert_str_eq(r.real, L2("g"));
	close(dfd);
}

LOOKUP(virtual_of_maps_layer_paths_back)
{
	mount_std(2);
	char out[PATH_MAX];
	cr_assert_eq(ovl_virtual_of(UP("a/b"), out, sizeof out), 0);
	cr_assert_str_eq(out, MNT("a/b"));
	cr_assert_eq(ovl_virtual_of(L1("x"), out, sizeof out), 0);
	cr_assert_str_eq(out, MNT("x"));
	cr_assert_eq(ovl_virtual_of(L2("deep/er/file"), out, sizeof out), 0);
	cr_assert_str_eq(out, MNT("deep/er/file"));
	cr_assert_eq(ovl_virtual_of(T.upper, out, sizeof out), 0);
	cr_assert_str_eq(out, T.mnt);
	cr_assert_eq(ovl_virtual_of(MNT("m"), out, sizeof out), 0);
	cr_assert_str_eq(out, MNT("m"));
	cr_assert_eq(ovl_virtual_of(RP("other/y"), out, sizeof out), OVL_PASS);
	cr_assert_eq(ovl_virtual_of("/etc/passwd", out, sizeof out), OVL_PASS);
	/* A prefix that is not a whole component is not under the layer. */
	cr_assert_eq(ovl_virtual_of(RP("upperX/f"), out, sizeof out), OVL_PASS);
	/* Too small a buffer. */
	char tiny[8];
	cr_assert_eq(ovl_virtual_of(UP("a/b"), tiny, sizeof tiny), -ENAMETOOLONG);
}

LOOKUP(merged_directory_reports_nlink_one)
{
	mkdirs(UP("m/s1"));
	mkdirs(L1("m/s2"));
	mkdirs(L1("only/s"));
	mount_std(1);
	struct ovl_res r;
	struct stat st;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("m"), 0, &r), 0);
	cr_assert(ovl_is_merged_dir(&r));
	cr_assert_eq(r.layer, 0, "stat of a merged dir is the topmost one");
	cr_assert_eq(stat(r.real, &st), 0);
	cr_assert_eq(st.st_nlink, 3);
	ovl_fix_stat(&r, &st);
	cr_assert_eq(st.st_nlink, 1);

	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("only"), 0, &r), 0);
	cr_assert(!ovl_is_merged_dir(&r));
	cr_assert_eq(stat(r.real, &st), 0);
	ovl_fix_stat(&r, &st);
	cr_assert_eq(st.st_nlink, 3, "a single-layer dir keeps its link count");
}

LOOKUP(fd_merged_dir_matches_path)
{
	mkdirs(UP("m"));
	mkdirs(L1("m"));
	mkdirs(L1("only"));
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("m"), 0, &r), 0);
	int fd = open(r.real, O_RDONLY | O_DIRECTORY);
	cr_assert(fd >= 0);
	cr_assert_neq(ovl_fd_merged_dir(fd), 0, "fd of a merged dir");
	close(fd);
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("only"), 0, &r), 0);
	fd = open(r.real, O_RDONLY | O_DIRECTORY);
	cr_assert(fd >= 0);
	cr_assert_eq(ovl_fd_merged_dir(fd), 0, "fd of a single-layer dir");
	close(fd);
	fd = open(T.other, O_RDONLY | O_DIRECTORY);
	cr_assert(fd >= 0);
	cr_assert_eq(ovl_fd_merged_dir(fd), 0, "fd outside the mount");
	close(fd);
}

LOOKUP(lower_has_honours_whiteouts)
{
	mkdirs(L1("d"));
	mkdirs(L2("d"));
	write_file(L2("d/f"), "");
	write_file(L2("d/g"), "");
	write_file(L1("d/.wh.g"), "");
	mkdirs(UP("d"));
	write_file(UP("d/u"), "");
	mount_std(2);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("d/f"), 0, &r), 0);
	cr_assert_neq(ovl_lower_has(r.m, r.rel, r.pmask), 0, "lower2 has d/f");
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("d/g"), 0, &r), 0);
	cr_assert_eq(r.layer, -1);
	cr_assert_eq(ovl_lower_has(r.m, r.rel, r.pmask), 0, "d/g is whited out in lower1");
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("d/u"), 0, &r), 0);
	cr_assert_eq(ovl_lower_has(r.m, r.rel, r.pmask), 0, "d/u is upper-only");
}

/* A cwd removed from the view while in use is still a directory: "." names
 * it (listing nothing), ".." its old parent, and nothing else resolves in
 * it.  The empty path is not "." . */
LOOKUP(removed_cwd_dot_and_dotdot)
{
	mkdirs(L1("a/gone"));
	write_file(L1("a/f"), "x");
	mount_std(1);
	char old[PATH_MAX];
	cr_assert_not_null(getcwd(old, sizeof old));
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("a/gone"), 0, &r), 0);
	cr_assert_eq(chdir(r.real), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("a/gone"), AT_REMOVEDIR), 0);
	ovl_cwd_changed();
	cr_assert_eq(ovl_for_read(AT_FDCWD, ".", 0, &r), 0);
	cr_assert(S_ISDIR(r.type));
	struct ovl_dir *d;
	cr_assert_eq(ovl_dir_read(&r, &d), 0);
	cr_assert_eq(d->count, 0, "a removed directory lists nothing");
	ovl_dir_free(d);
	cr_assert_eq(ovl_for_read(AT_FDCWD, "../f", 0, &r), 0);
	cr_assert_str_eq(r.real, L1("a/f"));
	cr_assert_eq(ovl_for_read(AT_FDCWD, "x", 0, &r), -ENOENT);
	cr_assert_eq(ovl_for_read(AT_FDCWD, "", 0, &r), -ENOENT);
	cr_assert_eq(chdir(old), 0);
}

/* A relative path is handed to the kernel relative to the kernel's cwd
 * when the object lies below it (ovl_kernel_name): only below it, a
 * sibling whose name starts with the cwd's own ("d" and "dx") is not, and
 * an object the upper holds is named by its full path. */
LOOKUP(kernel_name_relative_to_the_cwd)
{
	mkdirs(L1("d/sub"));
	mkdirs(L1("dx"));
	write_file(L1("d/sub/f"), "in d");
	write_file(L1("dx/f"), "in dx, longer");
	mount_std(1);
	cr_assert_eq(v_write(MNT("d/up"), "upper"), 0);
	char old[PATH_MAX];
	cr_assert_not_null(getcwd(old, sizeof old));
	ovl_cwd_init();
	cr_assert_eq(chdir(L1("d")), 0); /* where chdir(MNT("d")) would go */
	ovl_cwd_changed();
	struct ovl_res r;
	struct stat st;
	cr_assert_eq(ovl_for_read(AT_FDCWD, "sub/f", 0, &r), 0);
	cr_assert_str_eq(ovl_kernel_name(&r), "sub/f");
	cr_assert_eq(ovl_for_read(AT_FDCWD, "../dx/f", 0, &r), 0);
	cr_assert_str_eq(ovl_kernel_name(&r), L1("dx/f"));
	cr_assert_eq(stat(ovl_kernel_name(&r), &st), 0);
	cr_assert_eq(st.st_size, 13);
	cr_assert_eq(ovl_for_read(AT_FDCWD, "up", 0, &r), 0);
	cr_assert_str_eq(ovl_kernel_name(&r), UP("d/up"));
	cr_assert_eq(ovl_for_read(AT_FDCWD, MNT("d/sub/f"), 0, &r), 0);
	cr_assert_str_eq(ovl_kernel_name(&r), L1("d/sub/f"), "an absolute path stays absolute");
	/* a stat through the lookup itself (one layer holds d/sub) */
	cr_assert_eq(ovl_for_read(AT_FDCWD, "sub/f", OVL_STAT, &r), 0);
	cr_assert(r.have_st);
	cr_assert_eq(r.st.st_size, 4);
	cr_assert_eq(chdir(old), 0);
	ovl_cwd_changed();
}
