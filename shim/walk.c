/*
 * Directory walkers glibc runs on its internal opendir, readdir and stat,
 * which never reach ours: ftw and nftw, fts, glob.  Inside the overlay they
 * would list one layer and stat the host.
 *
 * - ftw and nftw are redone here over our opendir, readdir, stat and chdir,
 *   with glibc's callback semantics, when the start path lies in a mount or
 *   a mount point lies below it; elsewhere glibc's own runs.  A directory's
 *   names are read whole before its entries are visited, so a walk holds
 *   one descriptor (one per level under FTW_CHDIR) whatever nopenfd says.
 * - fts likewise: fts_open gives a stream of ours (marked in fts_options,
 *   which glibc's never sets above FTS_OPTIONMASK), and fts_read & co. tell
 *   the two kinds apart.  The FTS and FTSENT structures are glibc's, so
 *   programs that read them see what they expect.
 * - glob has GLOB_ALTDIRFUNC for this: it is handed our functions whenever
 *   the overlay is active and the caller did not bring its own.
 *
 * The 64-bit twins share one layout with the plain ones on LP64 glibc.
 */
#include "shim.h"

#include <fts.h>
#include <ftw.h>
#include <glob.h>
#include <search.h>
#include <string.h>

_Static_assert(sizeof(FTSENT) == sizeof(FTSENT64), "FTSENT64 layout");
_Static_assert(sizeof(FTS) == sizeof(FTS64), "FTS64 layout");
_Static_assert(sizeof(glob_t) == sizeof(glob64_t), "glob64_t layout");

/* Whether a walk from path may meet the overlay: path lies in a mount, a
 * mount point lies below it, or ".." makes that hard to say.  Symlinks from
 * outside into a mount are not seen here, as they are not anywhere. */
static int shim_walk_touches(const char *path)
{
	char abs[OVL_PATH_MAX];
	struct ovl_res r;
	size_t len;

	if (!shim_on_path(path))
		return 0;
	if (ovl_resolve(AT_FDCWD, path, 0, &r) != OVL_PASS)
		return 1;
	if (ovl_absolute(AT_FDCWD, path, abs, sizeof abs) != 0 || strstr(abs, "/.."))
		return 1;
	len = strlen(abs);
	while (len > 0 && abs[len - 1] == '/')
		len--;
	for (int i = 0; i < ovl_mount_count(); i++) {
		const struct ovl_mount *m = ovl_mount_at(i);
		if (m->point_len > len && memcmp(m->point, abs, len) == 0 &&
		    m->point[len] == '/')
			return 1;
	}
	return 0;
}

/* ---- ftw, nftw ----------------------------------------------------------- */

typedef int (*shim_nftw_fn)(const char *, const struct stat *, int, struct FTW *);
typedef int (*shim_ftw_fn)(const char *, const struct stat *, int);

#define SHIM_NFTW_FLAGS (FTW_PHYS | FTW_MOUNT | FTW_CHDIR | FTW_DEPTH | FTW_ACTIONRETVAL)

struct shim_walk {
	shim_nftw_fn nfn;   /* nftw's callback, or NULL */
	shim_ftw_fn fn;     /* ftw's */
	int flags;
	dev_t dev;          /* FTW_MOUNT: the start directory's */
	struct FTW ftw;     /* base and level of the current object */
	char *buf;          /* its path, as the callback gets it */
	size_t cap;
	void *seen;         /* directories visited, when following symlinks */
};

struct shim_ino {
	dev_t dev;
	ino_t ino;
};

