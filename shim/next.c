/*
 * Bootstrap: find libc's definitions of the symbols we interpose, and read
 * the configuration, both before main.
 *
 * dlsym may allocate, and an allocator may open files (jemalloc reads
 * /proc), so every symbol is resolved eagerly in the constructor rather
 * than on first use in the middle of some unrelated call.  Libraries whose
 * constructors run before ours can still call us: those get a lazy
 * configuration read (core/table.c: it allocates nothing) and a lazy dlsym
 * of the one symbol.
 *
 * That early caller may be an allocator initialising itself: jemalloc's
 * first malloc (from libstdc++'s constructor, say) calls
 * readlink("/etc/malloc.conf") and opens files under /proc and /sys with
 * its init lock held, and a malloc from us there deadlocks on that lock.
 * dlsym may allocate (its error state, a symbol version look-up), so the
 * calls an allocator makes while it starts (open, readlink, stat, access,
 * close, fcntl, syscall) are not looked up before the constructor: they are
 * answered by the raw system call (sys.h), exactly what libc's own would
 * do, on the host path the wrapper has resolved already.
 */
#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>

#include "sys.h"

void *shim_next_tab[SHIM_N_COUNT];

static const char *const shim_names[SHIM_N_COUNT] = {
#define SHIM_NAME(name) #name,
	SHIM_SYMBOLS(SHIM_NAME)
#undef SHIM_NAME
};

static void shim_die(const char *what, const char *detail)
{
	sys_write(2, "liboverlay: ", 12);
	sys_write(2, what, strlen(what));
	sys_write(2, detail, strlen(detail));
	sys_write(2, "\n", 1);
}

/* ---- the raw answers, before the constructor -------------------------- */

/* glibc's own fortify failure (exported, allocation-free: it aborts) */
extern void __chk_fail(void) __attribute__((noreturn));

static long raw_ret(long r)
{
	if ((unsigned long)r > -4096UL) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

#define RAW_NEEDS_MODE(fl) (((fl) & O_CREAT) || ((fl) & O_TMPFILE) == O_TMPFILE)

static int raw_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (RAW_NEEDS_MODE(flags)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return (int)raw_ret(sys_openat(dirfd, path, flags, mode));
}

static int raw_open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (RAW_NEEDS_MODE(flags)) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return (int)raw_ret(sys_openat(AT_FDCWD, path, flags, mode));
}

/* __open_2 and kin: the fortified forms, which have no mode to give */
static int raw_open_2(const char *path, int flags)
{
	if (RAW_NEEDS_MODE(flags))
		__chk_fail();
	return (int)raw_ret(sys_openat(AT_FDCWD, path, flags, 0));
}

static int raw_openat_2(int dirfd, const char *path, int flags)
{
	if (RAW_NEEDS_MODE(flags))
		__chk_fail();
	return (int)raw_ret(sys_openat(dirfd, path, flags, 0));
}

static ssize_t raw_readlink(const char *path, char *buf, size_t n)
{
	return raw_ret(sys_readlinkat(AT_FDCWD, path, buf, n));
}

static ssize_t raw_readlinkat(int dirfd, const char *path, char *buf, size_t n)
{
	return raw_ret(sys_readlinkat(dirfd, path, buf, n));
}

static ssize_t raw_readlink_chk(const char *path, char *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return raw_ret(sys_readlinkat(AT_FDCWD, path, buf, n));
}

static ssize_t raw_readlinkat_chk(int dirfd, const char *path, char *buf, size_t n,
				  size_t buflen)
{
	if (n > buflen)
		__chk_fail();
	return raw_ret(sys_readlinkat(dirfd, path, buf, n));
}

/* On the 64-bit targets of sys.h, struct stat is the kernel's (the one
 * newfstatat fills) and struct stat64 the same. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 is stat");

static int raw_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return (int)raw_ret(sys_fstatat(dirfd, path, st, flags));
}

static int raw_stat(const char *path, struct stat *st)
{
	return raw_fstatat(AT_FDCWD, path, st, 0);
}

static int raw_lstat(const char *path, struct stat *st)
{
	return raw_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

static int raw_fstat(int fd, struct stat *st)
{
	return raw_fstatat(fd, "", st, AT_EMPTY_PATH);
}

/* The legacy entry points: the version argument names the layout, which
 * is the kernel's on these targets. */
static int raw_xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return raw_stat(path, st);
}

static int raw_lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return raw_lstat(path, st);
}

static int raw_fxstat(int ver, int fd, struct stat *st)
{
	(void)ver;
	return raw_fstat(fd, st);
}

static int raw_fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	(void)ver;
	return raw_fstatat(dirfd, path, st, flags);
}

static int raw_statx(int dirfd, const char *path, int flags, unsigned int mask, void *stx)
{
	return (int)raw_ret(OVL_SC(SYS_statx, dirfd, path, flags, mask, stx, 0));
}

