/*
 * Calls that read through a descriptor.  A read-only descriptor of a lower
 * file follows the file's copy-up (core/follow.c) before it is read, as on
 * the kernel's overlayfs; any other descriptor costs one load.
 */
#include "shim.h"

#include <sys/uio.h>

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);

#define SHIM_READ(ret, name, params, args)                                   \
	OVL_EXPORT ret name params                                           \
	{                                                                    \
		ovl_follow(fd);                                              \
		return SHIM_NEXT(name) args;                                 \
	}

SHIM_READ(ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
SHIM_READ(ssize_t, __read_chk, (int fd, void *buf, size_t n, size_t buflen), (fd, buf, n, buflen))
SHIM_READ(ssize_t, pread, (int fd, void *buf, size_t n, off_t off), (fd, buf, n, off))
SHIM_READ(ssize_t, pread64, (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))
SHIM_READ(ssize_t, __pread_chk, (int fd, void *buf, size_t n, off_t off, size_t buflen), (fd, buf, n, off, buflen))
SHIM_READ(ssize_t, __pread64_chk, (int fd, void *buf, size_t n, off64_t off, size_t buflen), (fd, buf, n, off, buflen))
SHIM_READ(ssize_t, readv, (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))
SHIM_READ(ssize_t, preadv, (int fd, const struct iovec *iov, int cnt, off_t off), (fd, iov, cnt, off))
SHIM_READ(ssize_t, preadv64, (int fd, const struct iovec *iov, int cnt, off64_t off), (fd, iov, cnt, off))
SHIM_READ(off_t, lseek, (int fd, off_t off, int whence), (fd, off, whence))
SHIM_READ(off64_t, lseek64, (int fd, off64_t off, int whence), (fd, off, whence))
