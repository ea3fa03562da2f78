/*
 * The mount table: which directories are overlaid, and by what.
 *
 * Filled once, from the environment at load time (or by tests), and read
 * without locks afterwards: nothing changes it while the program runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

static struct ovl_mount mounts[OVL_MAX_MOUNTS];
static int nmounts;
int ovl_fsync;

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
	char proc[64];
	struct stat st;
	int fd, rc;
	long n;

	if (path[0] != '/')
		return -EINVAL;
	fd = sys_openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	rc = sys_fstat(fd, &st);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	n = sys_readlinkat(AT_FDCWD, proc, out, outlen - 1);
	sys_close(fd);
	if (rc < 0)
		return rc;
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
		return fail(err, errlen, "%s '%s': %s", what, path, strerror(-rc));
	return 0;
}

static void free_mount(struct ovl_mount *m)
{
	if (m->gen)
		sys_munmap(m->gen, OVL_GEN_SLOTS * sizeof(uint64_t));
	free(m->point);
	for (int i = 0; i < m->nlayers; i++)
		free(m->layers[i].root);
	memset(m, 0, sizeof *m);
}

static int set_string(char **dst, size_t *len, const char *src)
{
	*dst = strdup(src);
	if (!*dst)
		return -1;
	*len = strlen(src);
	return 0;
}

/* A root-level opaque marker cannot appear at run time (nobody can rmdir
 * the mount root), so which layers take part at the root is fixed now. */
static uint64_t root_mask(const struct ovl_mount *m)
{
	char p[PATH_MAX];
	struct stat st;
	uint64_t mask = 0;

	for (int i = 0; i < m->nlayers; i++) {
		mask |= 1ULL << i;
		snprintf(p, sizeof p, "%s/" OVL_OPAQUE, m->layers[i].root);
		if (sys_lstat(p, &st) == 0)
			break;
	}
	return mask;
}

static int check_overlaps(char paths[][PATH_MAX], int n, const char *point,
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

int ovl_config_add(const char *mount, const char *upper,
		   const char *const *lowers, int nlowers,
		   char *err, size_t errlen)
{
	static char paths[OVL_MAX_LAYERS][PATH_MAX];
	char point[PATH_MAX];
	struct ovl_mount *m;
	int n = nlowers + 1;

	if (nmounts == OVL_MAX_MOUNTS)
		return fail(err, errlen, "too many mounts (at most %d)", OVL_MAX_MOUNTS);
	if (nlowers < 1)
		return fail(err, errlen, "no lower directory given");
	if (n > OVL_MAX_LAYERS)
		return fail(err, errlen, "too many lower directories (at most %d)",
			    OVL_MAX_LAYERS - 1);
	if (check_dir("upper", upper, paths[0], err, errlen))
		return -1;
	for (int i = 0; i < nlowers; i++)
		if (check_dir("lower", lowers[i], paths[i + 1], err, errlen))
			return -1;
	if (check_dir("mount point", mount ? mount : lowers[0], point, err, errlen))
		return -1;
	if (check_overlaps(paths, n, point, strcmp(point, paths[1]) == 0, err, errlen))
		return -1;
	for (int i = 0; i < nmounts; i++)
		if (inside(point, mounts[i].point) || inside(mounts[i].point, point))
			return fail(err, errlen, "mount point '%s' overlaps mount point '%s'",
				    point, mounts[i].point);

	m = &mounts[nmounts];
	if (set_string(&m->point, &m->point_len, point))
		goto oom;
	for (int i = 0; i < n; i++) {
		m->nlayers = i + 1;
		if (set_string(&m->layers[i].root, &m->layers[i].len, paths[i]))
			goto oom;
	}
	m->root_mask = root_mask(m);
	ovl_gen_attach(m);
	nmounts++;
	return 0;
oom:
	free_mount(m);
	return fail(err, errlen, "out of memory");
}

void ovl_config_reset(void)
{
	for (int i = 0; i < nmounts; i++)
		free_mount(&mounts[i]);
	nmounts = 0;
	ovl_cache_reset();
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* Split s at sep into at most max non-empty fields (in place). */
static int split(char *s, const char *sep, const char **out, int max)
{
	int n = 0;

	for (char *tok; (tok = strsep(&s, sep));) {
		if (!*tok)
			continue;
		if (n == max)
			return -1;
		out[n++] = tok;
	}
	return n;
}

/* One mount from the single-mount variables. */
static int add_single(const char *upper, const char *lower, const char *mount,
		      char *err, size_t errlen)
{
	const char *lowers[OVL_MAX_LAYERS];
	char *copy = strdup(lower);
	int n, rc;

	if (!copy)
		return fail(err, errlen, "out of memory");
	n = split(copy, ":", lowers, OVL_MAX_LAYERS - 1);
	if (n < 0)
		rc = fail(err, errlen, "too many lower directories (at most %d)",
			  OVL_MAX_LAYERS - 1);
	else
		rc = ovl_config_add(mount && *mount ? mount : NULL, upper, lowers, n,
				    err, errlen);
	free(copy);
	return rc;
}

/* OVERLAY_MOUNTS: mounts separated by ';', each "MOUNT:UPPER:LOWER[:LOWER]..."
 * with an empty MOUNT meaning the first lower (in place). */
static int add_group(char *group, char *err, size_t errlen)
{
	const char *f[OVL_MAX_LAYERS + 1];
	char *colon = strchr(group, ':');
	int n;

	if (!colon)
		return fail(err, errlen, "OVERLAY_MOUNTS entry '%s' is not MOUNT:UPPER:LOWER...",
			    group);
	*colon = '\0';
	n = split(colon + 1, ":", f, OVL_MAX_LAYERS);
	if (n < 2)
		return fail(err, errlen, "OVERLAY_MOUNTS entry for '%s' needs an upper and a lower",
			    group);
	return ovl_config_add(*group ? group : NULL, f[0], f + 1, n - 1, err, errlen);
}

static int add_groups(const char *mounts, char *err, size_t errlen)
{
	char *copy = strdup(mounts);
	int rc = 0;

	if (!copy)
		return fail(err, errlen, "out of memory");
	for (char *s = copy, *g; rc == 0 && (g = strsep(&s, ";"));)
		if (*g)
			rc = add_group(g, err, errlen);
	free(copy);
	return rc;
}

int ovl_config_from_env(char *const *envp, char *err, size_t errlen)
{
	const char *upper = env_get(envp, "OVERLAY_UPPER");
	const char *lower = env_get(envp, "OVERLAY_LOWER");
	const char *mount = env_get(envp, "OVERLAY_MOUNT");
	const char *mounts = env_get(envp, "OVERLAY_MOUNTS");

	const char *fsync = env_get(envp, "OVERLAY_FSYNC");

	if (!upper && !lower && !mount && !(mounts && *mounts))
		return 0;
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