static int shim_ino_cmp(const void *a, const void *b)
{
	const struct shim_ino *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* 1 when st's directory was visited before, else 0 (now it is); -1. */
static int shim_walk_seen(struct shim_walk *w, const struct stat *st)
{
	struct shim_ino key = { st->st_dev, st->st_ino }, *k, **found;

	if (tfind(&key, &w->seen, shim_ino_cmp))
		return 1;
	if (!(k = malloc(sizeof *k)))
		return -1;
	*k = key;
	found = tsearch(k, &w->seen, shim_ino_cmp);
	if (!found) {
		free(k);
		return -1;
	}
	return 0;
}

/* ftw knows fewer kinds than nftw: a symlink is a file, a dangling one
 * unstat-able, a post-order directory a directory. */
static int shim_walk_call(struct shim_walk *w, const struct stat *st, int flag)
{
	if (w->nfn)
		return w->nfn(w->buf, st, flag, &w->ftw);
	switch (flag) {
	case FTW_SL: flag = FTW_F; break;
	case FTW_SLN: flag = FTW_NS; break;
	case FTW_DP: flag = FTW_D; break;
	}
	return w->fn(w->buf, st, flag);
}

/* Room for n more bytes after the first len of the path. */
static int shim_walk_room(struct shim_walk *w, size_t len, size_t n)
{
	char *b;
	size_t cap;

	if (len + n + 2 <= w->cap)
		return 0;
	cap = (len + n + 2) * 2;
	if (!(b = realloc(w->buf, cap)))
		return -1;
	w->buf = b;
	w->cap = cap;
	return 0;
}

static int shim_walk_obj(struct shim_walk *w, const char *acc, int parentfd);

struct shim_names {
	char *buf;
	size_t len, cap;
};

/* Every name of d but "." and "..", one after another, NUL-terminated. */
static int shim_walk_names(DIR *d, struct shim_names *n)
{
	struct dirent64 *e;
	int err;

	n->buf = NULL;
	n->len = n->cap = 0;
	errno = 0;
	while ((e = readdir64(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' &&
		    (l == 1 || (l == 2 && e->d_name[1] == '.')))
			continue;
		if (n->len + l + 1 > n->cap) {
			size_t cap = (n->len + l + 1) * 2 + 256;
			char *b = realloc(n->buf, cap);
			if (!b)
				goto fail;
			n->buf = b;
			n->cap = cap;
		}
		memcpy(n->buf + n->len, e->d_name, l + 1);
		n->len += l + 1;
	}
	if (errno == 0)
		return 0;
fail:
	err = errno;
	free(n->buf);
	errno = err;
	return -1;
}

/* The directory whose path is w->buf, stat st, opened by acc; parentfd is
 * the directory to return to under FTW_CHDIR (-1 at the start). */
static int shim_walk_dir(struct shim_walk *w, const struct stat *st,
			 const char *acc, int parentfd)
{
	int depth = w->flags & FTW_DEPTH, chd = w->flags & FTW_CHDIR;
	int retval = w->flags & FTW_ACTIONRETVAL;
	struct FTW saved = w->ftw;
	struct shim_names names;
	size_t len;
	int rc = 0, err;
	DIR *d = opendir(acc);

	if (!d)
		return errno == EACCES ? shim_walk_call(w, st, FTW_DNR) : -1;
	if (!depth && (rc = shim_walk_call(w, st, FTW_D)) != 0)
		goto out;
	if (chd && fchdir(dirfd(d)) < 0) {
		rc = -1;
		goto out;
	}
	if (shim_walk_names(d, &names) < 0) {
		rc = -1;
		goto out;
	}
	if (!chd) {
		closedir(d);
		d = NULL;
	}
	len = strlen(w->buf);
	w->ftw.level++;
	w->ftw.base = (int)len + (len && w->buf[len - 1] == '/' ? 0 : 1);
	for (size_t off = 0; off < names.len;) {
		const char *name = names.buf + off;
		size_t n = strlen(name);
		if (shim_walk_room(w, (size_t)w->ftw.base, n) < 0) {
			rc = -1;
			break;
		}
		w->buf[w->ftw.base - 1] = '/';
		memcpy(w->buf + w->ftw.base, name, n + 1);
		rc = shim_walk_obj(w, chd ? name : w->buf, d ? dirfd(d) : -1);
		if (rc != 0)
			break;
		off += n + 1;
	}
	free(names.buf);
	if (retval && rc == FTW_SKIP_SIBLINGS)
		rc = 0;
	w->buf[len] = '\0';
	w->ftw = saved;
	if (rc == 0 && depth)
		rc = shim_walk_call(w, st, FTW_DP);
	if (chd && parentfd >= 0 &&
	    (rc == 0 || (retval && rc != -1 && rc != FTW_STOP)) &&
	    fchdir(parentfd) < 0 && chdir("..") < 0)
		rc = -1;
out:
	if (d) {
		err = errno;
		closedir(d);
		errno = err;
	}
	return rc;
}

/* An entry below the start: w->buf is its path, acc the name to reach it
 * by (the base name under FTW_CHDIR). */
static int shim_walk_obj(struct shim_walk *w, const char *acc, int parentfd)
{
	int phys = w->flags & FTW_PHYS;
	struct stat st;
	int flag, rc;

	if ((phys ? lstat(acc, &st) : stat(acc, &st)) < 0) {
		if (errno != EACCES && errno != ENOENT)
			return -1;
		if (!phys && lstat(acc, &st) == 0 && S_ISLNK(st.st_mode)) {
			flag = FTW_SLN;
		} else {
			memset(&st, 0, sizeof st);
			flag = FTW_NS;
		}
	} else {
		flag = S_ISDIR(st.st_mode) ? FTW_D : S_ISLNK(st.st_mode) ? FTW_SL : FTW_F;
	}
	if (flag != FTW_NS && (w->flags & FTW_MOUNT) && st.st_dev != w->dev)
		return 0;
	if (flag == FTW_D) {
		rc = phys ? 0 : shim_walk_seen(w, &st);
		if (rc == 0)
			rc = shim_walk_dir(w, &st, acc, parentfd);
		else if (rc == 1)
			rc = 0; /* a cycle, or met before through a symlink */
	} else {
		rc = shim_walk_call(w, &st, flag);
	}
	if ((w->flags & FTW_ACTIONRETVAL) && rc == FTW_SKIP_SUBTREE)
		rc = 0;
	return rc;
}

static void shim_ino_free(void *p)
{
	free(p);
}

/* The walk from the start path, as glibc's ftw_startup. */
static int shim_walk(const char *path, shim_nftw_fn nfn, shim_ftw_fn fn, int flags)
{
	struct shim_walk w = { .nfn = nfn, .fn = fn, .flags = flags };
	int chd = flags & FTW_CHDIR, phys = flags & FTW_PHYS;
	int cwdfd = -1, rc = 0, err;
	char *cwd = NULL;
	const char *acc = path;
	struct stat st;
	size_t len = strlen(path);

	if (flags & ~SHIM_NFTW_FLAGS) {
		errno = EINVAL;
		return -1;
	}
	if (len == 0) {
		errno = ENOENT;
		return -1;
	}
	if (shim_walk_room(&w, 0, len) < 0)
		return -1;
	memcpy(w.buf, path, len + 1);
	while (len > 1 && w.buf[len - 1] == '/')
		w.buf[--len] = '\0';
	while (len > 0 && w.buf[len - 1] != '/')
		len--;
	w.ftw.base = (int)len;
	w.ftw.level = 0;
	if (chd) {
		cwdfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cwdfd < 0) {
			if (errno == EACCES)
				cwd = getcwd(NULL, 0);
			if (!cwd)
				rc = -1;
		}
		if (rc == 0 && w.ftw.base > 0) {
			if (w.ftw.base == 1) {
				rc = chdir("/");
			} else {
				char c = w.buf[w.ftw.base - 1];
				w.buf[w.ftw.base - 1] = '\0';
				rc = chdir(w.buf);
				w.buf[w.ftw.base - 1] = c;
			}
		}
		acc = w.buf[w.ftw.base] ? w.buf + w.ftw.base : ".";
	}
	if (rc == 0) {
		if ((phys ? lstat(acc, &st) : stat(acc, &st)) < 0) {
			if (!phys && errno == ENOENT && lstat(acc, &st) == 0 &&
			    S_ISLNK(st.st_mode))
				rc = shim_walk_call(&w, &st, FTW_SLN);
			else
				rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			w.dev = st.st_dev;
			if (!phys)
				rc = shim_walk_seen(&w, &st) < 0 ? -1 : 0;
			if (rc == 0)
				rc = shim_walk_dir(&w, &st, acc, -1);
		} else {
			rc = shim_walk_call(&w, &st, S_ISLNK(st.st_mode) ? FTW_SL : FTW_F);
		}
		if ((flags & FTW_ACTIONRETVAL) &&
		    (rc == FTW_SKIP_SUBTREE || rc == FTW_SKIP_SIBLINGS))
			rc = 0;
	}
	err = errno;
	if (cwdfd >= 0) {
		if (fchdir(cwdfd) < 0) {
			/* nothing better to do: glibc ignores it too */
		}
		close(cwdfd);
	} else if (cwd) {
		if (chdir(cwd) < 0) {
			/* as above */
		}
	}
	free(cwd);
	tdestroy(w.seen, shim_ino_free);
	free(w.buf);
	errno = err;
	return rc;
}

#define SHIM_FTW(name, fn_t)                                         \
	OVL_EXPORT int name(const char *path, fn_t fn, int nopenfd)          \
	{                                                                    \
		if (!shim_walk_touches(path))                                \
			return SHIM_NEXT(name)(path, fn, nopenfd);           \
		return shim_walk(path, NULL, (shim_ftw_fn)fn, 0);            \
	}

#define SHIM_NFTW(name, fn_t)                                                \
	OVL_EXPORT int name(const char *path, fn_t fn, int nopenfd, int flags) \
	{                                                                    \
		if (!shim_walk_touches(path))                                \
			return SHIM_NEXT(name)(path, fn, nopenfd, flags);    \
		return shim_walk(path, (shim_nftw_fn)fn, NULL, flags);       \
	}

SHIM_FTW(ftw, __ftw_func_t)
SHIM_FTW(ftw64, __ftw64_func_t)
SHIM_NFTW(nftw, __nftw_func_t)
SHIM_NFTW(nftw64, __nftw64_func_t)

/* ---- fts --------------------------------------------------------------- */

/* fts_options of a stream of ours; glibc's streams keep within 0x3ff. */
#define SHIM_FTS_OURS 0x40000000

/* fts_build's modes: read to descend, list for fts_children, names only */
enum { SHIM_FTS_READ, SHIM_FTS_CHILD, SHIM_FTS_NAMES };

#define FTS_SET(sp, f) ((sp)->fts_options & (f))

static int shim_fts_ours(const FTS *sp)
{
	return sp && (sp->fts_options & SHIM_FTS_OURS);
}

static FTSENT *shim_fts_alloc(FTS *sp, const char *name, size_t len)
{
	size_t sz = offsetof(FTSENT, fts_name) + len + 1;
	FTSENT *p;

	if (!FTS_SET(sp, FTS_NOSTAT))
		sz = (sz + _Alignof(struct stat) - 1) & ~(_Alignof(struct stat) - 1);
	p = calloc(1, sz + (FTS_SET(sp, FTS_NOSTAT) ? 0 : sizeof(struct stat)));
	if (!p)
		return NULL;
	memcpy(p->fts_name, name, len);
	p->fts_name[len] = '\0';
	p->fts_namelen = (unsigned short)len;
	p->fts_path = sp->fts_path;
	p->fts_instr = FTS_NOINSTR;
	if (!FTS_SET(sp, FTS_NOSTAT))
		p->fts_statp = (struct stat *)((char *)p + sz);
	return p;
}

static void shim_fts_free_list(FTSENT *p)
{
	while (p) {
		FTSENT *next = p->fts_link;
		free(p);
		p = next;
	}
}

/* The path buffer grows: every entry's fts_path points into it, and an
 * fts_accpath that is a full path too. */
static int shim_fts_grow(FTS *sp, size_t more, FTSENT *head)
{
	char *old = sp->fts_path, *b;
	size_t len = (size_t)sp->fts_pathlen + more + 256;

	if (len > USHRT_MAX + 1UL) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!(b = realloc(old, len)))
		return -1;
	sp->fts_path = b;
	sp->fts_pathlen = (int)len;
	if (b == old)
		return 0;
#define SHIM_FTS_MOVE(p)                                                     \
	do {                                                                 \
		if ((p)->fts_accpath != (p)->fts_name)                       \
			(p)->fts_accpath = b + ((p)->fts_accpath - (p)->fts_path); \
		(p)->fts_path = b;                                           \
	} while (0)
	for (FTSENT *p = head; p; p = p->fts_link)
		SHIM_FTS_MOVE(p);
	for (FTSENT *p = sp->fts_cur; p && p->fts_level >= FTS_ROOTLEVEL;) {
		SHIM_FTS_MOVE(p);
		p = p->fts_link ? p->fts_link : p->fts_parent;
	}
#undef SHIM_FTS_MOVE
	return 0;
}