static int raw_faccessat(int dirfd, const char *path, int mode, int flags)
{
	if (!flags)
		return (int)raw_ret(OVL_SC(SYS_faccessat, dirfd, path, mode, 0, 0, 0));
	return (int)raw_ret(OVL_SC(SYS_faccessat2, dirfd, path, mode, flags, 0, 0));
}

static int raw_access(const char *path, int mode)
{
	return raw_faccessat(AT_FDCWD, path, mode, 0);
}

static int raw_euidaccess(const char *path, int mode)
{
	return raw_faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

static int raw_close(int fd)
{
	return (int)raw_ret(sys_close(fd));
}

static int raw_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return (int)raw_ret(OVL_SC(SYS_fcntl, fd, cmd, arg, 0, 0, 0));
}

/* As glibc's syscall(): six arguments taken, whatever the call uses. */
static long raw_syscall(long n, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return raw_ret(ovl_sc6(n, a[0], a[1], a[2], a[3], a[4], a[5]));
}

/* What an allocator may call while it initialises, answered without
 * dlsym until the constructor has resolved the real definitions. */
static void *const shim_raw[SHIM_N_COUNT] = {
	[SHIM_N_open] = (void *)raw_open,
	[SHIM_N_open64] = (void *)raw_open,
	[SHIM_N_openat] = (void *)raw_openat,
	[SHIM_N_openat64] = (void *)raw_openat,
	[SHIM_N___open_2] = (void *)raw_open_2,
	[SHIM_N___open64_2] = (void *)raw_open_2,
	[SHIM_N___openat_2] = (void *)raw_openat_2,
	[SHIM_N___openat64_2] = (void *)raw_openat_2,
	[SHIM_N_readlink] = (void *)raw_readlink,
	[SHIM_N_readlinkat] = (void *)raw_readlinkat,
	[SHIM_N___readlink_chk] = (void *)raw_readlink_chk,
	[SHIM_N___readlinkat_chk] = (void *)raw_readlinkat_chk,
	[SHIM_N_stat] = (void *)raw_stat,
	[SHIM_N_stat64] = (void *)raw_stat,
	[SHIM_N_lstat] = (void *)raw_lstat,
	[SHIM_N_lstat64] = (void *)raw_lstat,
	[SHIM_N_fstat] = (void *)raw_fstat,
	[SHIM_N_fstat64] = (void *)raw_fstat,
	[SHIM_N_fstatat] = (void *)raw_fstatat,
	[SHIM_N_fstatat64] = (void *)raw_fstatat,
	[SHIM_N___xstat] = (void *)raw_xstat,
	[SHIM_N___xstat64] = (void *)raw_xstat,
	[SHIM_N___lxstat] = (void *)raw_lxstat,
	[SHIM_N___lxstat64] = (void *)raw_lxstat,
	[SHIM_N___fxstat] = (void *)raw_fxstat,
	[SHIM_N___fxstat64] = (void *)raw_fxstat,
	[SHIM_N___fxstatat] = (void *)raw_fxstatat,
	[SHIM_N___fxstatat64] = (void *)raw_fxstatat,
	[SHIM_N_statx] = (void *)raw_statx,
	[SHIM_N_access] = (void *)raw_access,
	[SHIM_N_faccessat] = (void *)raw_faccessat,
	[SHIM_N_euidaccess] = (void *)raw_euidaccess,
	[SHIM_N_eaccess] = (void *)raw_euidaccess,
	[SHIM_N_close] = (void *)raw_close,
	[SHIM_N_fcntl] = (void *)raw_fcntl,
	[SHIM_N_fcntl64] = (void *)raw_fcntl,
	[SHIM_N_syscall] = (void *)raw_syscall,
};

/* Looked up at their first call, not by the constructor: calls that are
 * not async-signal-safe (so never made in a signal handler, where dlsym
 * could deadlock), not of the exec family (a vfork child calls those, and
 * must not run dlsym's allocations in its parent's memory), and that most
 * processes never make.  Each lookup costs
 * about 0.2 us, and every process starts with the constructor. */
