/*
 * liboverlay shim: interposition only.
 *
 * Each exported function asks core/ (ovl.h) which host path a call must
 * reach, then calls the next definition of the same symbol (libc's) so that
 * errno, cancellation points and stdio behave exactly as libc's own.  No
 * overlay logic lives here.
 *
 * Include this header first in every shim file: it must undo settings that
 * would rename or inline the libc declarations we define.
 */
#ifndef SHIM_H
#define SHIM_H

/* Fortify headers turn open() & co. into inline functions, and 64-bit
 * offsets rename open to open64: either would clash with our definitions. */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/file.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "ovl.h"

#define OVL_EXPORT __attribute__((visibility("default")))

/* Entry points glibc 2.36 exports without declaring them: the legacy stat
 * and mknod family (binaries built before glibc 2.33) and the fortified
 * variants (_FORTIFY_SOURCE builds), which reach the plain call inside
 * glibc, never through us. */
int __xstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
int __xmknod(int ver, const char *path, mode_t mode, dev_t *dev);
int __xmknodat(int ver, int dirfd, const char *path, mode_t mode, dev_t *dev);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len,
			 size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
char *__getcwd_chk(char *buf, size_t size, size_t buflen);
char *__getwd_chk(char *buf, size_t buflen);

/* Every libc symbol a wrapper forwards to.  One list feeds the index enum,
 * the name table and the eager resolution in next.c. */
#define SHIM_SYMBOLS(X)                                                      \
	/* open.c */                                                         \
	X(open) X(open64) X(openat) X(openat64) X(creat) X(creat64)          \
	X(__open_2) X(__open64_2) X(__openat_2) X(__openat64_2)              \
	X(fopen) X(fopen64) X(freopen) X(freopen64)                          \
	/* stat.c */                                                         \
	X(stat) X(lstat) X(fstatat) X(stat64) X(lstat64) X(fstatat64)        \
	X(statx) X(__xstat) X(__lxstat) X(__fxstatat) X(__xstat64)           \
	X(__lxstat64) X(__fxstatat64) X(fstat) X(fstat64) X(__fxstat)        \
	X(__fxstat64) X(access) X(faccessat) X(euidaccess) X(eaccess)        \
	X(readlink) X(readlinkat) X(__readlink_chk) X(__readlinkat_chk)       \
	X(getxattr) X(lgetxattr) X(listxattr)      \
	X(llistxattr) X(flistxattr) X(fgetxattr)                             \
	/* dir.c */                                                          \
	X(opendir) X(fdopendir) X(readdir) X(readdir64) X(readdir_r)         \
	X(readdir64_r) X(rewinddir) X(telldir) X(seekdir) X(closedir)        \
	X(dirfd) X(scandir) X(scandir64) X(scandirat) X(scandirat64)         \
	/* change.c */                                                       \
	X(mkdir) X(mkdirat) X(unlink) X(unlinkat) X(rmdir) X(rename)         \
	X(renameat) X(renameat2) X(link) X(linkat) X(symlink) X(symlinkat)   \
	X(mknod) X(mknodat) X(__xmknod) X(__xmknodat) X(mkfifo) X(mkfifoat)  \
	X(remove) X(chmod) X(fchmodat) X(lchmod) X(chown) X(lchown)          \
	X(fchownat) X(truncate) X(truncate64) X(utimensat) X(utimes)         \
	X(utime) X(lutimes) X(futimesat) X(setxattr) X(lsetxattr)            \
	X(removexattr) X(lremovexattr)                                       \
	/* fd.c */                                                           \
	X(close) X(dup) X(dup2) X(dup3) X(close_range) X(fcntl) X(fcntl64)                              \
	X(fchmod) X(fchown) X(futimens) X(futimes) X(fsetxattr)              \
	X(fremovexattr) X(ftruncate) X(ftruncate64) X(ioctl) X(flock)        \
	/* exec.c (execl, execle and execlp forward to execv, execve and     \
	   execvp) */                                                        \
	X(execve) X(execveat) X(fexecve) X(execv) X(execvp) X(execvpe)       \
	X(posix_spawn) X(posix_spawnp) X(system) X(popen)                    \
	/* spawn.c */                                                        \
	X(posix_spawn_file_actions_init) X(posix_spawn_file_actions_destroy) \
	X(posix_spawn_file_actions_addopen)                                  \
	X(posix_spawn_file_actions_addchdir_np)                              \
	X(posix_spawn_file_actions_addfchdir_np)                             \
	/* temp.c */                                                         \
	X(mkstemp) X(mkstemp64) X(mkostemp) X(mkostemp64) X(mkstemps)        \
	X(mkstemps64) X(mkostemps) X(mkostemps64) X(mkdtemp)                 \
	/* cwd.c */                                                          \
	X(chdir) X(fchdir) X(getcwd) X(get_current_dir_name) X(realpath)               \
	X(canonicalize_file_name) X(__realpath_chk) X(__getcwd_chk)          \
	X(getwd) X(__getwd_chk)                                              \
	/* stat.c: file systems */                                           \
	X(statfs) X(statfs64) X(statvfs) X(statvfs64) X(pathconf)            \
	/* temp.c: names */                                                  \
	X(mktemp) X(tmpfile) X(tmpfile64) X(tempnam) X(tmpnam) X(tmpnam_r)   \
	/* walk.c */                                                         \
	X(ftw) X(ftw64) X(nftw) X(nftw64) X(glob) X(glob64)                  \
	X(fts_open) X(fts_read) X(fts_children) X(fts_set) X(fts_close)      \
	X(fts64_open) X(fts64_read) X(fts64_children) X(fts64_set)           \
	X(fts64_close)                                                       \
	/* dents.c */                                                        \
	X(getdents64) X(getdirentries) X(getdirentries64)                    \
	/* syscall.c */                                                      \
	X(syscall)                                                           \
	/* loader.c */                                                       \
	X(dlopen) X(dlmopen)                                                 \
	/* misc.c */                                                         \
	X(bind) X(connect) X(inotify_add_watch) X(name_to_handle_at)         \
	/* signal.c */                                                       \
	X(sigaction) X(signal) X(sysv_signal) X(sigset)                      \
	/* read.c */                                                         \
	X(read) X(__read_chk) X(pread) X(pread64) X(__pread_chk)             \
	X(__pread64_chk) X(readv) X(preadv) X(preadv64) X(lseek) X(lseek64)