/* fts_info for p, from a stat of its fts_accpath (followed when the walk
 * is logical or follow is set). */
static unsigned short shim_fts_stat(FTS *sp, FTSENT *p, int follow)
{
	struct stat local, *st = p->fts_statp ? p->fts_statp : &local;
	const char *n = p->fts_name;

	if (FTS_SET(sp, FTS_LOGICAL) || follow) {
		if (stat(p->fts_accpath, st) < 0) {
			int err = errno;
			if (lstat(p->fts_accpath, st) == 0) {
				errno = 0;
				return FTS_SLNONE;
			}
			p->fts_errno = err;
			memset(st, 0, sizeof *st);
			return FTS_NS;
		}
	} else if (lstat(p->fts_accpath, st) < 0) {
		p->fts_errno = errno;
		memset(st, 0, sizeof *st);
		return FTS_NS;
	}
	if (S_ISDIR(st->st_mode)) {
		p->fts_dev = st->st_dev;
		p->fts_ino = st->st_ino;
		p->fts_nlink = st->st_nlink;
		if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
			return FTS_DOT;
		for (FTSENT *t = p->fts_parent; t && t->fts_level >= FTS_ROOTLEVEL;
		     t = t->fts_parent)
			if (t->fts_dev == p->fts_dev && t->fts_ino == p->fts_ino) {
				p->fts_cycle = t;
				return FTS_DC;
			}
		return FTS_D;
	}
	if (S_ISLNK(st->st_mode))
		return FTS_SL;
	return S_ISREG(st->st_mode) ? FTS_F : FTS_DEFAULT;
}

