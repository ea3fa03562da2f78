/*
 * Helpers for the criterion unit tests of core/.
 *
 * Every test gets a fresh temporary directory (fx_setup / fx_teardown, used
 * as the .init / .fini of each test) holding real host directories:
 *
 *   ROOT/upper   the writable layer
 *   ROOT/lower1  the highest-precedence lower
 *   ROOT/lower2  the next lower
 *   ROOT/mnt     an existing empty directory used as the mount point
 *   ROOT/other   a directory outside every mount
 *
 * Path builders (UP, L1, L2, MNT, RP) return pointers into a ring of static
 * buffers, so a handful can be used in one expression.  The v_* functions
 * look at the virtual view, through core only; plain libc calls on UP/L1/L2
 * paths look at the real layers.
 */
#ifndef UNIT_HELPERS_H
#define UNIT_HELPERS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ovl.h"

struct fx {
	char root[PATH_MAX];
	char upper[PATH_MAX];
	char lower1[PATH_MAX];
	char lower2[PATH_MAX];
	char mnt[PATH_MAX];
	char other[PATH_MAX];
	char *snap_l1;     /* snapshots taken by snap_lowers() */
	char *snap_l2;
};

extern struct fx T;

void fx_setup(void);
void fx_teardown(void);

/* ovl_config_reset() then one mount: mnt over upper + lower1 (+ lower2 when
 * nlowers is 2).  Asserts that the configuration is accepted. */
void mount_std(int nlowers);
/* In place: the mount point is lower1 itself. */
void mount_inplace(int nlowers);

/* Path builders; rel "" names the directory itself. */
const char *UP(const char *rel);
const char *L1(const char *rel);
const char *L2(const char *rel);
const char *MNT(const char *rel);
const char *RP(const char *rel);  /* under ROOT */

/* ---- real files (plain libc; assert on failure) ------------------------ */
void write_file(const char *path, const char *content);
void write_file_mode(const char *path, const char *content, mode_t mode);
void mkdirs(const char *path);          /* mkdir -p, mode 0755 */
void mkdirs_mode(const char *path, mode_t mode); /* last component's mode */
void make_symlink(const char *target, const char *path);
void set_mtime(const char *path, time_t sec, long nsec);
/* Contents of a file as a malloc'd string, or NULL when it cannot be read. */
char *read_file(const char *path);
int exists(const char *path);          /* lstat succeeds */
int is_file(const char *path);         /* regular file (lstat) */
int is_dir(const char *path);          /* directory (lstat) */
int is_symlink(const char *path);
void rm_rf(const char *path);

/* Snapshot of a tree: one sorted line per entry with name, mode, size,
 * mtime, and content digest (symlink target).  malloc'd. */
char *snap_tree(const char *root);
/* Sorted relative names of every entry below root, ' '-separated ("" when
 * empty).  malloc'd. */
char *tree_names(const char *root);
/* Snapshot both lowers now; check_lowers() asserts they are unchanged. */
void snap_lowers(void);
void check_lowers(void);
/* Assert that the upper holds nothing at all. */
void check_upper_empty(void);

/* ---- the virtual view, through core ------------------------------------ */

/* ovl_for_open + open(r.real) + ovl_open_done: fd, or -errno from core or
 * from open. */
int v_open(const char *vpath, int flags, mode_t mode);
/* Whole contents into a malloc'd string; NULL on failure (*err = -errno
 * when err is not NULL). */
char *v_read(const char *vpath, int *err);
/* O_WRONLY|O_CREAT|O_TRUNC (0644) and write content: 0 or -errno. */
int v_write(const char *vpath, const char *content);
/* O_WRONLY|O_APPEND and write content: 0 or -errno. */
int v_append(const char *vpath, const char *content);
/* ovl_for_read + stat / lstat of r.real: 0 or -errno. */
int v_stat(const char *vpath, struct stat *st);
int v_lstat(const char *vpath, struct stat *st);
/* S_IFMT of what vpath shows (no follow), or -errno. */
int v_type(const char *vpath);
/* Merged listing: sorted "name:t" entries joined by ',' where t is d (dir),
 * f (regular), l (symlink), p (fifo), c, b, s, or ? (DT_UNKNOWN).  "." and
 * ".." are included as listed.  Returns a malloc'd string, or NULL with
 * *err = -errno. */
char *v_list(const char *vpath, int *err);

/* Names in the real directory dir that start with prefix (count). */
int count_prefixed(const char *dir, const char *prefix);

/* Assert the merged listing of vpath (as v_list gives it) / its content. */
void expect_list(const char *vpath, const char *want);
void expect_content(const char *vpath, const char *want);

#endif
