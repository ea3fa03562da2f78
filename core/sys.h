/*
 * Raw system calls for core/.
 *
 * core must never call libc's file functions: the shim interposes them (and
 * `syscall` itself, later), so a call from core would come back into the
 * library.  These wrappers trap into the kernel directly and return the
 * kernel's answer: a value >= 0, or -errno.  errno is never touched, so the
 * application's errno survives every internal step.
 */
#ifndef OVL_SYS_H
#define OVL_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#if defined(__x86_64__)
static inline long ovl_sc6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static inline long ovl_sc6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
#else
#error "liboverlay: add a raw system call stub for this architecture in core/sys.h"
#endif

#define OVL_SC(n, a, b, c, d, e, f) \
	ovl_sc6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* A host path too long for the kernel (longpath.c, ovl.h): ovl_long_renameat2
 * and ovl_long_linkat make the calls with two paths again. */
int ovl_long_renameat2(int od, const char *o, int nd, const char *n, unsigned fl);
int ovl_long_linkat(int od, const char *o, int nd, const char *n, int fl);

/* In a wrapper whose path parameter is p: when the kernel said the path
 * was too long, make the call again (expr, which names p) on its short form. */
#define SYS_LONG(rc, dfd, expr)                                              \
	do {                                                                 \
		struct ovl_long lp_;                                         \
		if (__builtin_expect((rc) == -ENAMETOOLONG, 0) &&            \
		    ((rc) = ovl_long_open((dfd), p, &lp_)) >= 0) {           \
			if ((rc) == 0) {                                     \
				(rc) = -ENAMETOOLONG;                        \
			} else {                                             \
				const char *p_short_ = lp_.path;             \
				(rc) = (expr);                               \
				ovl_long_close(&lp_);                        \
			}                                                    \
		}                                                            \
	} while (0)