/* Into p's directory (fd, or by path when fd < 0), making sure it is still
 * the one that was stat'ed.  Nothing under FTS_NOCHDIR. */
static int shim_fts_cd(FTS *sp, const FTSENT *p, int fd, const char *path)
{
	struct stat st;
	int own = fd < 0, rc = -1, err;

	if (FTS_SET(sp, FTS_NOCHDIR))
		return 0;
	if (own && (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) == 0) {
		if (st.st_dev != p->fts_dev || st.st_ino != p->fts_ino)
			errno = ENOENT;
		else
			rc = fchdir(fd);
	}
	if (own) {
		err = errno;
		close(fd);
		errno = err;
	}
	return rc;
}

static int shim_fts_back(FTS *sp, int fd)
{
	return !FTS_SET(sp, FTS_NOCHDIR) && fchdir(fd) < 0;
}

static FTSENT *shim_fts_sort(FTS *sp, FTSENT *head, int n)
{
	FTSENT **a = sp->fts_array, *p;
	int i;

	if (n > sp->fts_nitems) {
		a = realloc(sp->fts_array, (size_t)(n + 40) * sizeof *a);
		if (!a)
			return head; /* unsorted rather than lost */
		sp->fts_array = a;
		sp->fts_nitems = n + 40;
	}
	for (i = 0, p = head; p; p = p->fts_link)
		a[i++] = p;
	qsort(a, (size_t)n, sizeof *a, sp->fts_compar);
	for (i = 0; i < n - 1; i++)
		a[i]->fts_link = a[i + 1];
	a[n - 1]->fts_link = NULL;
	return a[0];
}

