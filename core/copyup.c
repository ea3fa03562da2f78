/*
 * Copy-up: materialise a lower object in the upper before it can change.
 *
 * A file is built under a hidden temporary name in its upper directory and
 * published with renameat2(RENAME_NOREPLACE), so nobody ever sees half a
 * copy, a killed process leaves only a hidden temporary, and when two
 * processes race the first to publish wins and the other uses its copy.
 * Data moves inside the kernel (FICLONE, then copy_file_range over the data
 * extents, keeping holes), and metadata follows: owner where permitted,
 * mode, user.* xattrs, times.
 */
#include <errno.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

#define XATTR_LIST_MAX_LOCAL 4096
#define XATTR_VALUE_MAX_LOCAL 4096

static int ignorable(int rc)
{
	return rc == -EPERM || rc == -ENOTSUP || rc == -EOPNOTSUPP;
}

static int copy_xattrs(const char *src, const char *dst)
{
	char names[XATTR_LIST_MAX_LOCAL];
	char value[XATTR_VALUE_MAX_LOCAL];
	long n = sys_llistxattr(src, names, sizeof names);

	if (n < 0)
		return ignorable((int)n) || n == -ERANGE ? 0 : (int)n;
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		if (strncmp(p, "user.", 5) != 0)
			continue; /* security.* and trusted.* belong to the host */
		long v = sys_lgetxattr(src, p, value, sizeof value);
		if (v < 0)
			continue;
		int rc = sys_lsetxattr(dst, p, value, (size_t)v, 0);
		if (rc < 0 && !ignorable(rc))
			return rc;
	}
	return 0;
}

/* Owner, mode, xattrs, times: in that order, since chown clears setuid
 * bits and any change touches ctime but not the times we set last. */
