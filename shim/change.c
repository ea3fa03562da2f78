/*
 * Calls that change the tree.  Namespace changes (create, remove, rename,
 * link) are done whole by core; in-place changes (mode, owner, size, times,
 * xattrs) copy the object up and then let libc change the upper copy.
 *
 * All of them are wrapped, even those that only change an existing object,
 * because in an in-place overlay the mount point is the lower itself: a call
 * let through would change the lower.
 */
#include "shim.h"

/* A descriptor form here (fchmodat(fd, "", AT_EMPTY_PATH)) is one glibc
 * refuses untouched; those the kernel accepts are SHIM_PATH_FD's below. */
static int shim_write_at(int dirfd, const char *path, int at, struct ovl_res *r)
{
	if (shim_fd_form(path, at))
		return OVL_PASS;
	return ovl_for_write(dirfd, path, shim_at_flags(at), r);
}

/* truncate to 0 throws the data away: copy up the metadata only. */
static int shim_trunc_at(int dirfd, const char *path, int nodata, struct ovl_res *r)
{
	return ovl_for_write(dirfd, path, nodata ? OVL_NODATA : 0, r);
}

/* Which object a call that may name a descriptor changes: 0 the path (the
 * usual lookup, into r); else the descriptor dirfd, which fd.c copies up,
 * 1 for futimesat(fd, NULL) (futimes: plain descriptors only; glibc's
 * utimensat refuses a NULL path with EINVAL, left to it), 2 for
 * AT_EMPTY_PATH with "" (the object itself, O_PATH symlinks included). */
static int shim_write_fd_or_at(int dirfd, const char *path, int at,
			       int null_is_fd, int *kind, struct ovl_res *r)
{
	*kind = 0;
	if (!shim_nonnull(path)) {
		/* the kernel refuses the other NULL forms untouched */
		if (!null_is_fd || dirfd == AT_FDCWD || at != 0)
			return OVL_PASS;
		*kind = 1;
		return shim_fd_write(dirfd, 0, r);
	}
	if (shim_fd_form(path, at)) {
		*kind = 2;
		return shim_fd_write(dirfd, 1, r);
	}
	return ovl_for_write(dirfd, path, shim_at_flags(at), r);
}

/* As SHIM_PATH with the write intent, for calls that also have descriptor
 * forms: `byreal` changes `real` (r.real), with `kind` in scope (a descriptor's
 * object is changed without following: it is the object itself). */
#define SHIM_PATH_FD(name, params, args, null_is_fd, at, byreal)             \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		struct ovl_res r;                                            \
		int kind = 0;                                                \
		int rc = shim_on() ? shim_write_fd_or_at(dirfd, path, at,    \
							 null_is_fd, &kind, &r) \
				   : OVL_PASS;                               \
		SHIM_TRACE(name, path, rc, &r);                              \
		if (rc == OVL_PASS)                                          \
			return SHIM_NEXT(name) args;                         \
		if (rc < 0) {                                                \
			errno = -rc;                                         \
			return -1;                                           \
		}                                                            \
		const char *real = r.real;                                   \
		int v = byreal;                                              \
		SHIM_LONG(real, v = byreal);                                 \
		return v;                                                    \
	}

/* As glibc's remove: unlink, and rmdir what turns out to be a directory. */
static int shim_remove(const char *path)
{
	int rc = ovl_unlink(AT_FDCWD, path, 0);

	if (rc == -EISDIR)
		rc = ovl_unlink(AT_FDCWD, path, AT_REMOVEDIR);
	return rc;
}

#define NOFOLLOW AT_SYMLINK_NOFOLLOW
#define WRITE shim_write_at
#define TRUNC shim_trunc_at
#define AT_OF(flags) (kind ? AT_SYMLINK_NOFOLLOW : (flags))
#define ON1 shim_on_path(path)
#define ON2 shim_on_path2(oldpath, newpath)
/* the legacy mknod entries refuse other versions themselves */
#define ON_XMKNOD (ver == 0 && shim_on_path(path) && shim_nonnull(dev))

