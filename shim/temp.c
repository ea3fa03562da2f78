/*
 * Temporary files: glibc's mkstemp and mkdtemp create through its internal
 * open and mkdir, which never reach ours, so a template inside an in-place
 * overlay would land in the lower.  While the overlay is active they are
 * done here, through our own open and mkdir, with glibc's rules: six X's
 * before the suffix, mode 0600 or 0700, errno kept on success, the template
 * left as it was on EINVAL.
 *
 * The name generators (mktemp, tempnam, tmpnam) and tmpfile look at the
 * tree with glibc's internal stat: they are redone here over ours, so a name
 * the overlay shows (or hides) counts as taken (or free).
 */
#include "shim.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#define SHIM_TEMP_TRIES (62 * 62 * 62)

static uint64_t shim_temp_bits(uint64_t prev)
{
	uint64_t v;
	struct timespec ts;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) == sizeof v)
		return v;
	/* no entropy yet: a clock-seeded xorshift still avoids collisions */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	v = prev ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
	v ^= v << 13;
	v ^= v >> 7;
	v ^= v << 17;
	return v;
}

enum { SHIM_TEMP_FILE, SHIM_TEMP_DIR, SHIM_TEMP_NAME };

/* A file (O_RDWR|O_CREAT|O_EXCL plus flags), a directory, or only a name
 * nothing in the view has (SHIM_TEMP_NAME: lstat says ENOENT), made fresh;
 * the descriptor, 0 for a directory or a name, or -1. */