enum {
#define SHIM_ENUM(name) SHIM_N_##name,
	SHIM_SYMBOLS(SHIM_ENUM)
#undef SHIM_ENUM
	SHIM_N_COUNT
};

extern void *shim_next_tab[SHIM_N_COUNT];
void *shim_next_resolve(int idx);

static inline void *shim_next_get(int idx)
{
	void *p = __atomic_load_n(&shim_next_tab[idx], __ATOMIC_RELAXED);

	/* Still NULL when another library's constructor, run before ours,
	 * calls into us: resolve just this one now. */
	if (__builtin_expect(p == NULL, 0))
		p = shim_next_resolve(idx);
	return p;
}

/* The next definition of a symbol we interpose, with its own type. */
#define SHIM_NEXT(name) ((__typeof__(&name))shim_next_get(SHIM_N_##name))

/* Configuration is read once, by the constructor or by the first wrapper
 * called before it; 0 while that first read is still running in this very
 * thread (an allocator opening a file from inside it), so it passes through. */
extern int shim_ready;
int shim_init(void);

static inline int shim_on(void)
{
	if (__builtin_expect(!__atomic_load_n(&shim_ready, __ATOMIC_ACQUIRE), 0) &&
	    !shim_init())
		return 0;
	return ovl_active();
}

/* libc declares most path parameters nonnull, which would let the compiler
 * drop this test; a NULL path must still reach libc and give EFAULT there,
 * not crash inside core. */
static inline int shim_nonnull(const void *p)
{
	__asm__("" : "+r"(p));
	return p != NULL;
}

static inline int shim_on_path(const char *path)
{
	return shim_on() && shim_nonnull(path);
}

static inline int shim_on_path2(const char *a, const char *b)
{
	return shim_on() && shim_nonnull(a) && shim_nonnull(b);
}

/* fd.c: a change through descriptor fd (`named`: the call names fd's object
 * itself, AT_EMPTY_PATH, which O_PATH descriptors may do).  OVL_PASS: let it
 * through the descriptor; 0: make it by path on r->real, the upper copy of
 * the lower file fd is open on; or -errno. */
int shim_fd_write(int fd, int named, struct ovl_res *r);

/* dents.c: the merged listing for getdents64 (old: the legacy layout of
 * SYS_getdents) on descriptor fd.  OVL_PASS: let the kernel answer; 0 with
 * *out the byte count or -errno.  The listing a descriptor reads from is
 * dropped when it closes or is replaced: shim_dents_forget. */
int shim_dents(int fd, void *buf, size_t n, int old, long *out);
void shim_dents_forget(int fd);
/* fd.c: everything the library keeps about descriptor fd (core's record,
 * a listing), dropped before its number can come back meaning something
 * else: on close, or when dup2/dup3 replace it. */
void shim_fd_forget(int fd);