static int copy_meta(const char *src, const char *dst, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int rc = sys_fchownat(AT_FDCWD, dst, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);

	if (rc < 0 && !ignorable(rc))
		return rc;
	if (!S_ISLNK(st->st_mode)) {
		rc = sys_fchmodat(AT_FDCWD, dst, st->st_mode & 07777);
		if (rc < 0)
			return rc;
	}
	rc = copy_xattrs(src, dst);
	if (rc < 0)
		return rc;
	return sys_utimensat(AT_FDCWD, dst, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_plain(int in, int out, off_t off, off_t end)
{
	char buf[16384];

	while (off < end) {
		size_t want = (size_t)(end - off) < sizeof buf ? (size_t)(end - off) : sizeof buf;
		long n = sys_pread(in, buf, want, off);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		for (long done = 0; done < n;) {
			long w = sys_pwrite(out, buf + done, (size_t)(n - done), off + done);
			if (w < 0)
				return (int)w;
			done += w;
		}
		off += n;
	}
	return 0;
}

static int copy_range(int in, int out, off_t off, off_t end)
{
	while (off < end) {
		off_t ioff = off, ooff = off;
		long n = sys_copy_file_range(in, &ioff, out, &ooff, (size_t)(end - off));
		if (n == -EXDEV || n == -ENOSYS || n == -EINVAL || n == -EOPNOTSUPP)
			return copy_plain(in, out, off, end);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		off += n;
	}
	return 0;
}

/* Copy only the data extents; the final ftruncate recreates a trailing hole. */
static int copy_data(int in, int out, off_t size)
{
	off_t off = 0;

	if (sys_ioctl(out, FICLONE, in) == 0)
		return 0;
	while (off < size) {
		off_t data = sys_lseek(in, off, SEEK_DATA);
		if (data == -ENXIO)
			break;
		if (data < 0) /* no SEEK_DATA here: all of it is data */
			return copy_range(in, out, off, size) ?: sys_ftruncate(out, size);
		off_t hole = sys_lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			hole = size;
		int rc = copy_range(in, out, data, hole);
		if (rc < 0)
			return rc;
		off = hole;
	}
	return sys_ftruncate(out, size);
}

static int make_file(const char *src, const char *tmp, off_t size, int skip_data)
{
	int rc = 0, in = -1;
	int out = sys_openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (out < 0)
		return out;
	if (!skip_data) {
		in = sys_openat(AT_FDCWD, src, O_RDONLY | O_CLOEXEC, 0);
		rc = in < 0 ? in : copy_data(in, out, size);
	}
	if (rc == 0 && ovl_fsync)
		rc = sys_fsync(out);
	if (in >= 0)
		sys_close(in);
	sys_close(out);
	return rc;
}

static int make_object(const char *src, const char *tmp, const struct stat *st,
		       int skip_data)
{
	char target[OVL_PATH_MAX];
	long n;

	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return make_file(src, tmp, st->st_size, skip_data);
	case S_IFLNK:
		n = sys_readlinkat(AT_FDCWD, src, target, sizeof target - 1);
		if (n < 0)
			return (int)n;
		target[n] = '\0';
		return sys_symlinkat(target, AT_FDCWD, tmp);
	default:
		return sys_mknodat(AT_FDCWD, tmp, st->st_mode & (S_IFMT | 0600), st->st_rdev);
	}
}

/* The start time of this process (field 22 of /proc/self/stat, clock
 * ticks since boot), 0 when /proc cannot tell. */
static unsigned long long start_time(void)
{
	char buf[1024], *s;
	unsigned long long v = 0;
	int fd = sys_openat(AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC, 0);
	long n = fd < 0 ? -1 : sys_read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		sys_close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name, field 2, may hold spaces and ')': fields 3 on
	 * follow the last ')' */
	if (!(s = strrchr(buf, ')')))
		return 0;
	for (int field = 2; field < 22; field++)
		if (!(s = strchr(s + 1, ' ')))
			return 0;
	for (s++; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned long long)(*s - '0');
	return v;
}

/* A hidden name beside dst that no other thread or process will pick:
 * ".wh..wh.TAG.PID.START.TID.N".  The owner's pid and start time let
 * overlay-run (reclaim.sh) tell the temporaries of a killed process from
 * those of a live one, even once its pid was given to another process.
 * The pair is kept per process (a fork gets its own), packed in one word
 * so that threads read it whole: pids are below 2^22 (PID_MAX_LIMIT). */
int ovl_temp_name(const char *dst, const char *tag, char *out, size_t outlen)
{
	static unsigned long counter;
	static uint64_t owner; /* start << 22 | pid */
	const char *slash = strrchr(dst, '/');
	int dlen = (int)(slash - dst);
	unsigned long k = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	uint64_t pid = (uint64_t)sys_getpid(), o = __atomic_load_n(&owner, __ATOMIC_RELAXED);

	if (!o || (o & ((1u << 22) - 1)) != pid) {
		o = (uint64_t)start_time() << 22 | pid;
		__atomic_store_n(&owner, o, __ATOMIC_RELAXED);
	}
	int n = snprintf(out, outlen, "%.*s/" OVL_INTERNAL "%s.%d.%llu.%d.%lu", dlen, dst,
			 tag, (int)pid, (unsigned long long)(o >> 22), sys_gettid(), k);

	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

/* Put tmp in place at dst unless dst appeared meanwhile, in which case the
 * other copy wins and ours goes. */
static int publish(const char *tmp, const char *dst)
{
	int rc = sys_renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE);

	if (rc == -EINVAL || rc == -ENOSYS) { /* no renameat2 flags here */
		rc = sys_linkat(AT_FDCWD, tmp, AT_FDCWD, dst, 0);
		sys_unlinkat(AT_FDCWD, tmp, 0);
	}
	if (rc == -EEXIST) {
		sys_unlinkat(AT_FDCWD, tmp, 0);
		rc = 0;
	}
	return rc;
}

/* The copy keeps its origin's inode number (lookup.c, identity).  Where
 * the upper takes no user.* xattrs it gets its own, as a new file would.
 * Symlinks take no user.* xattrs on Linux: they keep their own too. */
static void record_origin(const char *dst, const struct stat *st)
{
	unsigned char v[8];
	uint64_t ino = st->st_ino;

	if (S_ISLNK(st->st_mode))
		return;
	for (int i = 0; i < 8; i++, ino >>= 8)
		v[i] = (unsigned char)ino;
	sys_lsetxattr(dst, OVL_ORIGIN_XATTR, v, sizeof v, 0);
}

/* OVERLAY_FSYNC: the new name is durable once its directory is. */
static void sync_dir(const char *dir)
{
	int fd = sys_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd >= 0) {
		sys_fsync(fd);
		sys_close(fd);
	}
}

