/*
 * Changes through a descriptor: fchmod, fchown, futimens, futimes, the
 * xattr setters and ftruncate.  A descriptor opened read-only on a lower
 * file (or inherited from outside the overlay) reaches the lower itself, so
 * letting the call through would change the lower.  Core copies such a file
 * up and the change is made by path on the upper copy instead; the caller's
 * descriptor is moved onto the copy (core/intent.c), so that it sees its
 * own change, as on the kernel's overlayfs.  Other read-only descriptors
 * on the file keep reading the lower copy (DESIGN.md, copy-up).
 *
 * ftruncate is hot: descriptors on upper or host files cost one fcntl and
 * one check in core and go through as they are.
 */
#include "shim.h"

#include <linux/fs.h>
#include <stdarg.h>
#include <sys/ioctl.h>

int shim_fd_write(int fd, int named, struct ovl_res *r)
{
	int rc, fl;

	if (!shim_on())
		return OVL_PASS;
	rc = ovl_fd_for_write(fd, r);
	if (rc != 0 || named)
		return rc;
	/* The plain descriptor calls refuse O_PATH descriptors (the only kind
	 * a symlink can have) with EBADF: so must the change by path, which
	 * would otherwise succeed, and on the symlink's target at that.  Asked
	 * only here, on the rare way, to keep the common one a single call. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	return (fl & O_PATH) ? -EBADF : 0;
}

/* `bypath` runs with `real` (r.real) naming the upper copy.  The path forms that do
 * not follow symlinks are used where they exist: r.real is the object the
 * descriptor was open on, never something it points at. */
#define SHIM_FD(name, params, args, fd, bypath)                              \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		struct ovl_res r;                                            \
		int rc = shim_fd_write(fd, 0, &r);                           \
		SHIM_TRACE(name, "", rc, &r);                                \
		if (rc == OVL_PASS)                                          \
			return SHIM_NEXT(name) args;                         \
		if (rc < 0) {                                                \
			errno = -rc;                                         \
			return -1;                                           \
		}                                                            \
		const char *real = r.real;                                   \
		int v = bypath;                                              \
		SHIM_LONG(real, v = bypath);                                 \
		return v;                                                    \
	}

SHIM_FD(fchmod, (int fd, mode_t mode), (fd, mode), fd, SHIM_NEXT(chmod)(real, mode))
SHIM_FD(fchown, (int fd, uid_t owner, gid_t group), (fd, owner, group), fd, SHIM_NEXT(lchown)(real, owner, group))
SHIM_FD(futimens, (int fd, const struct timespec times[2]), (fd, times), fd, SHIM_NEXT(utimensat)(AT_FDCWD, real, times, AT_SYMLINK_NOFOLLOW))
SHIM_FD(futimes, (int fd, const struct timeval times[2]), (fd, times), fd, SHIM_NEXT(lutimes)(real, times))
SHIM_FD(fsetxattr, (int fd, const char *name, const void *value, size_t size, int flags), (fd, name, value, size, flags), fd, SHIM_NEXT(lsetxattr)(real, name, value, size, flags))
SHIM_FD(fremovexattr, (int fd, const char *name), (fd, name), fd, SHIM_NEXT(lremovexattr)(real, name))
/* ftruncate fails on a descriptor not open for writing (EINVAL), an O_PATH
 * one (EBADF) or a negative length (EINVAL) before anything can change:
 * such calls go to the kernel as they are, so a failing call copies
 * nothing up (a copy-up would break the lower file's hard links).  Only a
 * writable descriptor inherited on a lower file is left to copy up. */
static int shim_trunc(int fd, off64_t len, int (*next)(int, off64_t))
{
	struct ovl_res r;
	int fl = SHIM_NEXT(fcntl)(fd, F_GETFL);
	int rc = fl < 0 || len < 0 || (fl & O_PATH) || (fl & O_ACCMODE) == O_RDONLY
			 ? OVL_PASS : shim_fd_write(fd, 1, &r);

	if (rc == OVL_PASS)
		return next(fd, len);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	const char *real = r.real;
	int v = SHIM_NEXT(truncate64)(real, len);
	SHIM_LONG(real, v = SHIM_NEXT(truncate64)(real, len));
	return v;
}

static int shim_next_ftruncate(int fd, off64_t len)
{
	return SHIM_NEXT(ftruncate)(fd, (off_t)len);
}

OVL_EXPORT int ftruncate(int fd, off_t len)
{
	return shim_trunc(fd, len, shim_next_ftruncate);
}