#define COLD(name) [SHIM_N_##name] = 1,
static const unsigned char shim_cold[SHIM_N_COUNT] = {
	/* stdio */ COLD(fopen) COLD(fopen64) COLD(freopen) COLD(freopen64)
	/* xattrs */ COLD(getxattr) COLD(lgetxattr) COLD(listxattr)
	COLD(llistxattr) COLD(flistxattr) COLD(fgetxattr) COLD(setxattr)
	COLD(lsetxattr) COLD(removexattr) COLD(lremovexattr) COLD(fsetxattr)
	COLD(fremovexattr)
	/* directory streams */ COLD(opendir) COLD(fdopendir) COLD(readdir)
	COLD(readdir64) COLD(readdir_r) COLD(readdir64_r) COLD(rewinddir)
	COLD(telldir) COLD(seekdir) COLD(closedir) COLD(dirfd) COLD(scandir)
	COLD(scandir64) COLD(scandirat) COLD(scandirat64)
	/* shells */ COLD(system) COLD(popen)
	/* spawn file actions */ COLD(posix_spawn_file_actions_init)
	COLD(posix_spawn_file_actions_destroy) COLD(posix_spawn_file_actions_addopen)
	COLD(posix_spawn_file_actions_addchdir_np)
	COLD(posix_spawn_file_actions_addfchdir_np)
	/* temporary files */ COLD(mkstemp) COLD(mkstemp64) COLD(mkostemp)
	COLD(mkostemp64) COLD(mkstemps) COLD(mkstemps64) COLD(mkostemps)
	COLD(mkostemps64) COLD(mkdtemp) COLD(mktemp) COLD(tmpfile)
	COLD(tmpfile64) COLD(tempnam) COLD(tmpnam) COLD(tmpnam_r)
	/* names */ COLD(getcwd) COLD(get_current_dir_name) COLD(realpath)
	COLD(canonicalize_file_name) COLD(__realpath_chk) COLD(__getcwd_chk)
	COLD(getwd) COLD(__getwd_chk)
	/* file systems */ COLD(statfs) COLD(statfs64) COLD(statvfs)
	COLD(statvfs64) COLD(pathconf)
	/* walkers */ COLD(ftw) COLD(ftw64) COLD(nftw) COLD(nftw64) COLD(glob)
	COLD(glob64) COLD(fts_open) COLD(fts_read) COLD(fts_children)
	COLD(fts_set) COLD(fts_close) COLD(fts64_open) COLD(fts64_read)
	COLD(fts64_children) COLD(fts64_set) COLD(fts64_close)
	/* the rest */ COLD(getdirentries) COLD(getdirentries64) COLD(dlopen)
	COLD(dlmopen) COLD(inotify_add_watch) COLD(name_to_handle_at)
	COLD(sysv_signal) COLD(sigset) COLD(__xmknod) COLD(__xmknodat)
	COLD(euidaccess) COLD(eaccess) COLD(lchmod) COLD(lutimes)
	COLD(futimesat)
};
#undef COLD

/* Set once the constructor has looked every symbol up. */
static int shim_resolved;

void *shim_next_resolve(int idx)
{
	void *p;

	/* Not stored: the constructor fills the slot with libc's. */
	if (!__atomic_load_n(&shim_resolved, __ATOMIC_ACQUIRE) && shim_raw[idx])
		return shim_raw[idx];
	p = dlsym(RTLD_NEXT, shim_names[idx]);

	if (!p) {
		/* Only reached by a program that calls a symbol its libc lacks
		 * (it found ours): nothing sensible to forward to. */
		shim_die("no next definition of ", shim_names[idx]);
		_exit(127);
	}
	__atomic_store_n(&shim_next_tab[idx], p, __ATOMIC_RELAXED);
	return p;
}

int shim_ready;
static int shim_started;
static int shim_owner;

int shim_init(void)
{
	int expect = 0;

	if (__atomic_compare_exchange_n(&shim_started, &expect, 1, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		extern char **environ;
		char err[512];

		__atomic_store_n(&shim_owner, sys_gettid(), __ATOMIC_RELEASE);
		/* under the supervisor, which answers every path call already,
		 * the library stays inert */
		if (!ovl_supervised() && ovl_config_from_env(environ, err, sizeof err) < 0) {
			/* Fail closed: running on with the real tree writable
			 * is worse than not running. */
			shim_die("", err);
			_exit(125);
		}
		__atomic_store_n(&shim_ready, 1, __ATOMIC_RELEASE);
		return 1;
	}
	while (!__atomic_load_n(&shim_ready, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&shim_owner, __ATOMIC_ACQUIRE) == sys_gettid())
			return 0; /* re-entered from our own configuration read */
		OVL_SC(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
	return 1;
}

/* What core keeps per process (the cwd, the thread ids of lock.c) belongs,
 * after a fork, to the child. */
static void shim_forked(void)
{
	ovl_cwd_init();
	ovl_lock_forked();
}

__attribute__((constructor)) static void shim_start(void)
{
	/* A symbol this libc lacks stays NULL: only a call to it is fatal;
	 * the cold ones stay NULL until their first call. */
	for (int i = 0; i < SHIM_N_COUNT; i++)
		if (!shim_cold[i] && !__atomic_load_n(&shim_next_tab[i], __ATOMIC_RELAXED))
			__atomic_store_n(&shim_next_tab[i],
					 dlsym(RTLD_NEXT, shim_names[i]),
					 __ATOMIC_RELAXED);
	__atomic_store_n(&shim_resolved, 1, __ATOMIC_RELEASE);
	if (!__atomic_load_n(&shim_ready, __ATOMIC_ACQUIRE))
		shim_init();
	/* What core remembers (the cwd) belongs to this process, and after a
	 * fork to the child; a vfork child runs no handlers and is refused. */
	ovl_cwd_init();
	pthread_atfork(NULL, NULL, shim_forked);
}
