/*
 * Directory streams.  A directory inside a mount is listed from core's
 * merged listing, not from the one layer directory the kernel would read,
 * so opendir hands out a stream of our own, cast to DIR *.  Every function
 * taking a DIR * tells ours from glibc's by the magic word at its start and
 * passes glibc's through.  As on the kernel's overlayfs, the listing is
 * taken at the first read (and again at the first after rewinddir), not
 * at opendir.  A directory that one lower layer holds alone needs no
 * merging: our stream then reads glibc's own stream of it (`plain`),
 * skipping only the names the view never shows.
 */
#include "shim.h"
#include "sys.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* glibc's DIR starts with an int descriptor and an int lock word (0..2):
 * read as one 64-bit word it never has these high bits. */
#define SHIM_DIR_MAGIC 0x4f564c5f44495221ULL /* "!RID_LVO" */

/* One entry buffer serves readdir and readdir64: same layout on LP64. */
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64 layout");
_Static_assert(offsetof(struct dirent, d_name) == offsetof(struct dirent64, d_name),
	       "dirent64 layout");

struct shim_dir {
	uint64_t magic;
	int fd;               /* what dirfd() returns: openat and fts use it */
	int fresh;            /* nothing read since opendir or rewinddir */
	int plain_layer;      /* the lower fd is open on, when it was plain, or -1 */
	int own;              /* fd was opened by opendir, not given to fdopendir */
	struct ovl_dir *list; /* the merged listing; NULL once the directory is gone */
	DIR *plain;           /* glibc's stream of fd, once it was read plain */
	int plain_on;         /* entries come from plain, not list */
	struct ovl_plain *teach; /* what plain's entries teach the cache */
	union {
		struct dirent d;
		struct dirent64 d64;
	} ent;
};

static struct shim_dir *shim_dir_of(DIR *d)
{
	struct shim_dir *s = (struct shim_dir *)d;

	return s->magic == SHIM_DIR_MAGIC ? s : NULL;
}

/* A stream of the directory r resolved to; fd is adopted only on success.
 * A descriptor on a directory that one lower holds alone is on that
 * lower's directory: had the directory ever been copied up, the upper's
 * copy would still be in front of it. */
static DIR *shim_dir_new(int fd, const struct ovl_res *r, int own)
{
	struct shim_dir *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->magic = SHIM_DIR_MAGIC;
	s->fd = fd;
	s->fresh = 1;
	s->own = own;
	s->plain_layer = ovl_dir_plain(r) ? r->layer : -1;
	return (DIR *)s;
}

/* The first read: list fd's directory as it is now (one removed from the
 * view meanwhile lists nothing, as on any file system), through glibc's
 * stream of fd when the one lower it was opened on still holds it alone. */
static void shim_dir_begin(struct shim_dir *s)
{
	struct ovl_dir *list = NULL;
	struct ovl_res r;
	int err = errno;

	s->fresh = 0;
	/* "." relative to fd names fd's directory, even one since removed */
	if (ovl_for_read(s->fd, ".", 0, &r) != 0 || !r.m || !S_ISDIR(r.type)) {
		/* gone */
	} else if (s->plain_layer >= 0 && ovl_dir_plain(&r) && r.layer == s->plain_layer &&
		   (s->plain || (s->plain = SHIM_NEXT(fdopendir)(s->fd)))) {
		/* glibc's stream reads on from where fd is, as natively.  Only
		 * the first listing of a descriptor opendir opened itself is
		 * known to start at the first name: one the caller handed to
		 * fdopendir may have been moved or read to its end, and a
		 * rewound one may still say it is at its end (ext4 after a
		 * read at SEEK_END), so what those list is taught name by
		 * name but says nothing of the names they do not list. */
		if (!s->teach)
			s->teach = ovl_plain_new(&r, s->own && sys_lseek(s->fd, 0, SEEK_CUR) == 0);
		else
			ovl_plain_seeked(s->teach);
		s->plain_on = 1;
		errno = err;
		return;
	} else if (ovl_dir_read(&r, &list) < 0) {
		list = NULL;
	}
	if (s->list)
		ovl_dir_free(s->list);
	s->list = list;
	s->plain_on = 0;
	errno = err;
}

/* The next entry of a plain stream that the view shows (glibc's own). */
static struct dirent *shim_plain_step(struct shim_dir *s)
{
	struct dirent *e;

	while ((e = SHIM_NEXT(readdir)(s->plain)) && !ovl_plain_saw(s->teach, e->d_name, e->d_type))
		;
	if (!e)
		ovl_plain_end(s->teach);
	return e;
}

/* The next entry, laid out as the kernel's, with d_off the position after
 * it so that seekdir(d_off) resumes behind it like telldir() would. */
static struct dirent *shim_dir_step(struct shim_dir *s, struct dirent *out)
{
	const struct ovl_dirent *e;
	size_t n;

