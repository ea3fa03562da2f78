/*
 * The mount table: which directories are overlaid, and by what.
 *
 * Filled once, from the environment at load time (or by tests), and read
 * without locks afterwards: nothing changes it while the program runs.
 *
 * Nothing here allocates.  The first call to reach the library may come
 * from inside an allocator's own initialisation, before our constructor:
 * jemalloc calls readlink("/etc/malloc.conf") from its first malloc with
 * its init lock held, and the library reads its configuration right there,
 * so a malloc (strdup, realpath, strerror's message for an unknown errno)
 * on this path deadlocks on that lock.  Every path lives in static storage,
 * canonicalisation is done with raw system calls, and the environment is
 * split into fixed-size buffers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

static struct ovl_mount mounts[OVL_MAX_MOUNTS];
static int nmounts;
int ovl_fsync;

/* The strings of the table (m->point, m->layers[].root, m->alias), each a
 * path shorter than PATH_MAX: room for every one of them in the largest
 * table, so that storing one never fails.  Zero pages until used (about
 * 2 MiB of address space, a few bytes of memory per path). */
static char pool[OVL_MAX_MOUNTS * (OVL_MAX_LAYERS + 2) * PATH_MAX];
static size_t pool_used;

/* The next string of the pool, written in place (at most PATH_MAX bytes
 * with its NUL) and kept by pool_keep; strings follow each other, so that
 * a configuration touches a page of the pool, not one a path. */
static char *pool_next(void)
{
	return pool + pool_used;
}

static void pool_keep(const char *p)
{
	pool_used += strlen(p) + 1;
}

int ovl_active(void) { return nmounts > 0; }
int ovl_mount_count(void) { return nmounts; }
const struct ovl_mount *ovl_mount_at(int i) { return &mounts[i]; }

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Canonical form of a directory: symlinks resolved by the kernel, so that
 * the paths we compare with getcwd() and /proc/self/fd agree. */
static int canonical_dir(const char *path, char *out, size_t outlen)
{
	int fd;
	long n;

	if (path[0] != '/')
		return -EINVAL;
	/* O_DIRECTORY: ENOTDIR for anything else */
	fd = sys_openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	n = ovl_fd_readlink(fd, out, outlen);
	sys_close(fd);
	if (n <= 0 || out[0] != '/') {
		/* no /proc: fall back to the name as given, minus trailing '/' */
		n = (long)strlen(path);
		if ((size_t)n >= outlen)
			return -ENAMETOOLONG;
		memcpy(out, path, (size_t)n);
	}
	if ((size_t)n >= outlen)
		return -ENAMETOOLONG;
	while (n > 1 && out[n - 1] == '/')
		n--;
	out[n] = '\0';
	return 0;
}

/* a lies inside b (or is b) */
static int inside(const char *a, const char *b)
{
	size_t n = strlen(b);
	if (n == 1)
		return 1; /* b is "/" */
	return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == '\0');
}

/* strerror without its allocation: glibc builds the message of an errno it
 * does not know with malloc, and translates the others (loading a locale
 * may allocate too).  strerrordesc_np gives the untranslated text. */
static const char *error_text(int e)
{
	const char *s = strerrordesc_np(e);

	return s ? s : "unknown error";
}

static int check_dir(const char *what, const char *path, char *out,
		     char *err, size_t errlen)
{
	int rc;

	if (!path || !*path)
		return fail(err, errlen, "%s is empty", what);
	if (path[0] != '/')
		return fail(err, errlen, "%s '%s' is not an absolute path", what, path);
	rc = canonical_dir(path, out, PATH_MAX);
	if (rc == -ENOTDIR)
		return fail(err, errlen, "%s '%s' is not a directory", what, path);
	if (rc < 0)
		return fail(err, errlen, "%s '%s': %s", what, path, error_text(-rc));
	return 0;
}

static void free_mount(struct ovl_mount *m)
{
	if (m->gen)
		sys_munmap(m->gen, OVL_GEN_BYTES);
	memset(m, 0, sizeof *m);
}

/* A root-level opaque marker cannot appear at run time (nobody can rmdir
 * the mount root), so which layers take part at the root is fixed: it is
 * found on the first walk into the mount (a process that never enters it
 * never asks), and the last layer's marker would hide nothing. */