static int shim_fts_isdot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* The entries of the current directory, linked in order (sorted when the
 * stream has a comparison).  NULL when there are none or on error (then
 * fts_info / fts_errno of the directory or FTS_STOP say so). */
static FTSENT *shim_fts_build(FTS *sp, int mode)
{
	FTSENT *cur = sp->fts_cur, *head = NULL, *tail = NULL, *p;
	int nostat, descend, cderr = 0, count = 0, err;
	long nlinks;
	size_t len, base;
	struct dirent64 *e;
	DIR *d = opendir(cur->fts_accpath);

	if (!d) {
		if (mode == SHIM_FTS_READ) {
			cur->fts_info = FTS_DNR;
			cur->fts_errno = errno;
		}
		return NULL;
	}
	/* How many subdirectories remain to be found (-1: stat everything,
	 * 0: stat nothing); a merged directory's link count of 1 makes it -1. */
	if (mode == SHIM_FTS_NAMES) {
		nlinks = 0;
		nostat = 0;
	} else if (FTS_SET(sp, FTS_NOSTAT) && FTS_SET(sp, FTS_PHYSICAL)) {
		nlinks = (long)cur->fts_nlink - (FTS_SET(sp, FTS_SEEDOT) ? 0 : 2);
		nostat = 1;
	} else {
		nlinks = -1;
		nostat = 0;
	}
	if (nlinks || mode == SHIM_FTS_READ) {
		if (shim_fts_cd(sp, cur, dirfd(d), NULL) < 0) {
			if (nlinks && mode == SHIM_FTS_READ)
				cur->fts_errno = errno;
			cur->fts_flags |= FTS_DONTCHDIR;
			descend = 0;
			cderr = errno;
			closedir(d);
			d = NULL;
		} else {
			descend = 1;
		}
	} else {
		descend = 0;
	}
	/* Children's paths are "PARENT/NAME" in the shared buffer. */
	len = (size_t)(cur->fts_path[cur->fts_pathlen - 1] == '/' ? cur->fts_pathlen - 1
								  : cur->fts_pathlen);
	base = len + 1;
	while (d && (e = readdir64(d))) {
		size_t n = strlen(e->d_name);
		if (!FTS_SET(sp, FTS_SEEDOT) && shim_fts_isdot(e->d_name))
			continue;
		if (!(p = shim_fts_alloc(sp, e->d_name, n)))
			goto fail;
		if (base + n + 1 > (size_t)sp->fts_pathlen) {
			if (shim_fts_grow(sp, base + n + 1, head) < 0) {
				free(p);
				goto fail;
			}
			p->fts_path = sp->fts_path;
		}
		if (base + n > USHRT_MAX) {
			free(p);
			errno = ENAMETOOLONG;
			goto fail;
		}
		p->fts_level = (short)(cur->fts_level + 1);
		p->fts_parent = sp->fts_cur;
		p->fts_pathlen = (unsigned short)(base + n);
		if (cderr) {
			if (nlinks) {
				p->fts_info = FTS_NS;
				p->fts_errno = cderr;
			} else {
				p->fts_info = FTS_NSOK;
			}
			p->fts_accpath = cur->fts_accpath;
		} else if (nlinks == 0 ||
			   (nostat && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)) {
			p->fts_accpath = FTS_SET(sp, FTS_NOCHDIR) ? p->fts_path : p->fts_name;
			p->fts_info = FTS_NSOK;
		} else {
			if (FTS_SET(sp, FTS_NOCHDIR)) {
				p->fts_accpath = p->fts_path;
				sp->fts_path[len] = '/';
				memcpy(sp->fts_path + base, p->fts_name, n + 1);
			} else {
				p->fts_accpath = p->fts_name;
			}
			p->fts_info = shim_fts_stat(sp, p, 0);
			if (nlinks > 0 && (p->fts_info == FTS_D || p->fts_info == FTS_DC ||
					   p->fts_info == FTS_DOT))
				nlinks--;
		}
		if (tail)
			tail->fts_link = p;
		else
			head = p;
		tail = p;
		count++;
	}
	if (d)
		closedir(d);
	if (FTS_SET(sp, FTS_NOCHDIR))
		sp->fts_path[len] = '\0';
	/* Back up when only listing, or when there was nothing to descend to. */
	if (descend && (mode == SHIM_FTS_CHILD || count == 0) &&
	    (cur->fts_level == FTS_ROOTLEVEL ? shim_fts_back(sp, sp->fts_rfd)
					     : shim_fts_cd(sp, cur->fts_parent, -1, ".."))) {
		cur->fts_info = FTS_ERR;
		sp->fts_options |= FTS_STOP;
		shim_fts_free_list(head);
		return NULL;
	}
	if (count == 0) {
		if (mode == SHIM_FTS_READ && cur->fts_info == FTS_D)
			cur->fts_info = FTS_DP;
		return NULL;
	}
	if (sp->fts_compar && count > 1)
		head = shim_fts_sort(sp, head, count);
	return head;
fail: /* errno says why */
	err = errno;
	shim_fts_free_list(head);
	closedir(d);
	cur->fts_info = FTS_ERR;
	sp->fts_options |= FTS_STOP;
	errno = err;
	return NULL;
}