SHIM_OP(mkdir, (const char *path, mode_t mode), (path, mode), ON1, ovl_mkdir(AT_FDCWD, path, mode))
SHIM_OP(mkdirat, (int dirfd, const char *path, mode_t mode), (dirfd, path, mode), ON1, ovl_mkdir(dirfd, path, mode))
SHIM_OP(unlink, (const char *path), (path), ON1, ovl_unlink(AT_FDCWD, path, 0))
SHIM_OP(unlinkat, (int dirfd, const char *path, int flags), (dirfd, path, flags), ON1, ovl_unlink(dirfd, path, flags))
SHIM_OP(rmdir, (const char *path), (path), ON1, ovl_unlink(AT_FDCWD, path, AT_REMOVEDIR))
SHIM_OP(remove, (const char *path), (path), ON1, shim_remove(path))
SHIM_OP(rename, (const char *oldpath, const char *newpath), (oldpath, newpath), ON2, ovl_rename(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0))
SHIM_OP(renameat, (int olddirfd, const char *oldpath, int newdirfd, const char *newpath), (olddirfd, oldpath, newdirfd, newpath), ON2, ovl_rename(olddirfd, oldpath, newdirfd, newpath, 0))
SHIM_OP(renameat2, (int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags), (olddirfd, oldpath, newdirfd, newpath, flags), ON2, ovl_rename(olddirfd, oldpath, newdirfd, newpath, flags))
SHIM_OP(link, (const char *oldpath, const char *newpath), (oldpath, newpath), ON2, ovl_link(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0))
SHIM_OP(linkat, (int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags), (olddirfd, oldpath, newdirfd, newpath, flags), ON2, ovl_link(olddirfd, oldpath, newdirfd, newpath, flags))
SHIM_OP(symlink, (const char *target, const char *path), (target, path), ON1 && shim_nonnull(target), ovl_symlink(target, AT_FDCWD, path))
SHIM_OP(symlinkat, (const char *target, int dirfd, const char *path), (target, dirfd, path), ON1 && shim_nonnull(target), ovl_symlink(target, dirfd, path))
SHIM_OP(mknod, (const char *path, mode_t mode, dev_t dev), (path, mode, dev), ON1, ovl_mknod(AT_FDCWD, path, mode, dev))
SHIM_OP(mknodat, (int dirfd, const char *path, mode_t mode, dev_t dev), (dirfd, path, mode, dev), ON1, ovl_mknod(dirfd, path, mode, dev))
SHIM_OP(__xmknod, (int ver, const char *path, mode_t mode, dev_t *dev), (ver, path, mode, dev), ON_XMKNOD, ovl_mknod(AT_FDCWD, path, mode, *dev))
SHIM_OP(__xmknodat, (int ver, int dirfd, const char *path, mode_t mode, dev_t *dev), (ver, dirfd, path, mode, dev), ON_XMKNOD, ovl_mknod(dirfd, path, mode, *dev))
SHIM_OP(mkfifo, (const char *path, mode_t mode), (path, mode), ON1, ovl_mknod(AT_FDCWD, path, S_IFIFO | mode, 0))
SHIM_OP(mkfifoat, (int dirfd, const char *path, mode_t mode), (dirfd, path, mode), ON1, ovl_mknod(dirfd, path, S_IFIFO | mode, 0))

SHIM_PATH(int, chmod, (const char *path, mode_t mode), (path, mode), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lchmod, (const char *path, mode_t mode), (path, mode), WRITE, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(int, fchmodat, (int dirfd, const char *path, mode_t mode, int flags), (dirfd, path, mode, flags), WRITE, dirfd, flags, )
SHIM_PATH(int, chown, (const char *path, uid_t owner, gid_t group), (path, owner, group), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lchown, (const char *path, uid_t owner, gid_t group), (path, owner, group), WRITE, AT_FDCWD, NOFOLLOW, )
SHIM_PATH_FD(fchownat, (int dirfd, const char *path, uid_t owner, gid_t group, int flags), (dirfd, path, owner, group, flags), 0, flags, SHIM_NEXT(fchownat)(AT_FDCWD, real, owner, group, AT_OF(flags)))
SHIM_PATH(int, truncate, (const char *path, off_t length), (path, length), TRUNC, AT_FDCWD, length == 0, )
SHIM_PATH(int, truncate64, (const char *path, off64_t length), (path, length), TRUNC, AT_FDCWD, length == 0, )
SHIM_PATH_FD(utimensat, (int dirfd, const char *path, const struct timespec times[2], int flags), (dirfd, path, times, flags), 0, flags, SHIM_NEXT(utimensat)(AT_FDCWD, real, times, AT_OF(flags)))
SHIM_PATH_FD(futimesat, (int dirfd, const char *path, const struct timeval times[2]), (dirfd, path, times), 1, 0, kind ? SHIM_NEXT(lutimes)(real, times) : SHIM_NEXT(futimesat)(AT_FDCWD, real, times))
SHIM_PATH(int, utimes, (const char *path, const struct timeval times[2]), (path, times), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lutimes, (const char *path, const struct timeval times[2]), (path, times), WRITE, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(int, utime, (const char *path, const struct utimbuf *times), (path, times), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, setxattr, (const char *path, const char *name, const void *value, size_t size, int flags), (path, name, value, size, flags), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lsetxattr, (const char *path, const char *name, const void *value, size_t size, int flags), (path, name, value, size, flags), WRITE, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(int, removexattr, (const char *path, const char *name), (path, name), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lremovexattr, (const char *path, const char *name), (path, name), WRITE, AT_FDCWD, NOFOLLOW, )