uint64_t ovl_root_mask_first(const struct ovl_mount *m)
{
	uint64_t mask = __atomic_load_n(&m->root_mask, __ATOMIC_ACQUIRE);
	char p[PATH_MAX];
	struct stat st;

	if (mask)
		return mask;
	for (int i = 0; i < m->nlayers; i++) {
		mask |= 1ULL << i;
		snprintf(p, sizeof p, "%s/" OVL_OPAQUE, m->layers[i].root);
		if (i + 1 < m->nlayers && sys_lstat(p, &st) == 0)
			break;
	}
	__atomic_store_n(&((struct ovl_mount *)m)->root_mask, mask, __ATOMIC_RELEASE);
	return mask;
}

static int check_overlaps(const char *const *paths, int n, const char *point,
			  int in_place, char *err, size_t errlen)
{
	for (int i = 1; i < n; i++) {
		if (inside(paths[0], paths[i]))
			return fail(err, errlen, "upper '%s' is inside lower '%s'",
				    paths[0], paths[i]);
		if (inside(paths[i], paths[0]))
			return fail(err, errlen, "lower '%s' is inside upper '%s'",
				    paths[i], paths[0]);
	}
	for (int i = 0; i < n; i++) {
		if (in_place && i == 1)
			continue; /* the in-place lower is the mount point itself */
		if (inside(paths[i], point))
			return fail(err, errlen, "layer '%s' is inside mount point '%s'",
				    paths[i], point);
		if (inside(point, paths[i]))
			return fail(err, errlen, "mount point '%s' is inside layer '%s'",
				    point, paths[i]);
	}
	return 0;
}

/* A new mount (paths[0] its upper, paths[1..n-1] its lowers, point its
 * mount point; group number g) against one already configured (e, group
 * ge), by the rules of overlay-run's groups: mount points may not overlap,
 * and an upper may not be inside or contain any lower, upper or mount
 * point of another group.  Two groups may read the same lower. */
static int check_groups(const struct ovl_mount *e, int ge, const char *const *paths,
			int n, const char *point, int g, char *err, size_t errlen)
{
	const char *up = paths[0], *eup = e->layers[0].root;

	if (inside(point, e->point) || inside(e->point, point))
		return fail(err, errlen,
			    "mount point '%s' (mount group %d) overlaps mount point '%s' (mount group %d)",
			    point, g, e->point, ge);
	if (inside(up, eup) || inside(eup, up))
		return fail(err, errlen,
			    "upper '%s' (mount group %d) overlaps upper '%s' (mount group %d)",
			    up, g, eup, ge);
	for (int i = 1; i < e->nlayers; i++) {
		const char *l = e->layers[i].root;
		if (inside(up, l))
			return fail(err, errlen,
				    "upper '%s' (mount group %d) is inside lower '%s' (mount group %d)",
				    up, g, l, ge);
		if (inside(l, up))
			return fail(err, errlen,
				    "lower '%s' (mount group %d) is inside upper '%s' (mount group %d)",
				    l, ge, up, g);
	}
	for (int i = 1; i < n; i++) {
		if (inside(eup, paths[i]))
			return fail(err, errlen,
				    "upper '%s' (mount group %d) is inside lower '%s' (mount group %d)",
				    eup, ge, paths[i], g);
		if (inside(paths[i], eup))
			return fail(err, errlen,
				    "lower '%s' (mount group %d) is inside upper '%s' (mount group %d)",
				    paths[i], g, eup, ge);
	}
	if (inside(up, e->point))
		return fail(err, errlen,
			    "upper '%s' (mount group %d) is inside the mount point '%s' (mount group %d)",
			    up, g, e->point, ge);
	if (inside(e->point, up))
		return fail(err, errlen,
			    "mount point '%s' (mount group %d) is inside upper '%s' (mount group %d)",
			    e->point, ge, up, g);
	if (inside(eup, point))
		return fail(err, errlen,
			    "upper '%s' (mount group %d) is inside the mount point '%s' (mount group %d)",
			    eup, ge, point, g);
	if (inside(point, eup))
		return fail(err, errlen,
			    "mount point '%s' (mount group %d) is inside upper '%s' (mount group %d)",
			    point, g, eup, ge);
	return 0;
}

/* The canonical form of a configured directory, kept in the pool; NULL
 * (err written) when it is no directory. */
static const char *pool_dir(const char *what, const char *path, char *err, size_t errlen)
{
	char *p = pool_next();

	if (check_dir(what, path, p, err, errlen))
		return NULL;
	pool_keep(p);
	return p;
}

