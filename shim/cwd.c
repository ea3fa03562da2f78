/*
 * The working directory.  chdir into the overlay moves the real cwd into
 * the layer directory that stat would describe; core turns the real cwd back
 * into the virtual one whenever a relative path is resolved, so fchdir and
 * inherited cwds need no wrapper.  getcwd and realpath show virtual paths.
 */
#include "shim.h"

#include <stdlib.h>
#include <string.h>

static int shim_dir_at(int dirfd, const char *path, int flags, struct ovl_res *r)
{
	int rc = ovl_for_read(dirfd, path, flags, r);

	if (rc == 0 && r->m && !S_ISDIR(r->type))
		return -ENOTDIR;
	return rc;
}

/* Core remembers the cwd between relative lookups: tell it when it moves. */
#define SHIM_CWD_MOVED if (v == 0) ovl_cwd_changed()

SHIM_PATH(int, chdir, (const char *path), (path), shim_dir_at, AT_FDCWD, 0, SHIM_CWD_MOVED)

OVL_EXPORT int fchdir(int fd)
{
	int v = SHIM_NEXT(fchdir)(fd);

	SHIM_CWD_MOVED;
	return v;
}

/* Hand `path` out with getcwd's rules: into buf when given, else into a new
 * allocation of `size` bytes, or just enough when size is 0. */
static char *shim_cwd_out(const char *path, char *buf, size_t size)
{
	size_t len = strlen(path) + 1;

	if (buf && size == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (size && len > size) {
		errno = ERANGE;
		return NULL;
	}
	if (!buf && !(buf = malloc(size ? size : len)))
		return NULL;
	return memcpy(buf, path, len);
}

OVL_EXPORT char *getcwd(char *buf, size_t size)
{
	char real[OVL_PATH_MAX], virt[OVL_PATH_MAX];
	int rc;

	if (!shim_on())
		return SHIM_NEXT(getcwd)(buf, size);
	/* Into our own buffer first: the real path may be longer than the
	 * virtual one the caller sized its buffer for. */
	if (!SHIM_NEXT(getcwd)(real, sizeof real))
		return errno == ERANGE ? SHIM_NEXT(getcwd)(buf, size) : NULL;
	rc = ovl_cwd_virtual(virt, sizeof virt);
	if (rc == OVL_PASS)
		return SHIM_NEXT(getcwd)(buf, size);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return shim_cwd_out(virt, buf, size);
}

/* glibc's version trusts $PWD when it names the cwd, checked with its
 * internal stat, which would not see the overlay: do the same check with
 * ours. */
OVL_EXPORT char *get_current_dir_name(void)
{
	const char *pwd;
	struct stat dot, env;

	if (!shim_on())
		return SHIM_NEXT(get_current_dir_name)();
	pwd = getenv("PWD");
	if (pwd && stat(".", &dot) == 0 && stat(pwd, &env) == 0 &&
	    dot.st_dev == env.st_dev && dot.st_ino == env.st_ino)
		return strdup(pwd);
	return getcwd(NULL, 0);
}

/* glibc's realpath walks with its internal lstat and readlink, blind to
 * the overlay.  Core's lookup already resolves every symlink and ".." in
 * the virtual namespace, so the host path it finds maps back to the
 * canonical virtual one. */
static char *shim_realpath(const char *path, char *resolved)
{
	char virt[OVL_PATH_MAX];
	struct ovl_res r;
	int rc = ovl_for_read(AT_FDCWD, path, 0, &r);

	if (rc == 0 && !r.m) /* left the mount: the host finishes the job */
		return SHIM_NEXT(realpath)(r.real, resolved);
	if (rc == 0)
		rc = ovl_virtual_of(r.real, virt, sizeof virt);
	if (rc == OVL_PASS)
		return SHIM_NEXT(realpath)(path, resolved);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	if (resolved && strlen(virt) >= PATH_MAX) {
		errno = ENAMETOOLONG; /* as glibc: its buffer holds PATH_MAX bytes */
		return NULL;
	}
	if (resolved)
		return strcpy(resolved, virt);
	return strdup(virt);
}

OVL_EXPORT char *realpath(const char *path, char *resolved)
{
	if (!shim_on_path(path))
		return SHIM_NEXT(realpath)(path, resolved);
	return shim_realpath(path, resolved);
}

OVL_EXPORT char *canonicalize_file_name(const char *path)
{
	if (!shim_on_path(path))
		return SHIM_NEXT(canonicalize_file_name)(path);
	return shim_realpath(path, NULL);
}

/* Fortified builds call these instead.  A buffer too small for the call
 * goes to libc's own, which aborts as it should. */
OVL_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (!shim_on_path(path) || (resolved && resolvedlen < PATH_MAX))
		return SHIM_NEXT(__realpath_chk)(path, resolved, resolvedlen);
	return shim_realpath(path, resolved);
}

OVL_EXPORT char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	if (!shim_on() || size > buflen)
		return SHIM_NEXT(__getcwd_chk)(buf, size, buflen);
	return getcwd(buf, size);
}

/* getwd assumes a buffer of PATH_MAX bytes and reports a failure as a
 * message written into it; glibc's calls its internal getcwd, which would
 * show the host path. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

OVL_EXPORT char *getwd(char *buf)
{
	char cwd[PATH_MAX];

	if (!shim_on() || !shim_nonnull(buf))
		return SHIM_NEXT(getwd)(buf);
	if (!getcwd(cwd, sizeof cwd)) {
		const char *msg = strerror_r(errno, cwd, sizeof cwd);
		size_t n = strnlen(msg, 1023);

		memmove(buf, msg, n);
		buf[n] = '\0';
		return NULL;
	}
	return strcpy(buf, cwd);
}

void __chk_fail(void) __attribute__((noreturn));

/* The fortified getwd knows the buffer's size: too small aborts. */
OVL_EXPORT char *__getwd_chk(char *buf, size_t buflen)
{
	char *v;

	if (!shim_on())
		return SHIM_NEXT(__getwd_chk)(buf, buflen);
	v = getcwd(buf, buflen);
	if (!v && errno == ERANGE)
		__chk_fail();
	return v;
}
