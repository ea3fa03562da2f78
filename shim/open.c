/*
 * open and its twins: core decides from the flags where the open lands
 * (copy-up for a write, the upper parent for a create) and libc opens it.
 */
#include "shim.h"

#include <stdarg.h>

/* open reads its variadic mode only for these, as libc does. */
#define SHIM_NEEDS_MODE(f) (((f) & O_CREAT) || ((f) & O_TMPFILE) == O_TMPFILE)

#define SHIM_VA_MODE                                                         \
	mode_t mode = 0;                                                     \
	if (SHIM_NEEDS_MODE(flags)) {                                        \
		va_list ap;                                                  \
		va_start(ap, flags);                                         \
		mode = (mode_t)va_arg(ap, int);                              \
		va_end(ap);                                                  \
	}

/* fopen's mode string as open flags, read as glibc reads it (the first
 * letter, then at most six more up to ',').  -1 for a mode glibc rejects:
 * the call goes through untouched and fails there with EINVAL. */
static int shim_fopen_flags(const char *mode)
{
	int acc = O_WRONLY, flags;

	switch (mode[0]) {
	case 'r': acc = O_RDONLY; flags = 0; break;
	case 'w': flags = O_CREAT | O_TRUNC; break;
	case 'a': flags = O_CREAT | O_APPEND; break;
	default: return -1;
	}
	for (int i = 1; i < 7 && mode[i] && mode[i] != ','; i++) {
		if (mode[i] == '+')
			acc = O_RDWR;
		else if (mode[i] == 'x')
			flags |= O_EXCL;
		else if (mode[i] == 'e')
			flags |= O_CLOEXEC;
	}
	return acc | flags;
}

/* What a new descriptor means, for core's descriptor tables: a directory
 * for *at() calls, a read-only lower file that follows its copy-up (a
 * stream's descriptor is read by libc itself: nothing to note). */
static inline void shim_note_fd(int fd, const struct ovl_res *r, int flags)
{
	if (fd < 0)
		return;
	if (r) {
		ovl_fd_opened(fd, r);
		ovl_follow_opened(fd, flags, r);
	} else {
		ovl_fd_forget(fd);
	}
}

static inline void shim_note_none(FILE *f, const struct ovl_res *r, int flags)
{
	(void)f;
	(void)r;
	(void)flags;
}

/* `prologue` defines `flags` (and `mode` where the call passes one) when
 * they are not parameters. */
#define SHIM_OPEN(ret, fail, note, name, params, args, dfd, prologue)              \
	OVL_EXPORT ret name params                                           \
	{                                                                    \
		prologue                                                     \
		struct ovl_res r;                                            \
		int rc = shim_on_path(path) && flags != -1                   \
				 ? ovl_for_open(dfd, path, flags, &r)        \
				 : OVL_PASS;                                 \
		ret v;                                                       \
		SHIM_TRACE(name, path, rc, &r);                              \
		if (rc == OVL_PASS) {                                        \
			v = SHIM_NEXT(name) args;                            \
			note(v, NULL, flags);                                       \
			return v;                                            \
		}                                                            \
		if (rc < 0) {                                                \
			errno = -rc;                                         \
			return fail;                                         \
		}                                                            \
		SHIM_NEXT_REAL(v, name, args);                               \
		ovl_open_done(&r, v != fail ? 0 : -errno);                   \
		if (v != fail)                                               \
			note(v, &r, flags);                                         \
		return v;                                                    \
	}

#define SHIM_CREAT_FLAGS int flags = O_CREAT | O_WRONLY | O_TRUNC;
#define SHIM_FOPEN_FLAGS int flags = shim_fopen_flags(mode);

SHIM_OPEN(int, -1, shim_note_fd, open, (const char *path, int flags, ...), (path, flags, mode), AT_FDCWD, SHIM_VA_MODE)
SHIM_OPEN(int, -1, shim_note_fd, open64, (const char *path, int flags, ...), (path, flags, mode), AT_FDCWD, SHIM_VA_MODE)
SHIM_OPEN(int, -1, shim_note_fd, openat, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode), dirfd, SHIM_VA_MODE)
SHIM_OPEN(int, -1, shim_note_fd, openat64, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode), dirfd, SHIM_VA_MODE)
SHIM_OPEN(int, -1, shim_note_fd, creat, (const char *path, mode_t mode), (path, mode), AT_FDCWD, SHIM_CREAT_FLAGS)
SHIM_OPEN(int, -1, shim_note_fd, creat64, (const char *path, mode_t mode), (path, mode), AT_FDCWD, SHIM_CREAT_FLAGS)
SHIM_OPEN(int, -1, shim_note_fd, __open_2, (const char *path, int flags), (path, flags), AT_FDCWD, )
SHIM_OPEN(int, -1, shim_note_fd, __open64_2, (const char *path, int flags), (path, flags), AT_FDCWD, )
SHIM_OPEN(int, -1, shim_note_fd, __openat_2, (int dirfd, const char *path, int flags), (dirfd, path, flags), dirfd, )
SHIM_OPEN(int, -1, shim_note_fd, __openat64_2, (int dirfd, const char *path, int flags), (dirfd, path, flags), dirfd, )
SHIM_OPEN(FILE *, NULL, shim_note_none, fopen, (const char *path, const char *mode), (path, mode), AT_FDCWD, SHIM_FOPEN_FLAGS)
SHIM_OPEN(FILE *, NULL, shim_note_none, fopen64, (const char *path, const char *mode), (path, mode), AT_FDCWD, SHIM_FOPEN_FLAGS)
SHIM_OPEN(FILE *, NULL, shim_note_none, freopen, (const char *path, const char *mode, FILE *stream), (path, mode, stream), AT_FDCWD, SHIM_FOPEN_FLAGS)
SHIM_OPEN(FILE *, NULL, shim_note_none, freopen64, (const char *path, const char *mode, FILE *stream), (path, mode, stream), AT_FDCWD, SHIM_FOPEN_FLAGS)