/* spelled without "//", "." or a trailing '/' into out (PATH_MAX bytes):
 * its length, or 0 for "/", a relative path, or one with "..", whose
 * meaning after a symlink is the link target's parent, not the lexical
 * one. */
static size_t clean_spelling(const char *spelled, char *out)
{
	size_t n = 0;

	if (spelled[0] != '/')
		return 0;
	for (const char *s = spelled, *e; *s; s = e) {
		while (*s == '/')
			s++;
		for (e = s; *e && *e != '/'; e++)
			;
		size_t len = (size_t)(e - s);
		if (len == 0 || (len == 1 && s[0] == '.'))
			continue;
		if ((len == 2 && s[0] == '.' && s[1] == '.') || n + 1 + len >= PATH_MAX)
			return 0;
		out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
	}
	out[n] = '\0';
	return n;
}

/* The mount point as configured, when the kernel's walk of it meets
 * symlinks (a lower given as /home/u/ws/src, /home/u/ws a link to /data/ws):
 * the kernel takes "/home/u/ws/src/f" into a mount on /data/ws/src, and
 * the command uses that spelling (its $PWD, a path it was handed), so
 * ovl_unalias maps it onto the point.  Not kept when it is the point, or
 * lies inside a mount, where the walk meets the symlinks itself. */
static void keep_alias(struct ovl_mount *m, const char *spelled)
{
	char *a = pool_next();
	size_t n = clean_spelling(spelled, a);
	struct stat st;

	if (n == 0 || (n == m->point_len && !memcmp(a, m->point, n)))
		return;
	for (int i = 0; i <= nmounts; i++)
		if (inside(a, mounts[i].point))
			return;
	m->alias_link = sys_lstat(a, &st) == 0 && S_ISLNK(st.st_mode);
	m->alias = a;
	m->alias_len = n;
	pool_keep(a);
}

/* The table's strings go straight to the pool; a mount refused takes its
 * strings back. */
static int add_mount(const char *mount, const char *upper, const char *const *lowers,
		     int nlowers, char *err, size_t errlen)
{
	const char *paths[OVL_MAX_LAYERS], *point;
	int n = nlowers + 1;

	if (!(paths[0] = pool_dir("upper", upper, err, errlen)))
		return -1;
	for (int i = 0; i < nlowers; i++)
		if (!(paths[i + 1] = pool_dir("lower", lowers[i], err, errlen)))
			return -1;
	/* in place (the usual case): the mount point is the first lower,
	 * already made canonical */
	if (!mount || !strcmp(mount, lowers[0]))
		point = paths[1];
	else if (!(point = pool_dir("mount point", mount, err, errlen)))
		return -1;
	if (check_overlaps(paths, n, point, strcmp(point, paths[1]) == 0, err, errlen))
		return -1;
	for (int i = 0; i < nmounts; i++)
		if (check_groups(&mounts[i], i + 1, paths, n, point, nmounts + 1, err, errlen))
			return -1;

	struct ovl_mount *m = &mounts[nmounts];
	m->point_len = strlen(point);
	m->point = point;
	for (int i = 0; i < n; i++) {
		m->layers[i].len = strlen(paths[i]);
		m->layers[i].root = paths[i];
	}
	m->nlayers = n;
	m->root_mask = 0; /* ovl_root_mask, on first use */
	m->alias = NULL;
	m->alias_len = 0;
	m->alias_link = 0;
	keep_alias(m, mount ? mount : lowers[0]);
	nmounts++;
	return 0;
}

int ovl_config_add(const char *mount, const char *upper,
		   const char *const *lowers, int nlowers,
		   char *err, size_t errlen)
{
	size_t used = pool_used;

	if (nmounts == OVL_MAX_MOUNTS)
		return fail(err, errlen, "too many mounts (at most %d)", OVL_MAX_MOUNTS);
	if (nlowers < 1)
		return fail(err, errlen, "no lower directory given");
	if (nlowers + 1 > OVL_MAX_LAYERS)
		return fail(err, errlen, "too many lower directories (at most %d)",
			    OVL_MAX_LAYERS - 1);
	if (add_mount(mount, upper, lowers, nlowers, err, errlen) < 0) {
		pool_used = used;
		return -1;
	}
	return 0;
}

