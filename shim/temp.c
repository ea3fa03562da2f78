/*
 * Temporary files: glibc's mkstemp and mkdtemp create through its internal
 * open and mkdir, which never reach ours, so a template inside an in-place
 * overlay would land in the lower.  While the overlay is active they are
 * done here, through our own open and mkdir, with glibc's rules: six X's
 * before the suffix, mode 0600 or 0700, errno kept on success, the template
 * left as it was on EINVAL.
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

/* A file (O_RDWR|O_CREAT|O_EXCL plus flags) or, with dir, a directory
 * created under a fresh name; the descriptor, 0 for a directory, or -1. */
static int shim_temp(char *tmpl, int suffixlen, int flags, int dir)
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
		rc = dir ? mkdir(tmpl, 0700)
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
		return shim_temp(tmpl, suffixlen, flags, 0);                 \
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
	return shim_temp(tmpl, 0, 0, 1) == 0 ? tmpl : NULL;
}