static inline int sys_openat(int dfd, const char *p, int fl, mode_t mode)
{
	int rc = (int)OVL_SC(SYS_openat, dfd, p, fl, mode, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_openat, dfd, p_short_, fl, mode, 0, 0));
	return rc;
}
static inline int sys_close(int fd)
{ return (int)OVL_SC(SYS_close, fd, 0, 0, 0, 0, 0); }
static inline int sys_fstatat(int dfd, const char *p, struct stat *st, int fl)
{
	int rc = (int)OVL_SC(SYS_newfstatat, dfd, p, st, fl, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_newfstatat, dfd, p_short_, st, fl, 0, 0));
	return rc;
}
static inline int sys_lstat(const char *p, struct stat *st)
{ return sys_fstatat(AT_FDCWD, p, st, AT_SYMLINK_NOFOLLOW); }
static inline int sys_fstat(int fd, struct stat *st)
{ return sys_fstatat(fd, "", st, AT_EMPTY_PATH); }
static inline int sys_mkdirat(int dfd, const char *p, mode_t mode)
{
	int rc = (int)OVL_SC(SYS_mkdirat, dfd, p, mode, 0, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_mkdirat, dfd, p_short_, mode, 0, 0, 0));
	return rc;
}
static inline int sys_mknodat(int dfd, const char *p, mode_t mode, dev_t dev)
{
	int rc = (int)OVL_SC(SYS_mknodat, dfd, p, mode, dev, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_mknodat, dfd, p_short_, mode, dev, 0, 0));
	return rc;
}
static inline int sys_unlinkat(int dfd, const char *p, int fl)
{
	int rc = (int)OVL_SC(SYS_unlinkat, dfd, p, fl, 0, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_unlinkat, dfd, p_short_, fl, 0, 0, 0));
	return rc;
}
static inline int sys_renameat2(int od, const char *o, int nd, const char *n, unsigned fl)
{
	int rc = (int)OVL_SC(SYS_renameat2, od, o, nd, n, fl, 0);
	return rc == -ENAMETOOLONG ? ovl_long_renameat2(od, o, nd, n, fl) : rc;
}
static inline int sys_linkat(int od, const char *o, int nd, const char *n, int fl)
{
	int rc = (int)OVL_SC(SYS_linkat, od, o, nd, n, fl, 0);
	return rc == -ENAMETOOLONG ? ovl_long_linkat(od, o, nd, n, fl) : rc;
}
static inline int sys_symlinkat(const char *t, int dfd, const char *p)
{
	int rc = (int)OVL_SC(SYS_symlinkat, t, dfd, p, 0, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_symlinkat, t, dfd, p_short_, 0, 0, 0));
	return rc;
}
static inline long sys_readlinkat(int dfd, const char *p, char *buf, size_t n)
{
	long rc = OVL_SC(SYS_readlinkat, dfd, p, buf, n, 0, 0);
	SYS_LONG(rc, dfd, OVL_SC(SYS_readlinkat, dfd, p_short_, buf, n, 0, 0));
	return rc;
}
static inline long sys_getdents64(int fd, void *buf, size_t n)
{ return OVL_SC(SYS_getdents64, fd, buf, n, 0, 0, 0); }
static inline long sys_read(int fd, void *buf, size_t n)
{ return OVL_SC(SYS_read, fd, buf, n, 0, 0, 0); }
static inline long sys_write(int fd, const void *buf, size_t n)
{ return OVL_SC(SYS_write, fd, buf, n, 0, 0, 0); }
static inline long sys_pread(int fd, void *buf, size_t n, off_t off)
{ return OVL_SC(SYS_pread64, fd, buf, n, off, 0, 0); }
static inline long sys_pwrite(int fd, const void *buf, size_t n, off_t off)
{ return OVL_SC(SYS_pwrite64, fd, buf, n, off, 0, 0); }
static inline off_t sys_lseek(int fd, off_t off, int whence)
{ return (off_t)OVL_SC(SYS_lseek, fd, off, whence, 0, 0, 0); }
static inline int sys_fsync(int fd)
{ return (int)OVL_SC(SYS_fsync, fd, 0, 0, 0, 0, 0); }
static inline int sys_ftruncate(int fd, off_t len)
{ return (int)OVL_SC(SYS_ftruncate, fd, len, 0, 0, 0, 0); }
static inline int sys_ioctl(int fd, unsigned long req, long arg)
{ return (int)OVL_SC(SYS_ioctl, fd, req, arg, 0, 0, 0); }
static inline long sys_copy_file_range(int in, off_t *ioff, int out, off_t *ooff, size_t n)
{ return OVL_SC(SYS_copy_file_range, in, ioff, out, ooff, n, 0); }
static inline int sys_fchmod(int fd, mode_t mode)
{ return (int)OVL_SC(SYS_fchmod, fd, mode, 0, 0, 0, 0); }
static inline int sys_fchmodat(int dfd, const char *p, mode_t mode)
{
	int rc = (int)OVL_SC(SYS_fchmodat, dfd, p, mode, 0, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_fchmodat, dfd, p_short_, mode, 0, 0, 0));
	return rc;
}
static inline int sys_fchownat(int dfd, const char *p, uid_t u, gid_t g, int fl)
{
	int rc = (int)OVL_SC(SYS_fchownat, dfd, p, u, g, fl, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_fchownat, dfd, p_short_, u, g, fl, 0));
	return rc;
}
static inline int sys_utimensat(int dfd, const char *p, const struct timespec *ts, int fl)
{
	int rc = (int)OVL_SC(SYS_utimensat, dfd, p, ts, fl, 0, 0);
	SYS_LONG(rc, dfd, (int)OVL_SC(SYS_utimensat, dfd, p_short_, ts, fl, 0, 0));
	return rc;
}
static inline long sys_llistxattr(const char *p, char *buf, size_t n)
{
	long rc = OVL_SC(SYS_llistxattr, p, buf, n, 0, 0, 0);
	SYS_LONG(rc, AT_FDCWD, OVL_SC(SYS_llistxattr, p_short_, buf, n, 0, 0, 0));
	return rc;
}
static inline long sys_lgetxattr(const char *p, const char *name, void *v, size_t n)
{
	long rc = OVL_SC(SYS_lgetxattr, p, name, v, n, 0, 0);
	SYS_LONG(rc, AT_FDCWD, OVL_SC(SYS_lgetxattr, p_short_, name, v, n, 0, 0));
	return rc;
}
static inline int sys_lsetxattr(const char *p, const char *name, const void *v, size_t n, int fl)
{
	int rc = (int)OVL_SC(SYS_lsetxattr, p, name, v, n, fl, 0);
	SYS_LONG(rc, AT_FDCWD, (int)OVL_SC(SYS_lsetxattr, p_short_, name, v, n, fl, 0));
	return rc;
}
static inline long sys_getcwd(char *buf, size_t n)
{ return OVL_SC(SYS_getcwd, buf, n, 0, 0, 0, 0); }
static inline void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{ return (void *)OVL_SC(SYS_mmap, addr, len, prot, flags, fd, off); }
static inline int sys_munmap(void *addr, size_t len)
{ return (int)OVL_SC(SYS_munmap, addr, len, 0, 0, 0, 0); }
static inline int sys_getpid(void)
{ return (int)OVL_SC(SYS_getpid, 0, 0, 0, 0, 0, 0); }
static inline long sys_fcntl(int fd, int cmd, long arg)
{ return OVL_SC(SYS_fcntl, fd, cmd, arg, 0, 0, 0); }
static inline int sys_dup3(int old, int new, int fl)
{ return (int)OVL_SC(SYS_dup3, old, new, fl, 0, 0, 0); }
static inline int sys_gettid(void)
{ return (int)OVL_SC(SYS_gettid, 0, 0, 0, 0, 0, 0); }

#endif
