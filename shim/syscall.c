/*
 * The syscall() entry point.  Programs reach some calls only through it
 * (openat2, renameat2 and statx before glibc had wrappers, getdents64 in
 * gnulib and Rust crates), and glibc's syscall() traps straight into the
 * kernel.  Every system call that takes a path, or that changes or lists
 * through a descriptor, is sent to our wrapper of the same call, which
 * behaves as libc's and so as the kernel's: -1 with errno on failure.  Any
 * other number passes through with all six arguments, untouched (futex and
 * gettid are hot: one switch, no other test).
 *
 * openat2 has no libc wrapper in glibc 2.36: it is resolved here as openat
 * is, and the kernel gets the host path with the caller's struct open_how.
 * Its RESOLVE_BENEATH, RESOLVE_IN_ROOT and RESOLVE_NO_SYMLINKS cannot be
 * honoured on a path core has resolved already: inside a mount such a call
 * fails with ENOSYS, the answer of a kernel without openat2, which callers
 * meet with a fallback.  The other RESOLVE_* flags apply to the host path.
 */
#include "shim.h"

#include <linux/openat2.h>
#include <stdarg.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <string.h>

#define SHIM_NO_RESOLVE (RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)

static long shim_pass(long n, const long *a)
{
	return SHIM_NEXT(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static long shim_openat2(const long *a)
{
	const struct open_how *how = (const struct open_how *)a[2];
	const char *path = (const char *)a[1];
	int dirfd = (int)a[0];
	struct ovl_res r;
	long fd;
	int rc;

	/* what the kernel refuses as it is, it refuses itself */
	if (!shim_on_path(path) || !how || (size_t)a[3] < sizeof *how)
		return shim_pass(SYS_openat2, a);
	if (how->resolve & SHIM_NO_RESOLVE) {
		if (ovl_resolve(dirfd, path, 0, &r) == OVL_PASS)
			return shim_pass(SYS_openat2, a);
		errno = ENOSYS;
		return -1;
	}
	rc = ovl_for_open(dirfd, path, (int)how->flags, &r);
	if (rc == OVL_PASS)
		return shim_pass(SYS_openat2, a);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	const char *real = r.real;
	fd = SHIM_NEXT(syscall)(SYS_openat2, AT_FDCWD, real, how, a[3], 0, 0);
	SHIM_LONG(real, fd = SHIM_NEXT(syscall)(SYS_openat2, AT_FDCWD, real, how, a[3], 0, 0));
	ovl_open_done(&r, fd >= 0 ? 0 : -errno);
	if (fd >= 0)
		ovl_fd_opened((int)fd, &r);
	return fd;
}

static long shim_getdents(long n, const long *a, int old)
{
	long v;

	if (shim_dents((int)a[0], (void *)a[1], (size_t)a[2], old, &v) == OVL_PASS)
		return shim_pass(n, a);
	if (v < 0) {
		errno = (int)-v;
		return -1;
	}
	return v;
}

/* getcwd(2) answers with the length it filled, NUL included. */
static long shim_getcwd(char *buf, size_t size)
{
	return getcwd(buf, size) ? (long)strlen(buf) + 1 : -1;
}

#define I(k) ((int)a[k])
#define U(k) ((unsigned int)a[k])
#define P(k) ((const char *)a[k])
#define V(k) ((void *)a[k])
#define M(k) ((mode_t)a[k])
#define Z(k) ((size_t)a[k])

OVL_EXPORT long syscall(long n, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	if (n == SYS_rt_sigaction) /* perhaps a handler: see signal.c */
		__atomic_store_n(&ovl_handlers_installed, 1, __ATOMIC_RELAXED);
	switch (n) {
	/* open */
	case SYS_openat: return openat(I(0), P(1), I(2), M(3));
	case SYS_openat2: return shim_openat2(a);
	/* look */
	case SYS_newfstatat: return fstatat(I(0), P(1), V(2), I(3));
	case SYS_fstat: return fstat(I(0), V(1));
	case SYS_statx: return statx(I(0), P(1), I(2), U(3), V(4));
	case SYS_faccessat: return faccessat(I(0), P(1), I(2), 0);
	case SYS_faccessat2: return faccessat(I(0), P(1), I(2), I(3));
	case SYS_readlinkat: return readlinkat(I(0), P(1), V(2), Z(3));
	case SYS_getxattr: return getxattr(P(0), P(1), V(2), Z(3));
	case SYS_lgetxattr: return lgetxattr(P(0), P(1), V(2), Z(3));
	case SYS_listxattr: return listxattr(P(0), V(1), Z(2));
	case SYS_llistxattr: return llistxattr(P(0), V(1), Z(2));
	case SYS_statfs: return statfs(P(0), V(1));
	case SYS_getdents64: return shim_getdents(n, a, 0);
	case SYS_inotify_add_watch: return inotify_add_watch(I(0), P(1), U(2));
	/* change the namespace */
	case SYS_mkdirat: return mkdirat(I(0), P(1), M(2));
	case SYS_mknodat: return mknodat(I(0), P(1), M(2), (dev_t)U(3));
	case SYS_unlinkat: return unlinkat(I(0), P(1), I(2));
	case SYS_renameat2: return renameat2(I(0), P(1), I(2), P(3), U(4));
#ifdef SYS_renameat
	case SYS_renameat: return renameat(I(0), P(1), I(2), P(3));
#endif
	case SYS_linkat: return linkat(I(0), P(1), I(2), P(3), I(4));
	case SYS_symlinkat: return symlinkat(P(0), I(1), P(2));
	/* change in place */
	case SYS_fchmodat: return fchmodat(I(0), P(1), M(2), 0);
#ifdef SYS_fchmodat2
	case SYS_fchmodat2: return fchmodat(I(0), P(1), M(2), I(3));
#endif
	case SYS_fchownat: return fchownat(I(0), P(1), (uid_t)a[2], (gid_t)a[3], I(4));
	case SYS_truncate: return truncate(P(0), (off_t)a[1]);
	/* the system call (not glibc's utimensat) takes a NULL path as the
	 * descriptor itself */
	case SYS_utimensat: return P(1) || I(3) ? utimensat(I(0), P(1), V(2), I(3)) : futimens(I(0), V(2));
	case SYS_setxattr: return setxattr(P(0), P(1), V(2), Z(3), I(4));
	case SYS_lsetxattr: return lsetxattr(P(0), P(1), V(2), Z(3), I(4));
	case SYS_removexattr: return removexattr(P(0), P(1));
	case SYS_lremovexattr: return lremovexattr(P(0), P(1));
	case SYS_fchmod: return fchmod(I(0), M(1));
	case SYS_fchown: return fchown(I(0), (uid_t)a[1], (gid_t)a[2]);
	case SYS_ftruncate: return ftruncate(I(0), (off_t)a[1]);
	case SYS_fsetxattr: return fsetxattr(I(0), P(1), V(2), Z(3), I(4));
	case SYS_fremovexattr: return fremovexattr(I(0), P(1));
	/* processes, cwd */
	case SYS_execve: return execve(P(0), V(1), V(2));
	case SYS_execveat: return execveat(I(0), P(1), V(2), V(3), I(4));
	case SYS_chdir: return chdir(P(0));
	case SYS_getcwd: return shim_getcwd(V(0), Z(1));
	/* sockets */
	case SYS_bind: return bind(I(0), (const struct sockaddr *)a[1], (socklen_t)a[2]);
	case SYS_connect: return connect(I(0), (const struct sockaddr *)a[1], (socklen_t)a[2]);
	/* the descriptor table */
	case SYS_close: return close(I(0));
	case SYS_dup: return dup(I(0));
	case SYS_dup3: return dup3(I(0), I(1), I(2));
	case SYS_close_range: return close_range(U(0), U(1), I(2));
	case SYS_fcntl:
		if (I(1) == F_DUPFD || I(1) == F_DUPFD_CLOEXEC)
			return fcntl(I(0), I(1), I(2));
		return shim_pass(n, a);
#ifdef SYS_open
	/* the older calls of x86_64 */
	case SYS_open: return open(P(0), I(1), M(2));
	case SYS_creat: return creat(P(0), M(1));
	case SYS_stat: return stat(P(0), V(1));
	case SYS_lstat: return lstat(P(0), V(1));
	case SYS_access: return access(P(0), I(1));
	case SYS_readlink: return readlink(P(0), V(1), Z(2));
	case SYS_getdents: return shim_getdents(n, a, 1);
	case SYS_mkdir: return mkdir(P(0), M(1));
	case SYS_mknod: return mknod(P(0), M(1), (dev_t)U(2));
	case SYS_rmdir: return rmdir(P(0));
	case SYS_unlink: return unlink(P(0));
	case SYS_rename: return rename(P(0), P(1));
	case SYS_link: return link(P(0), P(1));
	case SYS_symlink: return symlink(P(0), P(1));
	case SYS_chmod: return chmod(P(0), M(1));
	case SYS_chown: return chown(P(0), (uid_t)a[1], (gid_t)a[2]);
	case SYS_lchown: return lchown(P(0), (uid_t)a[1], (gid_t)a[2]);
	case SYS_utime: return utime(P(0), V(1));
	case SYS_utimes: return utimes(P(0), V(1));
	case SYS_futimesat: return futimesat(I(0), P(1), V(2));
	case SYS_dup2: return dup2(I(0), I(1));
#endif
	default:
		return shim_pass(n, a);
	}
}