/* loader.c: the LD_LIBRARY_PATH a child gets, from the caller's value (NULL
 * when unset) and prog, the host path of a dynamically linked program in a
 * mount (or NULL), whose RUNPATH is read.  0: leave the environment as it
 * is; 1: *ldp ("LD_LIBRARY_PATH=...") replaces the caller's and *saved
 * ("OVERLAY_SAVED_LD_LIBRARY_PATH=...") is added, both from alloc (which
 * must be safe after vfork); -ENOMEM. */
int shim_ld_path(const char *value, const char *prog,
		 void *(*alloc)(void *ctx, size_t n), void *ctx,
		 char **ldp, char **saved);

/* spawn.c: after posix_spawn(p) with the file actions fa returned, their
 * creates have run in the child: their opens' bookkeeping. */
void shim_spawn_done(const posix_spawn_file_actions_t *fa);

/* AT_* flags of the call to core's lookup flags. */
static inline int shim_at_flags(int at)
{
	return (at & AT_SYMLINK_NOFOLLOW) ? OVL_NOFOLLOW : 0;
}

/* fstatat(fd, "", AT_EMPTY_PATH) and kin name the descriptor itself. */
static inline int shim_fd_form(const char *path, int at)
{
	return (at & AT_EMPTY_PATH) && shim_nonnull(path) && path[0] == '\0';
}

/*
 * The wrapper shapes.  Convention: the path parameter is named `path` and a
 * directory descriptor, when there is one, `dirfd`.  The second call re-uses
 * the same argument list inside a block where those two names are rebound to
 * the resolved host path, so each wrapper lists its arguments once.
 */
/* OVERLAY_TRACE (core/trace.c): the call's line once core has decided;
 * off, one test of a flag that never changes. */
#define SHIM_TRACE(name, path, rc, r)                                        \
	do {                                                                 \
		if (__builtin_expect(ovl_trace_on, 0))                       \
			ovl_trace_res(#name, path, rc, r);                   \
	} while (0)

/* A host path of PATH_MAX bytes or more, which the kernel refused: stmt
 * again with the variable `var` bound to its short form (core/longpath.c).
 * Ordinary paths pay one test of errno after the call. */
#define SHIM_LONG(var, stmt)                                                 \
	do {                                                                 \
		struct ovl_long ls_;                                         \
		if (__builtin_expect(errno == ENAMETOOLONG, 0) &&            \
		    ovl_long_open(AT_FDCWD, var, &ls_) > 0) {                \
			const char *var = ls_.path;                          \
			stmt;                                                \
			int e_ = errno;                                      \
			ovl_long_close(&ls_);                                \
			errno = e_;                                          \
		}                                                            \
	} while (0)

#define SHIM_REBIND                                                          \
	int dirfd __attribute__((unused)) = AT_FDCWD;                        \
	const char *path = ovl_kernel_name(&r);

/* v = the next symbol called with the arguments rebound to r.real. */
#define SHIM_NEXT_REAL(v, name, args)                                        \
	do {                                                                 \
		SHIM_REBIND                                                  \
		v = SHIM_NEXT(name) args;                                    \
		SHIM_LONG(path, v = SHIM_NEXT(name) args);                   \
	} while (0)

/*
 * SHIM_PATH: one path, resolved by intent(dfd, path, flags, &r), then the
 * next symbol on r.real.  `after` runs with rc, r and v in scope (rc is
 * OVL_PASS when the original arguments went through).
 */
#define SHIM_PATH(ret, name, params, args, intent, dfd, flags, after)        \
	OVL_EXPORT ret name params                                           \
	{                                                                    \
		struct ovl_res r;                                            \
		int rc = shim_on_path(path) ? intent(dfd, path, flags, &r)   \
					    : OVL_PASS;                      \
		ret v;                                                       \
		SHIM_TRACE(name, path, rc, &r);                              \
		if (rc < 0) {                                                \
			errno = -rc;                                         \
			return (ret)-1;                                      \
		}                                                            \
		if (rc == OVL_PASS) {                                        \
			v = SHIM_NEXT(name) args;                            \
		} else {                                                     \
			SHIM_NEXT_REAL(v, name, args);                       \
		}                                                            \
		after;                                                       \
		return v;                                                    \
	}

/* SHIM_OP: core performs the whole change (ovl_mkdir, ovl_rename...). */
#define SHIM_OP(name, params, args, on, call)                                \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		int rc = (on) ? (call) : OVL_PASS;                           \
		if (__builtin_expect(ovl_trace_on, 0))                       \
			ovl_trace_result(#name, rc);                         \
		if (rc == OVL_PASS)                                          \
			return SHIM_NEXT(name) args;                         \
		if (rc < 0) {                                                \
			errno = -rc;                                         \
			return -1;                                           \
		}                                                            \
		return 0;                                                    \
	}

#endif
