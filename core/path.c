/*
 * Names: absolute paths from (dirfd, path), and the reverse map from a host
 * path (a cwd, a descriptor) back to the virtual path it shows.
 *
 * The virtual cwd is not stored anywhere: chdir into the overlay changes the
 * real cwd to a layer directory, and the reverse map turns it back into the
 * mount path.  That keeps vfork children, threads and exec'd programs (which
 * inherit only the real cwd and real descriptors) all consistent for free.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

/* real lies at or below prefix (of length n) */
static int under(const char *real, const char *prefix, size_t n)
{
	return strncmp(real, prefix, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int rebase(const char *point, size_t plen, const char *tail,
		  char *out, size_t outlen)
{
	size_t tlen = strlen(tail);

	if (plen + tlen + 1 > outlen)
		return -ENAMETOOLONG;
	memmove(out + plen, tail, tlen + 1); /* tail may live in out */
	memcpy(out, point, plen);
	return 0;
}

int ovl_virtual_of(const char *real, char *out, size_t outlen)
{
	for (int i = 0; i < ovl_mount_count(); i++) {
		const struct ovl_mount *m = ovl_mount_at(i);
		for (int l = 0; l < m->nlayers; l++) {
			const struct ovl_layer *y = &m->layers[l];
			if (under(real, y->root, y->len))
				return rebase(m->point, m->point_len, real + y->len,
					      out, outlen);
		}
		if (under(real, m->point, m->point_len))
			return rebase(m->point, m->point_len, real + m->point_len,
				      out, outlen);
	}
	return OVL_PASS;
}

/* The host path behind a descriptor, or the real cwd for AT_FDCWD. */
static int fd_real(int fd, char *out, size_t outlen)
{
	char proc[40];
	long n;

	if (fd == AT_FDCWD) {
		n = sys_getcwd(out, outlen);
		if (n < 0)
			return (int)n;
		if (out[0] != '/')
			return -ENOENT; /* "(unreachable)": cwd outside our root */
		return 0;
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	n = sys_readlinkat(AT_FDCWD, proc, out, outlen - 1);
	if (n < 0)
		return n == -ENOENT ? -EBADF : (int)n;
	if ((size_t)n >= outlen - 1)
		return -ENAMETOOLONG;
	out[n] = '\0';
	if (out[0] != '/')
		return -ENOTDIR; /* a pipe or socket: not a directory */
	return 0;
}

int ovl_fd_virtual(int fd, char *out, size_t outlen)
{
	int rc;

	if (fd != AT_FDCWD && ovl_fd_recorded(fd, out, outlen))
		return 0;
	rc = fd_real(fd, out, outlen);
	if (rc < 0)
		return rc;
	return ovl_virtual_of(out, out, outlen);
}

/* Append src to dst (length *len), folding "//" and "/./" on the way; ".."
 * stays, since only lookup knows whether the component before it was a
 * symlink.  A trailing "/" or "/." is kept as a single trailing "/". */
static int append_folded(char *dst, size_t *len, size_t cap, const char *src)
{
	size_t n = *len;

	for (const char *s = src; *s;) {
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t c = (size_t)(e - s);
		if (c == 0 || (c == 1 && s[0] == '.')) {
			/* empty or "." component: only remembers a trailing slash */
		} else {
			if (n + 1 + c + 1 > cap)
				return -ENAMETOOLONG;
			if (n == 0 || dst[n - 1] != '/')
				dst[n++] = '/';
			memcpy(dst + n, s, c);
			n += c;
		}
		if (!*e)
			break;
		s = e + 1;
		if (!*s || (s[0] == '.' && !s[1])) { /* ends in "/" or "/." */
			if (n == 0 || dst[n - 1] != '/') {
				if (n + 2 > cap)
					return -ENAMETOOLONG;
				dst[n++] = '/';
			}
			break;
		}
	}
	if (n == 0)
		dst[n++] = '/';
	dst[n] = '\0';
	*len = n;
	return 0;
}

int ovl_absolute(int dirfd, const char *path, char *out, size_t outlen)
{
	size_t len = 0;
	int rc;

	if (!path[0])
		return -ENOENT;
	if (path[0] != '/') {
		rc = ovl_fd_virtual(dirfd, out, outlen);
		if (rc < 0)
			return rc;
		len = strlen(out);
		if (len == 1)
			len = 0; /* "/" */
	}
	out[len] = '\0';
	return append_folded(out, &len, outlen, path);
}
