/*
 * Host paths longer than PATH_MAX.
 *
 * The kernel refuses a path argument of PATH_MAX bytes or more
 * (ENAMETOOLONG), however the tree is laid out, while a program may work
 * at any depth by relative names.  The library turns every name into a
 * host path (an upper's, a lower's), which can cross that limit where the
 * program's name did not: below a deep cwd, under an upper whose path is
 * longer than the mount's, in a copy-up's temporary name.
 *
 * Such a path is handed to the kernel in pieces: its parent directory is
 * opened (O_PATH) a piece of less than PATH_MAX bytes at a time, each
 * relative to the last, and the call is made again on
 * "/proc/self/fd/N/NAME", a short absolute path the kernel resolves
 * through that descriptor to the same object.  A call is only made again
 * after the kernel said ENAMETOOLONG, so ordinary paths cost nothing.
 */
#include <errno.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

/* Open the directory dir[0..len) (relative to dfd unless absolute) a piece
 * at a time: a descriptor, or -errno. */
static int open_in_pieces(int dfd, const char *dir, size_t len)
{
	char piece[PATH_MAX];
	int fd = dfd;
	size_t at = 0;

	if (len == 0)
		return sys_openat(dfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	while (at < len) {
		size_t n = len - at;
		if (n >= PATH_MAX) { /* end the piece at a '/' */
			n = PATH_MAX - 1;
			while (n > 0 && dir[at + n] != '/')
				n--;
			if (n == 0) {
				if (fd != dfd)
					sys_close(fd);
				return -ENAMETOOLONG; /* a name longer than any piece */
			}
		}
		memcpy(piece, dir + at, n);
		piece[n] = '\0';
		int next = sys_openat(fd, piece, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd != dfd)
			sys_close(fd);
		if (next < 0)
			return next;
		fd = next;
		at += n;
		while (at < len && dir[at] == '/')
			at++;
	}
	return fd;
}

int ovl_long_open(int dfd, const char *path, struct ovl_long *lp)
{
	size_t len = strlen(path), end = len, start;

	lp->fd = -1;
	if (len < PATH_MAX)
		return 0; /* the kernel's ENAMETOOLONG stands: a name too long */
	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (len - start > NAME_MAX + 1)
		return -ENAMETOOLONG;
	int fd = open_in_pieces(path[0] == '/' ? AT_FDCWD : dfd, path, start);
	if (fd < 0)
		return fd;
	/* "/proc/self/fd/N/NAME" (trailing slashes kept, for the kernel) */
	char num[12];
	size_t k = sizeof num;
	unsigned v = (unsigned)fd;
	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10));
	static const char proc[] = "/proc/self/fd/";
	char *o = lp->path;
	memcpy(o, proc, sizeof proc - 1);
	o += sizeof proc - 1;
	memcpy(o, num + k, sizeof num - k);
	o += sizeof num - k;
	*o++ = '/';
	memcpy(o, path + start, len - start + 1);
	lp->fd = fd;
	return 1;
}

void ovl_long_close(struct ovl_long *lp)
{
	if (lp->fd >= 0)
		sys_close(lp->fd);
	lp->fd = -1;
}

/* The calls with two paths (renameat2, linkat), either of which may be
 * long: made again with each long one in its short form. */
static int two_paths(long nr, int od, const char *o, int nd, const char *n, long fl)
{
	struct ovl_long a, b;
	int rc;

	if ((rc = ovl_long_open(od, o, &a)) < 0)
		return rc;
	if ((rc = ovl_long_open(nd, n, &b)) < 0) {
		ovl_long_close(&a);
		return rc;
	}
	if (a.fd < 0 && b.fd < 0)
		return -ENAMETOOLONG; /* neither is long: a name is */
	rc = (int)OVL_SC(nr, od, a.fd >= 0 ? a.path : o, nd, b.fd >= 0 ? b.path : n, fl, 0);
	ovl_long_close(&a);
	ovl_long_close(&b);
	return rc;
}

int ovl_long_renameat2(int od, const char *o, int nd, const char *n, unsigned fl)
{
	return two_paths(SYS_renameat2, od, o, nd, n, fl);
}

int ovl_long_linkat(int od, const char *o, int nd, const char *n, int fl)
{
	return two_paths(SYS_linkat, od, o, nd, n, fl);
}
