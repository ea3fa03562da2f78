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

/* The descriptor forms (utimensat(fd, NULL), fchownat(fd, "",
 * AT_EMPTY_PATH)) go through untouched. */
static int shim_write_at(int dirfd, const char *path, int at, struct ovl_res *r)
{
	if (shim_fd_form(path, at))
		return OVL_PASS;
	return ovl_for_write(dirfd, path, shim_at_flags(at), r);
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
SHIM_PATH(int, fchownat, (int dirfd, const char *path, uid_t owner, gid_t group, int flags), (dirfd, path, owner, group, flags), WRITE, dirfd, flags, )
SHIM_PATH(int, truncate, (const char *path, off_t length), (path, length), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, truncate64, (const char *path, off64_t length), (path, length), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, utimensat, (int dirfd, const char *path, const struct timespec times[2], int flags), (dirfd, path, times, flags), WRITE, dirfd, flags, )
SHIM_PATH(int, futimesat, (int dirfd, const char *path, const struct timeval times[2]), (dirfd, path, times), WRITE, dirfd, 0, )
SHIM_PATH(int, utimes, (const char *path, const struct timeval times[2]), (path, times), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lutimes, (const char *path, const struct timeval times[2]), (path, times), WRITE, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(int, utime, (const char *path, const struct utimbuf *times), (path, times), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, setxattr, (const char *path, const char *name, const void *value, size_t size, int flags), (path, name, value, size, flags), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lsetxattr, (const char *path, const char *name, const void *value, size_t size, int flags), (path, name, value, size, flags), WRITE, AT_FDCWD, NOFOLLOW, )
SHIM_PATH(int, removexattr, (const char *path, const char *name), (path, name), WRITE, AT_FDCWD, 0, )
SHIM_PATH(int, lremovexattr, (const char *path, const char *name), (path, name), WRITE, AT_FDCWD, NOFOLLOW, )
