/* Helpers for the unit tests of core/: see helpers.h. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx T;

/* ---- fixture ------------------------------------------------------------ */

static void join(char *out, size_t n, const char *a, const char *b)
{
	int len;
	if (b[0])
		len = snprintf(out, n, "%s/%s", a, b);
	else
		len = snprintf(out, n, "%s", a);
	cr_assert(len > 0 && (size_t)len < n, "path too long: %s/%s", a, b);
}

void fx_setup(void)
{
	memset(&T, 0, sizeof T);
	strcpy(T.root, "/tmp/ovl-unit.XXXXXX");
	cr_assert_not_null(mkdtemp(T.root), "mkdtemp: %s", strerror(errno));
	join(T.upper, sizeof T.upper, T.root, "upper");
	join(T.lower1, sizeof T.lower1, T.root, "lower1");
	join(T.lower2, sizeof T.lower2, T.root, "lower2");
	join(T.mnt, sizeof T.mnt, T.root, "mnt");
	join(T.other, sizeof T.other, T.root, "other");
	const char *dirs[] = { T.upper, T.lower1, T.lower2, T.mnt, T.other };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		cr_assert_eq(mkdir(dirs[i], 0755), 0, "mkdir %s: %s", dirs[i],
			     strerror(errno));
	ovl_config_reset();
}

void fx_teardown(void)
{
	ovl_config_reset();
	if (T.root[0])
		rm_rf(T.root);
	free(T.snap_l1);
	free(T.snap_l2);
	T.snap_l1 = T.snap_l2 = NULL;
}

static void do_mount(const char *mnt, int nlowers)
{
	char err[512] = "";
	const char *lowers[2] = { T.lower1, T.lower2 };
	cr_assert(nlowers == 1 || nlowers == 2);
	ovl_config_reset();
	int rc = ovl_config_add(mnt, T.upper, lowers, nlowers, err, sizeof err);
	cr_assert_eq(rc, 0, "ovl_config_add failed: %d (%s)", rc, err);
	cr_assert(ovl_active(), "no mount active after ovl_config_add");
}

void mount_std(int nlowers) { do_mount(T.mnt, nlowers); }
void mount_inplace(int nlowers) { do_mount(NULL, nlowers); }

/* ---- path builders ------------------------------------------------------ */

#define RING 32
static char ring[RING][PATH_MAX];
static unsigned ring_pos;

static const char *under(const char *base, const char *rel)
{
	char *out = ring[ring_pos++ % RING];
	join(out, PATH_MAX, base, rel);
	return out;
}

const char *UP(const char *rel) { return under(T.upper, rel); }
const char *L1(const char *rel) { return under(T.lower1, rel); }
const char *L2(const char *rel) { return under(T.lower2, rel); }
const char *MNT(const char *rel) { return under(T.mnt, rel); }
const char *RP(const char *rel) { return under(T.root, rel); }

/* ---- real files --------------------------------------------------------- */

void write_file_mode(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	size_t len = strlen(content);
	cr_assert_eq(write(fd, content, len), (ssize_t)len, "write %s", path);
	cr_assert_eq(fchmod(fd, mode), 0, "fchmod %s", path);
	close(fd);
}

void write_file(const char *path, const char *content)
{
	write_file_mode(path, content, 0644);
}

void mkdirs_mode(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	cr_assert(strlen(path) < sizeof buf);
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0)
			cr_assert_eq(errno, EEXIST, "mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, mode) != 0)
		cr_assert_eq(errno, EEXIST, "mkdir %s: %s", buf, strerror(errno));
	cr_assert_eq(chmod(buf, mode), 0, "chmod %s", buf);
}

void mkdirs(const char *path) { mkdirs_mode(path, 0755); }

void make_symlink(const char *target, const char *path)
{
	cr_assert_eq(symlink(target, path), 0, "symlink %s: %s", path, strerror(errno));
}

void set_mtime(const char *path, time_t sec, long nsec)
{
	struct timespec ts[2] = { { sec, nsec }, { sec, nsec } };
	cr_assert_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0,
		     "utimensat %s: %s", path, strerror(errno));
}

static char *slurp_fd(int fd)
{
	size_t cap = 256, len = 0;
	char *buf = malloc(cap);
	cr_assert_not_null(buf);
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	return buf;
}

char *read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	char *s = slurp_fd(fd);
	close(fd);
	return s;
}

