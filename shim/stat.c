/*
 * Calls that look without changing: stat, access, readlink, getxattr.
 * None of them may write to the upper.
 */
#include "shim.h"

#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <string.h>

/* The 64-bit twins share one layout on LP64 glibc, so one fix-up serves. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 layout");

/* The lookup for every call here; AT_EMPTY_PATH with "" names the
 * descriptor itself, which libc handles as it is. */
static int shim_read_at(int dirfd, const char *path, int at, struct ovl_res *r)
{
	if (shim_fd_form(path, at))
		return OVL_PASS;
	return ovl_for_read(dirfd, path, shim_at_flags(at), r);
}

/* A merged directory reports one link, so that fts does not trust the
 * upper's count of subdirectories; fstat must agree with stat. */
static int shim_fd_merged(int fd, mode_t mode)
{
	return S_ISDIR(mode) && shim_on() && ovl_fd_merged_dir(fd);
}

static void shim_stat_after(int rc, const struct ovl_res *r, int v, int fd,
			    const char *path, int at, struct stat *st)
{
	if (v != 0)
		return;
	if (rc == 0)
		ovl_fix_stat(r, st);
	else if (shim_fd_form(path, at) && shim_fd_merged(fd, st->st_mode))
		st->st_nlink = 1;
}

static void shim_statx_after(int rc, const struct ovl_res *r, int v, int fd,
			     const char *path, int at, struct statx *stx)
{
	if (v != 0)
		return;
	if (rc == 0)
		ovl_fix_statx(r, stx);
	else if (shim_fd_form(path, at) && (stx->stx_mask & STATX_TYPE) &&
		 shim_fd_merged(fd, stx->stx_mode))
		stx->stx_nlink = 1;
}

#define STAT_AFTER(fd, at, st) \
	shim_stat_after(rc, &r, v, fd, path, at, (struct stat *)(st))

/* The lookup asked to keep the status it had to read anyway: a first stat
 * of a path then costs one system call, not two. */
static int shim_stat_at(int dirfd, const char *path, int at, struct ovl_res *r)
{
	if (shim_fd_form(path, at))
		return OVL_PASS;
	return ovl_for_read(dirfd, path, shim_at_flags(at) | OVL_STAT, r);
}

#define SHIM_STAT(name, params, args, dfd, at, st)                           \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		struct ovl_res r;                                            \
		int rc = shim_on_path(path) ? shim_stat_at(dfd, path, at, &r) \
					    : OVL_PASS;                      \
		int v;                                                       \
		SHIM_TRACE(name, path, rc, &r);                              \
		if (rc < 0) {                                                \
			errno = -rc;                                         \
			return -1;                                           \
		}                                                            \
		if (rc == 0 && r.have_st && shim_nonnull(st)) {              \
			memcpy((st), &r.st, sizeof r.st);                    \
			ovl_fix_stat(&r, (struct stat *)(st));               \
			return 0;                                            \
		}                                                            \
		if (rc == OVL_PASS) {                                        \
			v = SHIM_NEXT(name) args;                            \
		} else {                                                     \
			SHIM_NEXT_REAL(v, name, args);                       \
		}                                                            \
		STAT_AFTER(dfd, at, st);                                     \
		return v;                                                    \
	}

/* fstat says what stat of the descriptor's path says (core). */
#define SHIM_FSTAT(name, params, args, fd, st)                               \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		ovl_follow(fd); /* a read-only lower file copied up since */ \
		int v = SHIM_NEXT(name) args;                                \
		if (v == 0 && shim_on())                                     \
			ovl_fstat_fix(fd, (struct stat *)(st));              \
		return v;                                                    \
	}

#define NOFOLLOW AT_SYMLINK_NOFOLLOW
#define READ shim_read_at

SHIM_STAT(stat, (const char *path, struct stat *st), (path, st), AT_FDCWD, 0, st)
SHIM_STAT(stat64, (const char *path, struct stat64 *st), (path, st), AT_FDCWD, 0, st)
SHIM_STAT(lstat, (const char *path, struct stat *st), (path, st), AT_FDCWD, NOFOLLOW, st)
SHIM_STAT(lstat64, (const char *path, struct stat64 *st), (path, st), AT_FDCWD, NOFOLLOW, st)
SHIM_STAT(fstatat, (int dirfd, const char *path, struct stat *st, int flags), (dirfd, path, st, flags), dirfd, flags, st)
SHIM_STAT(fstatat64, (int dirfd, const char *path, struct stat64 *st, int flags), (dirfd, path, st, flags), dirfd, flags, st)
SHIM_PATH(int, statx, (int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx), (dirfd, path, flags, mask, stx), READ, dirfd, flags, shim_statx_after(rc, &r, v, dirfd, path, flags, stx))

