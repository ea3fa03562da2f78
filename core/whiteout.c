/*
 * Whiteouts: the names that hide a name of the layers below.
 *
 * The usual form is the OCI one, a file ".wh.NAME" beside NAME.  A name of
 * 252 to 255 bytes has no room for the prefix, so its whiteout takes a
 * second form: an internal file ".wh..wh.lwh.HASH" (the FNV-1a hash of the
 * name, in hex) that holds the name itself, so that listings can tell
 * which name it hides and a lookup can rule out a hash collision.  (The
 * kernel's overlayfs uses a 0/0 character device with the name itself,
 * which only a privileged process may make.)  Both forms are read in every
 * layer, lowers included.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

#define LONG_PREFIX OVL_INTERNAL "lwh."
#define LONG_PREFIX_LEN (sizeof LONG_PREFIX - 1)

static int is_long(size_t nlen)
{
	return OVL_WH_LEN + nlen > NAME_MAX;
}

int ovl_wh_path(const char *dir, size_t dlen, const char *name, size_t nlen,
		char *out, size_t outlen)
{
	int n;

	if (!is_long(nlen))
		n = snprintf(out, outlen, "%.*s/" OVL_WH "%.*s", (int)dlen, dir, (int)nlen, name);
	else
		n = snprintf(out, outlen, "%.*s/" LONG_PREFIX "%016llx", (int)dlen, dir,
			     (unsigned long long)ovl_gen_hash(name, nlen));
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	return is_long(nlen);
}

/* The name a long-form whiteout at path hides, into out (NAME_MAX + 1):
 * its length, or -errno. */
static long long_target(int dirfd, const char *path, char *out)
{
	int fd = sys_openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
	long n;

	if (fd < 0)
		return fd;
	n = sys_read(fd, out, NAME_MAX + 1);
	sys_close(fd);
	if (n < 0)
		return n;
	if (n == 0 || n > NAME_MAX)
		return -EINVAL;
	out[n] = '\0';
	return n;
}

int ovl_wh_exists(const char *dir, size_t dlen, const char *name, size_t nlen)
{
	char p[OVL_PATH_MAX], target[NAME_MAX + 2];
	struct stat st;
	int rc = ovl_wh_path(dir, dlen, name, nlen, p, sizeof p);

	if (rc < 0)
		return 0;
	if (rc == 0)
		return sys_lstat(p, &st) == 0;
	long n = long_target(AT_FDCWD, p, target);
	return n == (long)nlen && memcmp(target, name, nlen) == 0;
}

long ovl_wh_listed(int dirfd, const char *entry, char *out)
{
	size_t n = strlen(entry);

	if (ovl_reserved(entry, n) && strncmp(entry, OVL_INTERNAL, sizeof OVL_INTERNAL - 1) != 0) {
		memcpy(out, entry + OVL_WH_LEN, n - OVL_WH_LEN + 1);
		return (long)(n - OVL_WH_LEN);
	}
	if (strncmp(entry, LONG_PREFIX, LONG_PREFIX_LEN) != 0)
		return 0;
	long len = long_target(dirfd, entry, out);
	return len > 0 ? len : 0;
}

/* The empty file every short whiteout is a hard link to, made at p. */
static int shared_file(const struct ovl_mount *m, const char *p)
{
	struct stat st;
	int fd;

	if (sys_lstat(m->layers[0].root, &st) < 0)
		return -ENOENT;
	fd = sys_openat(AT_FDCWD, p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -EEXIST)
		return 0;
	if (fd < 0)
		return fd;
	sys_close(fd);
	/* internal, not a change to the view: the root keeps its times */
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	sys_utimensat(AT_FDCWD, m->layers[0].root, ts, 0);
	return 0;
}

/* A long-form whiteout: written under a temporary name, then put in place,
 * so that nobody reads half a name. */
static int make_long(const char *p, const char *name, size_t nlen)
{
	char tmp[OVL_PATH_MAX];
	int rc = ovl_temp_name(p, "lwh", tmp, sizeof tmp), fd;

	if (rc < 0)
		return rc;
	fd = sys_openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fd;
	long w = sys_write(fd, name, nlen);
	sys_close(fd);
	rc = w == (long)nlen ? sys_renameat2(AT_FDCWD, tmp, AT_FDCWD, p, 0) : (w < 0 ? (int)w : -EIO);
	if (rc < 0)
		sys_unlinkat(AT_FDCWD, tmp, 0);
	return rc;
}

int ovl_wh_make(const struct ovl_mount *m, const char *dir, size_t dlen,
		const char *name, size_t nlen)
{
	char p[OVL_PATH_MAX], shared[OVL_PATH_MAX];
	int rc = ovl_wh_path(dir, dlen, name, nlen, p, sizeof p), fd, n;

	if (rc < 0)
		return rc;
	if (rc == 1)
		return make_long(p, name, nlen);
	/* every short whiteout is a hard link to one empty file, as the
	 * kernel's are devices of one kind: a link costs no inode, which
	 * rm -rf of a large lower tree notices */
	n = snprintf(shared, sizeof shared, "%s/" OVL_WHITEOUT_FILE, m->layers[0].root);
	rc = -ENAMETOOLONG;
	if (n > 0 && (size_t)n < sizeof shared) {
		rc = sys_linkat(AT_FDCWD, shared, AT_FDCWD, p, 0);
		if (rc == -ENOENT && shared_file(m, shared) == 0)
			rc = sys_linkat(AT_FDCWD, shared, AT_FDCWD, p, 0);
	}
	if (rc == 0 || rc == -EEXIST)
		return 0;
	/* EMLINK at the link limit, or no hard links here: a file of its own */
	fd = sys_openat(AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fd;
	sys_close(fd);
	return 0;
}

void ovl_wh_remove(const char *dir, size_t dlen, const char *name, size_t nlen)
{
	char p[OVL_PATH_MAX];

	if (ovl_wh_path(dir, dlen, name, nlen, p, sizeof p) >= 0)
		sys_unlinkat(AT_FDCWD, p, 0);
}