int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int is_file(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int is_symlink(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void rm_rf(const char *path)
{
	nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

/* ---- snapshots ---------------------------------------------------------- */

struct lines {
	char **v;
	size_t n, cap;
	size_t skip;      /* length of the root prefix */
	int names_only;
};

static struct lines *cur_lines;

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t digest_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	uint64_t h = 1469598103934665603ULL;
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		h = fnv(h, buf, (size_t)n);
	close(fd);
	return h;
}

static void add_line(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		cr_assert_not_null(l->v);
	}
	l->v[l->n++] = s;
}

static int snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	struct lines *l = cur_lines;
	const char *rel = path + l->skip;
	if (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	char *s = NULL;
	/* the shared change counters core keeps in the upper (ovl.h) */
	if (strcmp(rel, OVL_GEN_FILE) == 0)
		return 0;
	if (l->names_only) {
		if (strcmp(rel, ".") == 0)
			return 0;
		s = strdup(rel);
	} else {
		char extra[PATH_MAX + 32] = "";
		if (S_ISREG(st->st_mode)) {
			snprintf(extra, sizeof extra, "data=%016llx",
				 (unsigned long long)digest_file(path));
		} else if (S_ISLNK(st->st_mode)) {
			char t[PATH_MAX];
			ssize_t n = readlink(path, t, sizeof t - 1);
			t[n < 0 ? 0 : n] = 0;
			snprintf(extra, sizeof extra, "-> %s", t);
		}
		if (asprintf(&s, "%s mode=%o size=%lld mtime=%lld.%09ld %s", rel,
			     (unsigned)st->st_mode, (long long)st->st_size,
			     (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, extra) < 0)
			s = NULL;
	}
	cr_assert_not_null(s);
	add_line(l, s);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *walk(const char *root, int names_only)
{
	struct lines l = { .skip = strlen(root), .names_only = names_only };
	cur_lines = &l;
	cr_assert_eq(nftw(root, snap_one, 32, FTW_PHYS), 0, "nftw %s", root);
	cur_lines = NULL;
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, cmp_str);
	size_t total = 1;
	for (size_t i = 0; i < l.n; i++)
		total += strlen(l.v[i]) + 1;
	char *out = malloc(total);
	cr_assert_not_null(out);
	out[0] = 0;
	char *p = out;
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			*p++ = names_only ? ' ' : '\n';
		size_t k = strlen(l.v[i]);
		memcpy(p, l.v[i], k + 1);
		p += k;
		free(l.v[i]);
	}
	free(l.v);
	return out;
}

char *snap_tree(const char *root) { return walk(root, 0); }
char *tree_names(const char *root) { return walk(root, 1); }

void snap_lowers(void)
{
	free(T.snap_l1);
	free(T.snap_l2);
	T.snap_l1 = snap_tree(T.lower1);
	T.snap_l2 = snap_tree(T.lower2);
}

void check_lowers(void)
{
	cr_assert_not_null(T.snap_l1, "snap_lowers() was not called");
	char *a = snap_tree(T.lower1);
	char *b = snap_tree(T.lower2);
	cr_assert_str_eq(a, T.snap_l1, "lower1 changed:\nnow:\n%s\nbefore:\n%s", a, T.snap_l1);
	cr_assert_str_eq(b, T.snap_l2, "lower2 changed:\nnow:\n%s\nbefore:\n%s", b, T.snap_l2);
	free(a);
	free(b);
}

void check_upper_empty(void)
{
	char *names = tree_names(T.upper);
	cr_assert_str_eq(names, "", "upper is not empty: %s", names);
	free(names);
}

/* ---- virtual view ------------------------------------------------------- */

int v_open(const char *vpath, int flags, mode_t mode)
{
	struct ovl_res r;
	int rc = ovl_for_open(AT_FDCWD, vpath, flags, &r);
	if (rc < 0)
		return rc;
	if (rc == OVL_PASS) {
		int fd = open(vpath, flags, mode);
		return fd < 0 ? -errno : fd;
	}
	cr_assert_eq(rc, 0, "ovl_for_open(%s) returned %d", vpath, rc);
	int fd = open(r.real, flags, mode);
	int err = fd < 0 ? -errno : 0;
	ovl_open_done(&r, err);
	return fd < 0 ? err : fd;
}

char *v_read(const char *vpath, int *err)
{
	int fd = v_open(vpath, O_RDONLY, 0);
	if (fd < 0) {
		if (err)
			*err = fd;
		return NULL;
	}
	char *s = slurp_fd(fd);
	if (!s && err)
		*err = -errno;
	close(fd);
	return s;
}

static int v_put(const char *vpath, int flags, const char *content)
{
	int fd = v_open(vpath, flags, 0644);
	if (fd < 0)
		return fd;
	size_t len = strlen(content);
	ssize_t n = write(fd, content, len);
	int rc = n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
	close(fd);
	return rc;
}

int v_write(const char *vpath, const char *content)
{
	return v_put(vpath, O_WRONLY | O_CREAT | O_TRUNC, content);
}

int v_append(const char *vpath, const char *content)
{
	return v_put(vpath, O_WRONLY | O_APPEND, content);
}

static int v_stat_flags(const char *vpath, struct stat *st, int flags)
{
	struct ovl_res r;
	int rc = ovl_for_read(AT_FDCWD, vpath, flags, &r);
	if (rc < 0)
		return rc;
	const char *p = rc == OVL_PASS ? vpath : r.real;
	int s = (flags & OVL_NOFOLLOW) ? lstat(p, st) : stat(p, st);
	return s < 0 ? -errno : 0;
}

int v_stat(const char *vpath, struct stat *st) { return v_stat_flags(vpath, st, 0); }
int v_lstat(const char *vpath, struct stat *st) { return v_stat_flags(vpath, st, OVL_NOFOLLOW); }

int v_type(const char *vpath)
{
	struct stat st;
	int rc = v_lstat(vpath, &st);
	return rc < 0 ? rc : (int)(st.st_mode & S_IFMT);
}

static char type_char(unsigned char t)
{
	switch (t) {
	case DT_DIR: return 'd';
	case DT_REG: return 'f';
	case DT_LNK: return 'l';
	case DT_FIFO: return 'p';
	case DT_CHR: return 'c';
	case DT_BLK: return 'b';
	case DT_SOCK: return 's';
	default: return '?';
	}
}

static int cmp_ent(const void *a, const void *b)
{
	const struct ovl_dirent *x = *(const struct ovl_dirent *const *)a;
	const struct ovl_dirent *y = *(const struct ovl_dirent *const *)b;
	return strcmp(x->name, y->name);
}

char *v_list(const char *vpath, int *err)
{
	struct ovl_res r;
	int rc = ovl_resolve(AT_FDCWD, vpath, 0, &r);
	if (rc == 0 && r.layer < 0)
		rc = -ENOENT;
	if (rc != 0) {
		if (err)
			*err = rc > 0 ? -EINVAL : rc;
		return NULL;
	}
	struct ovl_dir *d = NULL;
	rc = ovl_dir_read(&r, &d);
	if (rc < 0) {
		if (err)
			*err = rc;
		return NULL;
	}
	cr_assert_eq(rc, 0, "ovl_dir_read returned %d", rc);
	cr_assert_not_null(d);
	/* Sort by name (not by "name:t", where ".." would sort before "."). */
	const struct ovl_dirent **sorted = calloc(d->count + 1, sizeof *sorted);
	cr_assert_not_null(sorted);
	for (size_t i = 0; i < d->count; i++)
		sorted[i] = &d->ents[i];
	qsort(sorted, d->count, sizeof *sorted, cmp_ent);
	char **v = calloc(d->count + 1, sizeof *v);
	cr_assert_not_null(v);
	size_t total = 1;
	for (size_t i = 0; i < d->count; i++) {
		const struct ovl_dirent *e = sorted[i];
		cr_assert_eq(strlen(e->name), e->namelen, "namelen of %s", e->name);
		cr_assert(asprintf(&v[i], "%s:%c", e->name, type_char(e->type)) > 0);
		total += strlen(v[i]) + 1;
	}
	free(sorted);
	char *out = malloc(total);
	cr_assert_not_null(out);
	out[0] = 0;
	for (size_t i = 0; i < d->count; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, v[i]);
		free(v[i]);
	}
	free(v);
	ovl_dir_free(d);
	return out;
}

int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "opendir %s: %s", dir, strerror(errno));
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
		    strcmp(e->d_name, OVL_GEN_FILE) != 0)
			n++;
	closedir(d);
	return n;
}

/* ---- expectations on the view ----------------------------------------- */

void expect_list(const char *vpath, const char *want)
{
	int err = 0;
	char *s = v_list(vpath, &err);
	cr_assert_not_null(s, "list %s: %d", vpath, err);
	cr_assert_str_eq(s, want, "listing of %s: got \"%s\", want \"%s\"", vpath, s, want);
	free(s);
}

void expect_content(const char *vpath, const char *want)
{
	int err = 0;
	char *s = v_read(vpath, &err);
	cr_assert_not_null(s, "read %s: %d", vpath, err);
	cr_assert_str_eq(s, want, "content of %s: got \"%s\", want \"%s\"", vpath, s, want);
	free(s);
}