/* glibc before 2.33 compiled stat() into calls of these, with a version. */
SHIM_PATH(int, __xstat, (int ver, const char *path, struct stat *st), (ver, path, st), READ, AT_FDCWD, 0, STAT_AFTER(AT_FDCWD, 0, st))
SHIM_PATH(int, __xstat64, (int ver, const char *path, struct stat64 *st), (ver, path, st), READ, AT_FDCWD, 0, STAT_AFTER(AT_FDCWD, 0, st))
SHIM_PATH(int, __lxstat, (int ver, const char *path, struct stat *st), (ver, path, st), READ, AT_FDCWD, NOFOLLOW, STAT_AFTER(AT_FDCWD, 0, st))
SHIM_PATH(int, __lxstat64, (int ver, const char *path, struct stat64 *st), (ver, path, st), READ, AT_FDCWD, NOFOLLOW, STAT_AFTER(AT_FDCWD, 0, st))
SHIM_PATH(int, __fxstatat, (int ver, int dirfd, const char *path, struct stat *st, int flags), (ver, dirfd, path, st, flags), READ, dirfd, flags, STAT_AFTER(dirfd, flags, st))
SHIM_PATH(int, __fxstatat64, (int ver, int dirfd, const char *path, struct stat64 *st, int flags), (ver, dirfd, path, st, flags), READ, dirfd, flags, STAT_AFTER(dirfd, flags, st))

SHIM_FSTAT(fstat, (int fd, struct stat *st), (fd, st), fd, st)
SHIM_FSTAT(fstat64, (int fd, struct stat64 *st), (fd, st), fd, st)
SHIM_FSTAT(__fxstat, (int ver, int fd, struct stat *st), (ver, fd, st), fd, st)
SHIM_FSTAT(__fxstat64, (int ver, int fd, struct stat64 *st), (ver, fd, st), fd, st)

SHIM_PATH(int, access, (const char *path, int mode), (path, mode), READ, AT_FDCWD, 0, )
SHIM_PATH(int, faccessat, (int dirfd, const char *path, int mode, int flags), (dirfd, path, mode, flags), READ, dirfd, flags, )
SHIM_PATH(int, euidaccess, (const char *path, int mode), (path, mode), READ, AT_FDCWD, 0, )
SHIM_PATH(int, eaccess, (const char *path, int mode), (path, mode), READ, AT_FDCWD, 0, )

/* readlinkat(fd, "") reads the symlink an O_PATH descriptor is open on. */
SHIM_PATH(ssize_t, readlink, (const char *path, char *buf, size_t size), (path, buf, size), READ, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(ssize_t, readlinkat, (int dirfd, const char *path, char *buf, size_t size), (dirfd, path, buf, size), READ, dirfd, NOFOLLOW | AT_EMPTY_PATH, )
/* the fortified twins: libc's own copy still checks the buffer */
SHIM_PATH(ssize_t, __readlink_chk, (const char *path, char *buf, size_t size, size_t buflen), (path, buf, size, buflen), READ, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(ssize_t, __readlinkat_chk, (int dirfd, const char *path, char *buf, size_t size, size_t buflen), (dirfd, path, buf, size, buflen), READ, dirfd, NOFOLLOW | AT_EMPTY_PATH, )

/* The library's own records (user.overlay.*: a copy's origin) are hidden. */
#define HIDE_GET if (v >= 0 && shim_on() && shim_nonnull(name) && ovl_xattr_private(name)) { v = -1; errno = ENODATA; }
#define HIDE_LIST if (v > 0 && size && shim_on()) v = ovl_xattr_hide(list, v);

SHIM_PATH(ssize_t, getxattr, (const char *path, const char *name, void *value, size_t size), (path, name, value, size), READ, AT_FDCWD, 0, HIDE_GET)
SHIM_PATH(ssize_t, lgetxattr, (const char *path, const char *name, void *value, size_t size), (path, name, value, size), READ, AT_FDCWD, NOFOLLOW, HIDE_GET)
SHIM_PATH(ssize_t, listxattr, (const char *path, char *list, size_t size), (path, list, size), READ, AT_FDCWD, 0, HIDE_LIST)
SHIM_PATH(ssize_t, llistxattr, (const char *path, char *list, size_t size), (path, list, size), READ, AT_FDCWD, NOFOLLOW, HIDE_LIST)

OVL_EXPORT ssize_t fgetxattr(int fd, const char *name, void *value, size_t size)
{
	ssize_t v = SHIM_NEXT(fgetxattr)(fd, name, value, size);
	HIDE_GET
	return v;
}

OVL_EXPORT ssize_t flistxattr(int fd, char *list, size_t size)
{
	ssize_t v = SHIM_NEXT(flistxattr)(fd, list, size);
	HIDE_LIST
	return v;
}

/* The file system of the object found: the layer's, as on a kernel overlay
 * where a lower file may sit on another device than the upper. */
SHIM_PATH(int, statfs, (const char *path, struct statfs *buf), (path, buf), READ, AT_FDCWD, 0, )
SHIM_PATH(int, statfs64, (const char *path, struct statfs64 *buf), (path, buf), READ, AT_FDCWD, 0, )
SHIM_PATH(int, statvfs, (const char *path, struct statvfs *buf), (path, buf), READ, AT_FDCWD, 0, )
SHIM_PATH(int, statvfs64, (const char *path, struct statvfs64 *buf), (path, buf), READ, AT_FDCWD, 0, )
SHIM_PATH(long, pathconf, (const char *path, int name), (path, name), READ, AT_FDCWD, 0, )