void ovl_config_reset(void)
{
	for (int i = 0; i < nmounts; i++)
		free_mount(&mounts[i]);
	nmounts = 0;
	pool_used = 0;
	ovl_cache_reset();
	ovl_memo_reset();
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* The fields of the variable being read, copied out of the environment
 * (which stays as it is) without allocating, one after the other: room for
 * the most fields of the longest paths. */
static char fields[(OVL_MAX_LAYERS + 1) * PATH_MAX];
static size_t fields_used;

/* s[0..len) as the next field, or NULL when it is longer than a path can be. */
static char *field(const char *s, size_t len)
{
	char *f = fields + fields_used;

	if (len >= PATH_MAX)
		return NULL;
	memcpy(f, s, len);
	f[len] = '\0';
	fields_used += len + 1;
	return f;
}

/* Split s[0..len) at ':' into at most max non-empty fields, copied after
 * those already taken and pointed to by out.  Returns the count, -1 when
 * there are more than max, -2 when one is longer than a path can be. */
static int split(const char *s, size_t len, const char **out, int max)
{
	int n = 0;

	for (size_t i = 0; i <= len;) {
		size_t j = i;
		while (j < len && s[j] != ':')
			j++;
		if (j > i) {
			if (n == max)
				return -1;
			if (!(out[n++] = field(s + i, j - i)))
				return -2;
		}
		i = j + 1;
	}
	return n;
}

/* One mount from the single-mount variables. */
static int add_single(const char *upper, const char *lower, const char *mount,
		      char *err, size_t errlen)
{
	const char *lowers[OVL_MAX_LAYERS];
	int n;

	fields_used = 0;
	n = split(lower, strlen(lower), lowers, OVL_MAX_LAYERS - 1);

	if (n == -1)
		return fail(err, errlen, "too many lower directories (at most %d)",
			    OVL_MAX_LAYERS - 1);
	if (n == -2)
		return fail(err, errlen, "OVERLAY_LOWER holds a path longer than PATH_MAX");
	return ovl_config_add(mount && *mount ? mount : NULL, upper, lowers, n,
			      err, errlen);
}

/* OVERLAY_MOUNTS: mounts separated by ';', each "MOUNT:UPPER:LOWER[:LOWER]..."
 * with an empty MOUNT meaning the first lower (in place); g is s[0..len). */
static int add_group(const char *g, size_t len, char *err, size_t errlen)
{
	const char *f[OVL_MAX_LAYERS + 1];
	const char *colon = memchr(g, ':', len);
	size_t mlen = colon ? (size_t)(colon - g) : len;
	const char *point;
	int n;

	if (!colon)
		return fail(err, errlen, "OVERLAY_MOUNTS entry '%.*s' is not MOUNT:UPPER:LOWER...",
			    (int)(len < 256 ? len : 256), g);
	fields_used = 0;
	if (!(point = field(g, mlen)))
		return fail(err, errlen, "OVERLAY_MOUNTS holds a path longer than PATH_MAX");
	n = split(colon + 1, len - mlen - 1, f, OVL_MAX_LAYERS);
	if (n == -1)
		return fail(err, errlen, "too many lower directories (at most %d)",
			    OVL_MAX_LAYERS - 1);
	if (n == -2)
		return fail(err, errlen, "OVERLAY_MOUNTS holds a path longer than PATH_MAX");
	if (n < 2)
		return fail(err, errlen, "OVERLAY_MOUNTS entry for '%s' needs an upper and a lower",
			    point);
	return ovl_config_add(point[0] ? point : NULL, f[0], f + 1, n - 1, err, errlen);
}

/* Empty entries (";;") are skipped, but at least one must be there: a
 * value that names no mount is a mistake, not a request to run inert. */
static int add_groups(const char *s, char *err, size_t errlen)
{
	int entries = 0;

	for (const char *g = s;;) {
		const char *end = strchr(g, ';');
		size_t len = end ? (size_t)(end - g) : strlen(g);
		if (len) {
			if (add_group(g, len, err, errlen) < 0)
				return -1;
			entries++;
		}
		if (!end)
			break;
		g = end + 1;
	}
	if (!entries)
		return fail(err, errlen, "OVERLAY_MOUNTS '%s' holds no MOUNT:UPPER:LOWER entry", s);
	return 0;
}

static int from_env(char *const *envp, char *err, size_t errlen)
{
	const char *upper = env_get(envp, "OVERLAY_UPPER");
	const char *lower = env_get(envp, "OVERLAY_LOWER");
	const char *mount = env_get(envp, "OVERLAY_MOUNT");
	const char *mounts = env_get(envp, "OVERLAY_MOUNTS");
	const char *fsync = env_get(envp, "OVERLAY_FSYNC");
	const char *trace = env_get(envp, "OVERLAY_TRACE");

	if (!upper && !lower && !mount && !(mounts && *mounts))
		return 0;
	if (ovl_trace_set(trace) < 0)
		return fail(err, errlen, "OVERLAY_TRACE '%.64s' is not an absolute path (of at most PATH_MAX bytes)", trace);
	if (fsync && *fsync && strcmp(fsync, "0") && strcmp(fsync, "1"))
		return fail(err, errlen, "OVERLAY_FSYNC '%.64s' is not 0 or 1", fsync);
	ovl_fsync = fsync && !strcmp(fsync, "1");
	if (upper || lower || mount) {
		if (!upper || !*upper)
			return fail(err, errlen, "OVERLAY_UPPER is not set");
		if (!lower || !*lower)
			return fail(err, errlen, "OVERLAY_LOWER is not set");
		if (add_single(upper, lower, mount, err, errlen) < 0)
			return -1;
	}
	if (mounts && *mounts && add_groups(mounts, err, errlen) < 0)
		return -1;
	return 1;
}

/* The trace file must stay outside the overlay: written with raw system
 * calls, it would land in a layer (in place: the lower). */
static int trace_inside(void)
{
	const char *f = ovl_trace_file();

	return f && (ovl_mount_of(f, strlen(f)) || ovl_in_layer(f));
}

/* A configuration refused in part is refused whole: no mount of it stays. */
int ovl_config_from_env(char *const *envp, char *err, size_t errlen)
{
	int rc;

	rc = from_env(envp, err, errlen);
	if (rc > 0 && trace_inside()) {
		rc = fail(err, errlen, "OVERLAY_TRACE '%.64s' lies in a mount or a layer: the trace would change the tree it watches",
			  ovl_trace_file());
	}
	if (rc < 0) {
		ovl_config_reset();
		ovl_fsync = 0;
		ovl_trace_set(NULL);
		return rc;
	}
	return rc;
}

const struct ovl_mount *ovl_mount_of(const char *abs, size_t len)
{
	for (int i = 0; i < nmounts; i++) {
		const struct ovl_mount *m = &mounts[i];
		if (len >= m->point_len && memcmp(abs, m->point, m->point_len) == 0 &&
		    (abs[m->point_len] == '/' || len == m->point_len))
			return m;
	}
	return NULL;
}

/* abs starts with p[0..len) or is a prefix of it. */
static int meets(const char *abs, const char *p, size_t len)
{
	size_t k = 0;

	while (k < len && abs[k] == p[k])
		k++;
	return k == len || abs[k] == '\0';
}

/* 1 when the absolute path abs, walked as written, cannot meet a mount: it
 * neither starts with a mount point (or its alias) nor is an ancestor of
 * one (the walk of "/" or "/a/" may be asked about what lies below), and no
 * "//", "." or ".." component may bring it back.  One pass over abs for the
 * common case of a path far from every mount; 0 sends it to the full walk. */
int ovl_outside(const char *abs)
{
	for (int i = 0; i < nmounts; i++) {
		const struct ovl_mount *m = &mounts[i];
		if (meets(abs, m->point, m->point_len) ||
		    (m->alias && meets(abs, m->alias, m->alias_len)))
			return 0;
	}
	for (const char *s = abs; *s; s++)
		if (s[0] == '/' && (s[1] == '/' || s[1] == '.'))
			return 0;
	return 1;
}

int ovl_unalias(char *abs, size_t cap, int nofollow)
{
	for (int i = 0; i < nmounts; i++) {
		const struct ovl_mount *m = &mounts[i];
		size_t n = m->alias_len, rest;

		if (!m->alias || strncmp(abs, m->alias, n) || (abs[n] != '/' && abs[n]))
			continue;
		if (!abs[n] && nofollow && m->alias_link)
			return 0; /* the link itself */
		rest = strlen(abs + n);
		if (m->point_len + rest + 1 > cap)
			return -ENAMETOOLONG;
		memmove(abs + m->point_len, abs + n, rest + 1);
		memcpy(abs, m->point, m->point_len);
		return 0;
	}
	return 0;
}
