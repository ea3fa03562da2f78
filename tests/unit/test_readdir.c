/*
 * Merged listings (DESIGN.md section 3 "readdir"): each visible name once,
 * "." and ".." once, accurate d_type, no whiteouts, opaque markers or
 * internal names, listings after deletions.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define READDIR(name) Test(readdir, name, .init = fx_setup, .fini = fx_teardown)

READDIR(merged_listing_with_accurate_types)
{
	mkdirs(UP("d"));
	write_file(UP("d/x"), "file in upper hides a lower dir");
	write_file(UP("d/u"), "");
	mkdirs(L1("d/x"));
	write_file(L1("d/x/inner"), "");
	mkdirs(L1("d/sub"));
	make_symlink("u", L1("d/link"));
	mkfifo(L1("d/fifo"), 0644);
	mkdirs(L2("d"));
	write_file(L2("d/sub"), "");
	write_file(L2("d/u"), "");
	write_file(L2("d/low2"), "");
	mkdirs(L2("d/dir2"));
	/* lower2 has a file where lower1 has a link: the link wins. */
	write_file(L2("d/link"), "");
	snap_lowers();
	mount_std(2);
	expect_list(MNT("d"), ".:d,..:d,dir2:d,fifo:p,link:l,low2:f,sub:d,u:f,x:f");
	check_lowers();
}

READDIR(dot_and_dotdot_once_and_first)
{
	mkdirs(UP("d"));
	mkdirs(L1("d"));
	mkdirs(L2("d"));
	write_file(L2("d/z"), "");
	mount_std(2);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("d"), 0, &r), 0);
	struct ovl_dir *d = NULL;
	cr_assert_eq(ovl_dir_read(&r, &d), 0);
	cr_assert_not_null(d);
	cr_assert_eq(d->count, 3);
	cr_assert_str_eq(d->ents[0].name, ".");
	cr_assert_str_eq(d->ents[1].name, "..");
	cr_assert_eq(d->ents[0].type, DT_DIR);
	cr_assert_eq(d->ents[1].type, DT_DIR);
	cr_assert_str_eq(d->ents[2].name, "z");
	cr_assert_eq(d->ents[2].type, DT_REG);
	cr_assert_neq(d->ents[2].ino, 0);
	ovl_dir_free(d);
}

READDIR(no_whiteouts_markers_or_internal_names)
{
	write_file(UP(".wh.gone"), "");
	write_file(UP(".wh..wh.tmp.1234"), "");
	mkdirs(UP("opq"));
	write_file(UP("opq/" OVL_OPAQUE), "");
	write_file(UP("opq/kept"), "");
	mkdirs(L1("opq"));
	write_file(L1("opq/hidden"), "");
	write_file(L1("gone"), "");
	write_file(L1(".wh.low2"), "");
	write_file(L2("low2"), "");
	write_file(L2("shown"), "");
	mount_std(2);
	expect_list(T.mnt, ".:d,..:d,opq:d,shown:f");
	expect_list(MNT("opq"), ".:d,..:d,kept:f");
}

READDIR(lower_only_and_upper_only_dirs)
{
	mkdirs(L2("a/b"));
	write_file(L2("a/f"), "");
	mkdirs(UP("u"));
	write_file(UP("u/g"), "");
	mount_std(2);
	expect_list(MNT("a"), ".:d,..:d,b:d,f:f");
	expect_list(MNT("a/b"), ".:d,..:d");
	expect_list(MNT("u"), ".:d,..:d,g:f");
	expect_list(T.mnt, ".:d,..:d,a:d,u:d");
}

READDIR(listing_a_file_is_enotdir)
{
	write_file(L1("f"), "");
	mount_std(1);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("f"), 0, &r), 0);
	struct ovl_dir *d = NULL;
	cr_assert_eq(ovl_dir_read(&r, &d), -ENOTDIR);
}

READDIR(listing_after_changes)
{
	mkdirs(L1("d/sub"));
	write_file(L1("d/a"), "");
	write_file(L1("d/b"), "");
	mkdirs(L2("d/sub2"));
	write_file(L2("d/c"), "");
	write_file(L2("d/sub2/x"), "");
	snap_lowers();
	mount_std(2);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/a"), 0), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/sub"), AT_REMOVEDIR), 0);
	cr_assert_eq(ovl_rename(AT_FDCWD, MNT("d/c"), AT_FDCWD, MNT("d/c2"), 0), 0);
	cr_assert_eq(v_write(MNT("d/new"), "n"), 0);
	cr_assert_eq(ovl_symlink("b", AT_FDCWD, MNT("d/lnk")), 0);
	cr_assert_eq(ovl_unlink(AT_FDCWD, MNT("d/sub2/x"), 0), 0);
	expect_list(MNT("d"), ".:d,..:d,b:f,c2:f,lnk:l,new:f,sub2:d");
	expect_list(MNT("d/sub2"), ".:d,..:d");
	check_lowers();
}

READDIR(many_entries_across_layers)
{
	enum { N = 300 };
	mkdirs(UP("big"));
	mkdirs(L1("big"));
	mkdirs(L2("big"));
	for (int i = 0; i < N; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "big/name-%03d-with-a-longish-suffix", i);
		/* Every name in lower2, every second in lower1, every third in
		 * the upper. */
		write_file(L2(rel), "");
		if (i % 2 == 0)
			write_file(L1(rel), "");
		if (i % 3 == 0)
			write_file(UP(rel), "");
	}
	mount_std(2);
	struct ovl_res r;
	cr_assert_eq(ovl_resolve(AT_FDCWD, MNT("big"), 0, &r), 0);
	struct ovl_dir *d = NULL;
	cr_assert_eq(ovl_dir_read(&r, &d), 0);
	cr_assert_eq(d->count, N + 2);
	char seen[N] = { 0 };
	for (size_t i = 0; i < d->count; i++) {
		int k;
		if (!strcmp(d->ents[i].name, ".") || !strcmp(d->ents[i].name, ".."))
			continue;
		cr_assert_eq(sscanf(d->ents[i].name, "name-%d-", &k), 1, "%s", d->ents[i].name);
		cr_assert(k >= 0 && k < N);
		cr_assert_eq(seen[k], 0, "%s listed twice", d->ents[i].name);
		seen[k] = 1;
		cr_assert_eq(d->ents[i].type, DT_REG);
	}
	ovl_dir_free(d);
}