OVL_EXPORT int ftruncate64(int fd, off64_t len)
{
	return shim_trunc(fd, len, SHIM_NEXT(ftruncate64));
}

/* The inode flags (chattr) and the project attributes change the object
 * itself: on a descriptor of a lower file (opened read-only, as lsattr and
 * chattr do) they would change the lower.  The file is copied up and the
 * change made on the upper copy, as the kernel's overlayfs does.  Every
 * other request goes through at the cost of one comparison. */
static int shim_is_inode_change(unsigned long req)
{
	return req == FS_IOC_SETFLAGS || req == FS_IOC32_SETFLAGS || req == FS_IOC_FSSETXATTR;
}

OVL_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	struct ovl_res r;
	int rc = shim_is_inode_change(req) ? shim_fd_write(fd, 1, &r) : OVL_PASS;

	if (rc == OVL_PASS)
		return SHIM_NEXT(ioctl)(fd, req, arg);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	const char *real = r.real;
	int ufd = SHIM_NEXT(open)(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	SHIM_LONG(real, ufd = SHIM_NEXT(open)(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
	if (ufd < 0)
		return -1;
	int v = SHIM_NEXT(ioctl)(ufd, req, arg), err = errno;
	SHIM_NEXT(close)(ufd);
	errno = err;
	return v;
}

/* The descriptor table of core remembers which descriptors are virtual
 * directories; a descriptor closed or replaced must be forgotten there
 * before its number can come back meaning something else. */
void shim_fd_forget(int fd)
{
	ovl_fd_forget(fd);
	shim_dents_forget(fd);
}

OVL_EXPORT int close(int fd)
{
	shim_fd_forget(fd);
	return SHIM_NEXT(close)(fd);
}

/* A copy means what the original means (fts keeps its directories open
 * through F_DUPFD_CLOEXEC copies). */
static int shim_dup_noted(int oldfd, int newfd)
{
	if (newfd >= 0)
		ovl_fd_copy(oldfd, newfd);
	return newfd;
}

OVL_EXPORT int dup(int fd)
{
	return shim_dup_noted(fd, SHIM_NEXT(dup)(fd));
}

OVL_EXPORT int dup2(int oldfd, int newfd)
{
	if (oldfd == newfd)
		return SHIM_NEXT(dup2)(oldfd, newfd);
	shim_fd_forget(newfd);
	return shim_dup_noted(oldfd, SHIM_NEXT(dup2)(oldfd, newfd));
}

OVL_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	shim_fd_forget(newfd);
	return shim_dup_noted(oldfd, SHIM_NEXT(dup3)(oldfd, newfd, flags));
}

/* A lock on a lower file and one on its upper copy must exclude each
 * other, as on the kernel (core/filelock.c picks the descriptor). */
OVL_EXPORT int flock(int fd, int op)
{
	return SHIM_NEXT(flock)(shim_on() ? ovl_flock_target(fd) : fd, op);
}

static int shim_is_lock(int cmd)
{
	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK || cmd == F_OFD_SETLK ||
	       cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
}

/* fcntl's third argument is an int or a pointer by command; like glibc,
 * take it as a pointer-sized word and hand it on unchanged.  A record lock
 * first looks at the other file of a copied-up one (core/filelock.c). */
#define SHIM_FCNTL(name)                                                     \
	OVL_EXPORT int name(int fd, int cmd, ...)                            \
	{                                                                    \
		va_list ap;                                                  \
		va_start(ap, cmd);                                           \
		void *arg = va_arg(ap, void *);                              \
		va_end(ap);                                                  \
		if (shim_is_lock(cmd) && shim_on()) {                        \
			int rc = ovl_fcntl_lock(fd, cmd, arg);               \
			if (rc <= 0) {                                       \
				if (rc < 0)                                  \
					errno = -rc;                         \
				return rc < 0 ? -1 : 0;                      \
			}                                                    \
		}                                                            \
		int v = SHIM_NEXT(name)(fd, cmd, arg);                       \
		if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)                \
			shim_dup_noted(fd, v);                               \
		return v;                                                    \
	}

SHIM_FCNTL(fcntl)
SHIM_FCNTL(fcntl64)

OVL_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	if (!(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned int fd = first; fd <= last && fd < 4096; fd++) {
			shim_fd_forget((int)fd);
		}
	return SHIM_NEXT(close_range)(first, last, flags);
}