	if (s->fresh)
		shim_dir_begin(s);
	if (s->plain_on) {
		struct dirent *p = shim_plain_step(s);
		if (p)
			memcpy(out, p, p->d_reclen < sizeof *out ? p->d_reclen : sizeof *out);
		return p ? out : NULL;
	}
	if (!s->list || s->list->pos >= s->list->count)
		return NULL;
	e = &s->list->ents[s->list->pos++];
	n = e->namelen < sizeof out->d_name ? e->namelen : sizeof out->d_name - 1;
	out->d_ino = e->ino;
	out->d_off = (off_t)s->list->pos;
	out->d_type = e->type;
	memcpy(out->d_name, e->name, n);
	out->d_name[n] = '\0';
	out->d_reclen = (unsigned short)((offsetof(struct dirent, d_name) + n + 1 + 7) & ~(size_t)7);
	return out;
}

OVL_EXPORT DIR *opendir(const char *path)
{
	struct ovl_res r;
	int rc = shim_on_path(path) ? ovl_for_read(AT_FDCWD, path, 0, &r) : OVL_PASS;
	int fd, err;
	DIR *d;

	if (rc == OVL_PASS)
		return SHIM_NEXT(opendir)(path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	if (!r.m) /* left the mount: a plain host directory */
		return SHIM_NEXT(opendir)(r.real);
	if (!S_ISDIR(r.type)) {
		errno = ENOTDIR;
		return NULL;
	}
	const char *real = r.real;
	fd = SHIM_NEXT(open)(real, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC);
	SHIM_LONG(real, fd = SHIM_NEXT(open)(real, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return NULL;
	ovl_fd_opened(fd, &r); /* dirfd(): fts opens entries relative to it */
	d = shim_dir_new(fd, &r, 1);
	if (!d) {
		err = errno;
		close(fd);
		errno = err;
	}
	return d;
}

OVL_EXPORT DIR *fdopendir(int fd)
{
	struct ovl_res r;
	struct stat st;
	int fl;

	/* Anything core cannot place in a mount, libc handles, errors too.
	 * "." relative to fd names fd's directory, even one since removed. */
	if (!shim_on() || ovl_for_read(fd, ".", 0, &r) != 0 || !r.m ||
	    !S_ISDIR(r.type))
		return SHIM_NEXT(fdopendir)(fd);
	/* a directory read plain: glibc's stream, which checks fd itself */
	if (ovl_dir_plain(&r)) {
		struct shim_dir *s = (struct shim_dir *)shim_dir_new(fd, &r, 0);
		if (s && !(s->plain = SHIM_NEXT(fdopendir)(fd))) {
			free(s);
			s = NULL;
		}
		return (DIR *)s;
	}
	/* the checks glibc's fdopendir makes before adopting fd */
	if (SHIM_NEXT(fstat)(fd, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl == -1)
		return NULL;
	if (fl & O_PATH) {
		errno = EBADF;
		return NULL;
	}
	if ((fl & O_ACCMODE) == O_WRONLY) {
		errno = EINVAL;
		return NULL;
	}
	return shim_dir_new(fd, &r, 0);
}

OVL_EXPORT int closedir(DIR *d)
{
	struct shim_dir *s = shim_dir_of(d);
	int fd;

	if (!s)
		return SHIM_NEXT(closedir)(d);
	fd = s->fd;
	if (s->list)
		ovl_dir_free(s->list);
	s->magic = 0;
	if (s->plain) { /* glibc's stream owns fd: forget it as close would */
		DIR *plain = s->plain;
		ovl_plain_free(s->teach);
		free(s);
		shim_fd_forget(fd);
		return SHIM_NEXT(closedir)(plain);
	}
	free(s);
	return close(fd);
}

/* The next read lists the directory anew, so changes made since show.
 * glibc's stream of a plain directory is rewound now: that moves the file
 * offset, which a dup of the descriptor shares (Python's listdir of a
 * descriptor rewinds so that the next listing starts at 0 again). */
OVL_EXPORT void rewinddir(DIR *d)
{
	struct shim_dir *s = shim_dir_of(d);

	if (!s) {
		SHIM_NEXT(rewinddir)(d);
		return;
	}
	if (s->plain)
		SHIM_NEXT(rewinddir)(s->plain);
	s->fresh = 1;
}

OVL_EXPORT long telldir(DIR *d)
{
	struct shim_dir *s = shim_dir_of(d);

	if (!s)
		return SHIM_NEXT(telldir)(d);
	if (s->fresh)
		return 0;
	if (s->plain_on)
		return SHIM_NEXT(telldir)(s->plain);
	return s->list ? (long)s->list->pos : 0;
}

OVL_EXPORT void seekdir(DIR *d, long pos)
{
	struct shim_dir *s = shim_dir_of(d);

	if (!s) {
		SHIM_NEXT(seekdir)(d, pos);
		return;
	}
	if (s->fresh)
		shim_dir_begin(s);
	if (s->plain_on) {
		SHIM_NEXT(seekdir)(s->plain, pos);
		ovl_plain_seeked(s->teach);
	} else if (s->list && pos >= 0) {
		s->list->pos = (size_t)pos < s->list->count ? (size_t)pos : s->list->count;
	}
}

OVL_EXPORT int dirfd(DIR *d)
{
	struct shim_dir *s = shim_dir_of(d);

	return s ? s->fd : SHIM_NEXT(dirfd)(d);
}

/* readdir_r is deprecated in the headers, but programs still call it. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#define SHIM_READDIR(ent_t, name, name_r, field)                             \
	OVL_EXPORT ent_t *name(DIR *d)                                       \
	{                                                                    \
		struct shim_dir *s = shim_dir_of(d);                         \
		if (!s)                                                      \
			return SHIM_NEXT(name)(d);                           \
		return shim_dir_step(s, &s->ent.d) ? &s->ent.field : NULL;   \
	}                                                                    \
	OVL_EXPORT int name_r(DIR *d, ent_t *entry, ent_t **result)          \
	{                                                                    \
		struct shim_dir *s = shim_dir_of(d);                         \
		if (!s)                                                      \
			return SHIM_NEXT(name_r)(d, entry, result);          \
		*result = shim_dir_step(s, &s->ent.d) ? entry : NULL;        \
		if (*result)                                                 \
			memcpy(entry, &s->ent.field, s->ent.d.d_reclen);     \
		return 0;                                                    \
	}

SHIM_READDIR(struct dirent, readdir, readdir_r, d)
SHIM_READDIR(struct dirent64, readdir64, readdir64_r, d64)

/*
 * glibc's scandir opens the directory with its internal opendir, which
 * never reaches ours, so inside the overlay it is done here over our
 * streams, with glibc's rules: entries and array malloc'd, select and
 * compar applied, errno kept on success, everything freed on error.
 */
#define SHIM_SCANDIR(ent_t, name, name_at, readdir_fn)                                \
	struct name##_cmp {                                                  \
		int (*fn)(const ent_t **, const ent_t **);                   \
	};                                                                   \
	static int name##_thunk(const void *a, const void *b, void *c)       \
	{                                                                    \
		return ((struct name##_cmp *)c)->fn((const ent_t **)a, (const ent_t **)b);                   \
	}                                                                    \
	static int name##_list(DIR *d, ent_t ***out,                         \
			       int (*sel)(const ent_t *),                    \
			       int (*cmp)(const ent_t **, const ent_t **))   \
	{                                                                    \
		struct name##_cmp c = { cmp };                               \
		ent_t **v = NULL, **nv, *e;                                  \
		size_t n = 0, cap = 0;                                       \
		int save = errno, res;                                       \
		if (!d)                                                      \
			return -1;                                           \
		errno = 0;                                                   \
		while ((e = readdir_fn(d))) {                                \
			if (sel) {                                           \
				int keep = sel(e);                           \
				errno = 0;                                   \
				if (!keep)                                   \
					continue;                            \
			}                                                    \
			if (n == cap) {                                      \
				cap = cap ? cap * 2 : 10;                    \
				if (!(nv = realloc(v, cap * sizeof *v)))     \
					break;                               \
				v = nv;                                      \
			}                                                    \
			if (!(v[n] = malloc(e->d_reclen)))                   \
				break;                                       \
			memcpy(v[n++], e, e->d_reclen);                      \
			errno = 0;                                           \
		}                                                            \
		if (errno) {                                                 \
			save = errno;                                        \
			while (n)                                            \
				free(v[--n]);                                \
			free(v);                                             \
			res = -1;                                            \
		} else {                                                     \
			if (cmp)                                             \
				qsort_r(v, n, sizeof *v, name##_thunk, &c);  \
			*out = v;                                            \
			res = (int)n;                                        \
		}                                                            \
		closedir(d);                                                 \
		errno = save;                                                \
		return res;                                                  \
	}                                                                    \
	OVL_EXPORT int name(const char *path, ent_t ***out,                  \
			    int (*sel)(const ent_t *),                       \
			    int (*cmp)(const ent_t **, const ent_t **))      \
	{                                                                    \
		if (!shim_on_path(path))                                     \
			return SHIM_NEXT(name)(path, out, sel, cmp);         \
		return name##_list(opendir(path), out, sel, cmp);            \
	}                                                                    \
	OVL_EXPORT int name_at(int dirfd, const char *path, ent_t ***out,   \
				int (*sel)(const ent_t *),                   \
				int (*cmp)(const ent_t **, const ent_t **))  \
	{                                                                    \
		int fd, err;                                                 \
		DIR *d;                                                      \
		if (!shim_on_path(path))                                     \
			return SHIM_NEXT(name_at)(dirfd, path, out, sel, cmp); \
		fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC); \
		if (fd < 0)                                                  \
			return -1;                                           \
		if (!(d = fdopendir(fd))) {                                  \
			err = errno;                                         \
			close(fd);                                           \
			errno = err;                                         \
			return -1;                                           \
		}                                                            \
		return name##_list(d, out, sel, cmp);                        \
	}

SHIM_SCANDIR(struct dirent, scandir, scandirat, readdir)
SHIM_SCANDIR(struct dirent64, scandir64, scandirat64, readdir64)