static int shim_temp(char *tmpl, int suffixlen, int flags, int kind)
{
	static const char letters[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(tmpl);
	int save = errno, rc;
	uint64_t v = 0;
	char *x;

	if (suffixlen < 0 || len < 6 + (size_t)suffixlen ||
	    memcmp(tmpl + len - suffixlen - 6, "XXXXXX", 6) != 0) {
		errno = EINVAL;
		return -1;
	}
	x = tmpl + len - suffixlen - 6;
	for (int tries = 0; tries < SHIM_TEMP_TRIES; tries++) {
		v = shim_temp_bits(v);
		for (int i = 0; i < 6; i++)
			x[i] = letters[(v >> (i * 6)) % 62];
		if (kind == SHIM_TEMP_NAME) {
			struct stat st;
			if (lstat(tmpl, &st) == 0)
				continue;
			if (errno != ENOENT)
				return -1;
			errno = save;
			return 0;
		}
		rc = kind == SHIM_TEMP_DIR
			     ? mkdir(tmpl, 0700)
			     : open(tmpl, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL, 0600);
		if (rc >= 0) {
			errno = save;
			return rc;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

#define SHIM_MKSTEMP(name, params, args, suffixlen, flags)                   \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		if (!shim_on() || !shim_nonnull(tmpl))                       \
			return SHIM_NEXT(name) args;                         \
		return shim_temp(tmpl, suffixlen, flags, SHIM_TEMP_FILE);                 \
	}

SHIM_MKSTEMP(mkstemp, (char *tmpl), (tmpl), 0, 0)
SHIM_MKSTEMP(mkstemp64, (char *tmpl), (tmpl), 0, 0)
SHIM_MKSTEMP(mkostemp, (char *tmpl, int flags), (tmpl, flags), 0, flags)
SHIM_MKSTEMP(mkostemp64, (char *tmpl, int flags), (tmpl, flags), 0, flags)
SHIM_MKSTEMP(mkstemps, (char *tmpl, int suffixlen), (tmpl, suffixlen), suffixlen, 0)
SHIM_MKSTEMP(mkstemps64, (char *tmpl, int suffixlen), (tmpl, suffixlen), suffixlen, 0)
SHIM_MKSTEMP(mkostemps, (char *tmpl, int suffixlen, int flags), (tmpl, suffixlen, flags), suffixlen, flags)
SHIM_MKSTEMP(mkostemps64, (char *tmpl, int suffixlen, int flags), (tmpl, suffixlen, flags), suffixlen, flags)

OVL_EXPORT char *mkdtemp(char *tmpl)
{
	if (!shim_on() || !shim_nonnull(tmpl))
		return SHIM_NEXT(mkdtemp)(tmpl);
	return shim_temp(tmpl, 0, 0, SHIM_TEMP_DIR) == 0 ? tmpl : NULL;
}

/* mktemp reports failure with an empty template. */
OVL_EXPORT char *mktemp(char *tmpl)
{
	if (!shim_on() || !shim_nonnull(tmpl))
		return SHIM_NEXT(mktemp)(tmpl);
	if (shim_temp(tmpl, 0, 0, SHIM_TEMP_NAME) < 0)
		tmpl[0] = '\0';
	return tmpl;
}

static int shim_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "DIR/PFXXXXXXX" into out (len bytes), as glibc chooses it: $TMPDIR when
 * asked (and not set-uid) and a directory, else dir if a directory, else
 * P_tmpdir; trailing slashes dropped, the prefix cut to five bytes ("file"
 * when empty).  0 or -1 with errno. */
static int shim_temp_dir(char *out, size_t len, const char *dir,
			 const char *pfx, int try_env)
{
	size_t dlen, plen;

	if (!pfx || !*pfx)
		pfx = "file";
	plen = strnlen(pfx, 5);
	if (try_env) {
		const char *env = secure_getenv("TMPDIR");
		if (env && shim_is_dir(env))
			dir = env;
		else if (!dir || !shim_is_dir(dir))
			dir = NULL;
	}
	if (!dir) {
		if (!shim_is_dir(P_tmpdir)) {
			errno = ENOENT;
			return -1;
		}
		dir = P_tmpdir;
	}
	dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (len < dlen + 1 + plen + 6 + 1) {
		errno = EINVAL;
		return -1;
	}
	memcpy(out, dir, dlen);
	out[dlen] = '/';
	memcpy(out + dlen + 1, pfx, plen);
	memcpy(out + dlen + 1 + plen, "XXXXXX", 7);
	return 0;
}

OVL_EXPORT char *tempnam(const char *dir, const char *pfx)
{
	char buf[FILENAME_MAX];

	if (!shim_on())
		return SHIM_NEXT(tempnam)(dir, pfx);
	if (shim_temp_dir(buf, sizeof buf, dir, pfx, 1) < 0 ||
	    shim_temp(buf, 0, 0, SHIM_TEMP_NAME) < 0)
		return NULL;
	return strdup(buf);
}

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

OVL_EXPORT char *tmpnam_r(char s[L_tmpnam])
{
	if (!shim_on() || !s)
		return SHIM_NEXT(tmpnam_r)(s);
	if (shim_temp_dir(s, L_tmpnam, NULL, NULL, 0) < 0 ||
	    shim_temp(s, 0, 0, SHIM_TEMP_NAME) < 0)
		return NULL;
	return s;
}

OVL_EXPORT char *tmpnam(char s[L_tmpnam])
{
	static char own[L_tmpnam];
	char buf[L_tmpnam];

	if (!shim_on())
		return SHIM_NEXT(tmpnam)(s);
	if (!tmpnam_r(buf))
		return NULL;
	return memcpy(s ? s : own, buf, sizeof buf);
}

/* tmpfile makes a file without a name in P_tmpdir (/tmp), which matters
 * only when that lies in a mount: O_TMPFILE through our open (in the upper
 * directory), else a name made and removed at once. */
static FILE *shim_tmpfile(void)
{
	char name[sizeof P_tmpdir + 16];
	FILE *f;
	int fd, err;

	fd = open(P_tmpdir, O_RDWR | O_TMPFILE | O_EXCL, 0600);
	if (fd < 0) {
		if (shim_temp_dir(name, sizeof name, NULL, "tmpf", 0) < 0)
			return NULL;
		fd = shim_temp(name, 0, 0, SHIM_TEMP_FILE);
		if (fd < 0)
			return NULL;
		unlink(name);
	}
	f = fdopen(fd, "w+b");
	if (!f) {
		err = errno;
		close(fd);
		errno = err;
	}
	return f;
}

#define SHIM_TMPFILE(name)                                                   \
	OVL_EXPORT FILE *name(void)                                          \
	{                                                                    \
		struct ovl_res r;                                            \
		if (!shim_on() || ovl_for_read(AT_FDCWD, P_tmpdir, 0, &r) == OVL_PASS) \
			return SHIM_NEXT(name)();                            \
		return shim_tmpfile();                                       \
	}

SHIM_TMPFILE(tmpfile)
SHIM_TMPFILE(tmpfile64)