/* Copy-up is not a change the user made: the upper parent keeps the times
 * the merged view showed before it. */
static void restore_times(const char *dir, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	sys_utimensat(AT_FDCWD, dir, ts, 0);
}

/* path up to its last '/', which the caller knows is there */
static void parent_of(const char *path, char *out)
{
	size_t n = (size_t)(strrchr(path, '/') - path);

	memcpy(out, path, n);
	out[n] = '\0';
}

/* The topmost lower holding rel as a directory (rel is a merged directory,
 * so the first one found is the one the view shows). */
static int lower_dir(const struct ovl_mount *m, const char *rel, char *out,
		     struct stat *st)
{
	for (int i = 1; i < m->nlayers; i++) {
		if (ovl_real_in(m, i, rel, out, OVL_PATH_MAX) < 0)
			return -ENAMETOOLONG;
		if (sys_lstat(out, st) == 0 && S_ISDIR(st->st_mode))
			return 0;
	}
	return -ENOENT;
}

static int copy_up_dir(const struct ovl_mount *m, const char *rel, const char *dst)
{
	char src[OVL_PATH_MAX], parent[OVL_PATH_MAX];
	struct stat st, pst;
	int rc;

	parent_of(dst, parent);
	int have_parent = sys_lstat(parent, &pst) == 0;
	if (lower_dir(m, rel, src, &st) < 0) {
		rc = sys_mkdirat(AT_FDCWD, dst, 0755);
		if (rc == -EEXIST)
			ovl_gen_bump(m, rel); /* as below */
		return rc == -EEXIST ? 0 : rc;
	}
	rc = sys_mkdirat(AT_FDCWD, dst, (st.st_mode & 0777) | 0700);
	if (rc == -EEXIST) {
		/* another process was first, and may not have counted its
		 * directory yet: our cached answers about rel (no upper part)
		 * must not outlive what the host just said */
		ovl_gen_bump(m, rel);
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = copy_meta(src, dst, &st);
	record_origin(dst, &st);
	ovl_gen_bump(m, rel);
	OVL_TRACE(("copy-up %s/%s: %s -> upper %s (directory)", m->point, rel, src, dst));
	if (have_parent)
		restore_times(parent, &pst);
	return rc;
}

int ovl_copy_up_dirs(const struct ovl_mount *m, const char *rel)
{
	char dst[OVL_PATH_MAX];
	struct stat st;
	size_t ulen = m->layers[0].len;
	size_t rlen = strlen(rel);
	int rc;

	if (ovl_real_in(m, 0, rel, dst, sizeof dst) < 0)
		return -ENAMETOOLONG;
	if (sys_lstat(dst, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	/* create each missing ancestor, top down */
	for (size_t i = 0; i <= rlen; i++) {
		if (rel[i] != '/' && rel[i] != '\0')
			continue;
		char sub[OVL_PATH_MAX];
		memcpy(sub, rel, i);
		sub[i] = '\0';
		dst[ulen + 1 + i] = '\0';
		if (sys_lstat(dst, &st) < 0) {
			rc = copy_up_dir(m, sub, dst);
			if (rc < 0)
				return rc;
		}
		dst[ulen + 1 + i] = rel[i];
	}
	return 0;
}

/* With the upper directory locked (lock.c): 1 when the name is up already
 * (another copy won: use it), -ENOENT when it was removed or renamed since
 * the lookup that sent us here (a whiteout, or an opaque upper directory,
 * now hides the lower), 0 when our copy may go in. */
static int still_below(const char *dst, const char *parent)
{
	char p[OVL_PATH_MAX];
	struct stat st;
	const char *name = strrchr(dst, '/') + 1;
	int n;

	if (sys_lstat(dst, &st) == 0)
		return 1;
	if (ovl_wh_exists(parent, strlen(parent), name, strlen(name)))
		return -ENOENT;
	n = snprintf(p, sizeof p, "%s/" OVL_OPAQUE, parent);
	if (n > 0 && (size_t)n < sizeof p && sys_lstat(p, &st) == 0)
		return -ENOENT;
	return 0;
}

static int copy_up_file(const struct ovl_mount *m, const char *rel, int from,
			int skip_data, int locked)
{
	char src[OVL_PATH_MAX], dst[OVL_PATH_MAX], tmp[OVL_PATH_MAX], parent[OVL_PATH_MAX];
	struct ovl_lock lk = OVL_LOCK_INIT;
	struct stat st, pst;
	int rc;

	if (ovl_real_in(m, from, rel, src, sizeof src) < 0 ||
	    ovl_real_in(m, 0, rel, dst, sizeof dst) < 0)
		return -ENAMETOOLONG;
	rc = sys_lstat(src, &st);
	if (rc < 0)
		return rc;
	if (S_ISDIR(st.st_mode))
		return ovl_copy_up_dirs(m, rel);
	parent[0] = '\0';
	if (strchr(rel, '/'))
		parent_of(rel, parent);
	rc = ovl_copy_up_dirs(m, parent);
	if (rc < 0)
		return rc;
	parent_of(dst, parent);
	if (sys_lstat(parent, &pst) < 0)
		return -ENOENT;
	if ((rc = ovl_temp_name(dst, "copyup", tmp, sizeof tmp)) < 0)
		return rc;
	/* the data is copied before the lock is taken: other changers of
	 * the directory wait only for the publishing */
	uint64_t t0 = ovl_trace_clock();
	rc = make_object(src, tmp, &st, skip_data);
	if (rc == 0)
		rc = copy_meta(src, tmp, &st);
	if (rc == 0)
		record_origin(tmp, &st);
	if (rc == 0 && !locked)
		rc = ovl_lock_dir(m, parent, &lk);
	if (rc == 0)
		rc = still_below(dst, parent);
	if (rc == 0)
		rc = publish(tmp, dst);
	else
		sys_unlinkat(AT_FDCWD, tmp, 0);
	if (rc == 0)
		ovl_gen_bump(m, rel);
	if (rc == 0 && ovl_trace_on)
		ovl_trace("copy-up %s/%s: lower%d %s -> upper %s, %lld bytes, %.3f ms", m->point,
			  rel, from, src, dst, skip_data ? 0LL : (long long)st.st_size,
			  (double)(ovl_trace_clock() - t0) / 1e6);
	if (rc >= 0)
		restore_times(parent, &pst);
	ovl_unlock(&lk);
	if (rc < 0) {
		sys_unlinkat(AT_FDCWD, tmp, 0);
		return rc;
	}
	if (ovl_fsync)
		sync_dir(parent);
	return 0;
}

int ovl_copy_up(const struct ovl_mount *m, const char *rel, int from, int skip_data)
{
	return copy_up_file(m, rel, from, skip_data, 0);
}

int ovl_copy_up_locked(const struct ovl_mount *m, const char *rel, int from)
{
	return copy_up_file(m, rel, from, 0, 1);
}