/* A root becomes current: its path is its name as given, its name the
 * last component. */
static FTSENT *shim_fts_load(FTS *sp, FTSENT *p)
{
	size_t len = p->fts_namelen;
	char *slash;

	memcpy(sp->fts_path, p->fts_name, len + 1);
	p->fts_pathlen = (unsigned short)len;
	slash = strrchr(p->fts_name, '/');
	if (slash && (slash != p->fts_name || slash[1])) {
		len = strlen(slash + 1);
		memmove(p->fts_name, slash + 1, len + 1);
		p->fts_namelen = (unsigned short)len;
	}
	p->fts_accpath = p->fts_path = sp->fts_path;
	sp->fts_dev = p->fts_dev;
	return sp->fts_cur = p;
}

static FTS *shim_fts_open(char *const *argv, int options,
			  int (*cmp)(const FTSENT **, const FTSENT **))
{
	FTSENT *parent, *root = NULL, *tail = NULL, *p;
	size_t maxlen = PATH_MAX;
	int n = 0, err;
	FTS *sp;

	if (options & ~FTS_OPTIONMASK) {
		errno = EINVAL;
		return NULL;
	}
	if (!(sp = calloc(1, sizeof *sp)))
		return NULL;
	sp->fts_compar = (int (*)(const void *, const void *))cmp;
	sp->fts_options = options | SHIM_FTS_OURS;
	sp->fts_rfd = -1;
	if (FTS_SET(sp, FTS_LOGICAL))
		sp->fts_options |= FTS_NOCHDIR;
	for (char *const *a = argv; *a; a++)
		if (strlen(*a) > maxlen)
			maxlen = strlen(*a);
	if (shim_fts_grow(sp, maxlen, NULL) < 0)
		goto fail_sp;
	if (!(parent = shim_fts_alloc(sp, "", 0)))
		goto fail_path;
	parent->fts_level = FTS_ROOTPARENTLEVEL;
	for (char *const *a = argv; *a; a++, n++) {
		size_t len = strlen(*a);
		if (len == 0) {
			errno = ENOENT;
			goto fail_list;
		}
		if (!(p = shim_fts_alloc(sp, *a, len)))
			goto fail_list;
		p->fts_level = FTS_ROOTLEVEL;
		p->fts_parent = parent;
		p->fts_accpath = p->fts_name;
		p->fts_info = shim_fts_stat(sp, p, FTS_SET(sp, FTS_COMFOLLOW));
		if (p->fts_info == FTS_DOT)
			p->fts_info = FTS_D; /* "." and ".." named by the caller */
		if (cmp) {
			p->fts_link = root;
			root = p;
		} else {
			if (tail)
				tail->fts_link = p;
			else
				root = p;
			tail = p;
		}
	}
	if (cmp && n > 1)
		root = shim_fts_sort(sp, root, n);
	if (!(sp->fts_cur = shim_fts_alloc(sp, "", 0)))
		goto fail_list;
	sp->fts_cur->fts_link = root;
	sp->fts_cur->fts_info = FTS_INIT;
	if (!FTS_SET(sp, FTS_NOCHDIR) &&
	    (sp->fts_rfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		sp->fts_options |= FTS_NOCHDIR;
	return sp;
fail_list:
	err = errno;
	shim_fts_free_list(root);
	free(parent);
	errno = err;
fail_path:
	free(sp->fts_path);
fail_sp:
	err = errno;
	free(sp->fts_array);
	free(sp);
	errno = err;
	return NULL;
}

/* A symlink given FTS_FOLLOW is stat'ed through; a directory reached so
 * needs a way back that ".." would not give. */
static void shim_fts_follow(FTS *sp, FTSENT *p)
{
	p->fts_info = shim_fts_stat(sp, p, 1);
	if (p->fts_info == FTS_D && !FTS_SET(sp, FTS_NOCHDIR)) {
		p->fts_symfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (p->fts_symfd < 0) {
			p->fts_errno = errno;
			p->fts_info = FTS_ERR;
		} else {
			p->fts_flags |= FTS_SYMFOLLOW;
		}
	}
}

static FTSENT *shim_fts_read(FTS *sp)
{
	FTSENT *p = sp->fts_cur, *t;
	int instr, err;

	if (!p || FTS_SET(sp, FTS_STOP))
		return NULL;
	instr = p->fts_instr;
	p->fts_instr = FTS_NOINSTR;
	if (instr == FTS_AGAIN) {
		p->fts_info = shim_fts_stat(sp, p, 0);
		return p;
	}
	if (instr == FTS_FOLLOW && (p->fts_info == FTS_SL || p->fts_info == FTS_SLNONE)) {
		shim_fts_follow(sp, p);
		return p;
	}
	if (p->fts_info == FTS_D) {
		if (instr == FTS_SKIP || (FTS_SET(sp, FTS_XDEV) && p->fts_dev != sp->fts_dev)) {
			if (p->fts_flags & FTS_SYMFOLLOW)
				close(p->fts_symfd);
			shim_fts_free_list(sp->fts_child);
			sp->fts_child = NULL;
			p->fts_info = FTS_DP;
			return p;
		}
		if (sp->fts_child && FTS_SET(sp, FTS_NAMEONLY)) {
			sp->fts_options &= ~FTS_NAMEONLY;
			shim_fts_free_list(sp->fts_child);
			sp->fts_child = NULL;
		}
		if (sp->fts_child) {
			/* listed by fts_children: now go in, or name them from here */
			if (shim_fts_cd(sp, p, -1, p->fts_accpath) < 0) {
				p->fts_errno = errno;
				p->fts_flags |= FTS_DONTCHDIR;
				for (t = sp->fts_child; t; t = t->fts_link)
					t->fts_accpath = t->fts_parent->fts_accpath;
			}
		} else if (!(sp->fts_child = shim_fts_build(sp, SHIM_FTS_READ))) {
			return FTS_SET(sp, FTS_STOP) ? NULL : p;
		}
		p = sp->fts_child;
		sp->fts_child = NULL;
		goto name;
	}
next:
	t = p;
	if ((p = p->fts_link)) {
		free(t);
		if (p->fts_level == FTS_ROOTLEVEL) {
			if (shim_fts_back(sp, sp->fts_rfd)) {
				sp->fts_options |= FTS_STOP;
				return NULL;
			}
			return shim_fts_load(sp, p);
		}
		if (p->fts_instr == FTS_SKIP)
			goto next;
		if (p->fts_instr == FTS_FOLLOW) {
			shim_fts_follow(sp, p);
			p->fts_instr = FTS_NOINSTR;
		}
name:
		t = p->fts_parent;
		{
			size_t at = t->fts_path[t->fts_pathlen - 1] == '/' ? t->fts_pathlen - 1
									   : t->fts_pathlen;
			sp->fts_path[at] = '/';
			memcpy(sp->fts_path + at + 1, p->fts_name, (size_t)p->fts_namelen + 1);
		}
		return sp->fts_cur = p;
	}
	/* No more in this directory: its post-order visit. */
	p = t->fts_parent;
	free(t);
	if (p->fts_level == FTS_ROOTPARENTLEVEL) {
		free(p);
		errno = 0;
		return sp->fts_cur = NULL;
	}
	sp->fts_path[p->fts_pathlen] = '\0';
	if (p->fts_level == FTS_ROOTLEVEL) {
		if (shim_fts_back(sp, sp->fts_rfd)) {
			sp->fts_options |= FTS_STOP;
			return NULL;
		}
	} else if (p->fts_flags & FTS_SYMFOLLOW) {
		if (shim_fts_back(sp, p->fts_symfd)) {
			err = errno;
			close(p->fts_symfd);
			errno = err;
			sp->fts_options |= FTS_STOP;
			return NULL;
		}
		close(p->fts_symfd);
	} else if (!(p->fts_flags & FTS_DONTCHDIR) &&
		   shim_fts_cd(sp, p->fts_parent, -1, "..") < 0) {
		sp->fts_options |= FTS_STOP;
		return NULL;
	}
	p->fts_info = p->fts_errno ? FTS_ERR : FTS_DP;
	return sp->fts_cur = p;
}

static FTSENT *shim_fts_children(FTS *sp, int instr)
{
	FTSENT *p = sp->fts_cur;
	int fd, mode;

	if (instr != 0 && instr != FTS_NAMEONLY) {
		errno = EINVAL;
		return NULL;
	}
	errno = 0;
	if (FTS_SET(sp, FTS_STOP))
		return NULL;
	if (p->fts_info == FTS_INIT)
		return p->fts_link;
	if (p->fts_info != FTS_D)
		return NULL;
	shim_fts_free_list(sp->fts_child);
	sp->fts_child = NULL;
	if (instr == FTS_NAMEONLY) {
		sp->fts_options |= FTS_NAMEONLY;
		mode = SHIM_FTS_NAMES;
	} else {
		mode = SHIM_FTS_CHILD;
	}
	/* A relative root is listed from where fts_open was called. */
	if (p->fts_level != FTS_ROOTLEVEL || p->fts_accpath[0] == '/' ||
	    FTS_SET(sp, FTS_NOCHDIR))
		return sp->fts_child = shim_fts_build(sp, mode);
	if ((fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	sp->fts_child = shim_fts_build(sp, mode);
	if (fchdir(fd) < 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	return sp->fts_child;
}

static int shim_fts_close(FTS *sp)
{
	int err = 0;

	if (sp->fts_cur) {
		FTSENT *p = sp->fts_cur, *t;
		while (p->fts_level >= FTS_ROOTLEVEL) {
			t = p;
			p = p->fts_link ? p->fts_link : p->fts_parent;
			free(t);
		}
		free(p);
	}
	shim_fts_free_list(sp->fts_child);
	free(sp->fts_array);
	free(sp->fts_path);
	if (!FTS_SET(sp, FTS_NOCHDIR)) {
		if (fchdir(sp->fts_rfd) < 0)
			err = errno;
		close(sp->fts_rfd);
	}
	free(sp);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Any root that may meet the overlay makes the whole stream ours. */
static int shim_fts_touches(char *const *argv)
{
	if (!shim_on() || !shim_nonnull(argv))
		return 0;
	for (char *const *a = argv; *a; a++)
		if (shim_walk_touches(*a))
			return 1;
	return 0;
}

#define SHIM_FTS(fts_t, ent_t, open_fn, read_fn, children_fn, set_fn, close_fn) \
	OVL_EXPORT fts_t *open_fn(char *const *argv, int options,            \
				  int (*cmp)(const ent_t **, const ent_t **)) \
	{                                                                    \
		if (!shim_fts_touches(argv))                                 \
			return SHIM_NEXT(open_fn)(argv, options, cmp);       \
		return (fts_t *)shim_fts_open(argv, options,                 \
			(int (*)(const FTSENT **, const FTSENT **))cmp);     \
	}                                                                    \
	OVL_EXPORT ent_t *read_fn(fts_t *sp)                                 \
	{                                                                    \
		if (!shim_fts_ours((FTS *)sp))                               \
			return SHIM_NEXT(read_fn)(sp);                       \
		return (ent_t *)shim_fts_read((FTS *)sp);                    \
	}                                                                    \
	OVL_EXPORT ent_t *children_fn(fts_t *sp, int instr)                  \
	{                                                                    \
		if (!shim_fts_ours((FTS *)sp))                               \
			return SHIM_NEXT(children_fn)(sp, instr);            \
		return (ent_t *)shim_fts_children((FTS *)sp, instr);         \
	}                                                                    \
	OVL_EXPORT int set_fn(fts_t *sp, ent_t *p, int instr)                \
	{                                                                    \
		if (!shim_fts_ours((FTS *)sp))                               \
			return SHIM_NEXT(set_fn)(sp, p, instr);              \
		if (instr != 0 && instr != FTS_AGAIN && instr != FTS_FOLLOW && \
		    instr != FTS_NOINSTR && instr != FTS_SKIP) {             \
			errno = EINVAL;                                      \
			return 1;                                            \
		}                                                            \
		p->fts_instr = (unsigned short)instr;                        \
		return 0;                                                    \
	}                                                                    \
	OVL_EXPORT int close_fn(fts_t *sp)                                   \
	{                                                                    \
		if (!shim_fts_ours((FTS *)sp))                               \
			return SHIM_NEXT(close_fn)(sp);                      \
		return shim_fts_close((FTS *)sp);                            \
	}

SHIM_FTS(FTS, FTSENT, fts_open, fts_read, fts_children, fts_set, fts_close)
SHIM_FTS(FTS64, FTSENT64, fts64_open, fts64_read, fts64_children, fts64_set, fts64_close)

/* ---- glob ---------------------------------------------------------------- */

static void shim_glob_closedir(void *d)
{
	closedir(d);
}

/* GLOB_ALTDIRFUNC is ours, kept out of what the caller finds in gl_flags. */
#define SHIM_GLOB(name, glob_t_, readdir_fn, stat_fn, lstat_fn)              \
	OVL_EXPORT int name(const char *pattern, int flags,                  \
			    int (*errfunc)(const char *, int), glob_t_ *g)   \
	{                                                                    \
		int v;                                                       \
		if (!shim_on() || (flags & GLOB_ALTDIRFUNC) || !shim_nonnull(g)) \
			return SHIM_NEXT(name)(pattern, flags, errfunc, g);  \
		g->gl_opendir = (__typeof__(g->gl_opendir))opendir;          \
		g->gl_readdir = (__typeof__(g->gl_readdir))readdir_fn;       \
		g->gl_closedir = shim_glob_closedir;                         \
		g->gl_stat = stat_fn;                                        \
		g->gl_lstat = lstat_fn;                                      \
		v = SHIM_NEXT(name)(pattern, flags | GLOB_ALTDIRFUNC, errfunc, g); \
		g->gl_flags &= ~GLOB_ALTDIRFUNC;                             \
		return v;                                                    \
	}

SHIM_GLOB(glob, glob_t, readdir, stat, lstat)
SHIM_GLOB(glob64, glob64_t, readdir64, stat64, lstat64)
