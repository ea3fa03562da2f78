/*
 * Change counters shared by every process that writes the same upper.
 *
 * Lower layers are read-only by contract, so what lookup learns about them
 * can be kept forever; what it learns about the upper can be changed at any
 * moment by another process (make -j, git's threads).  Writers under the
 * library bump the counter of the upper directory they changed once the
 * change is complete; readers stamp cached answers with the counter value
 * read before they looked, so an answer computed before a change, or while
 * it was happening, never outlives it.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "ovl.h"
#include "sys.h"

#define GEN_BYTES (OVL_GEN_SLOTS * sizeof(uint64_t))

/* Map the counters.  Only a writer creates the file, so that a process
 * that only reads leaves the upper exactly as it found it; a reader that
 * finds no file caches nothing about the upper (there is nothing to cache:
 * no writer has been there yet) until it writes itself. */
static uint64_t *attach(const struct ovl_mount *m, int create)
{
	char p[PATH_MAX];
	struct stat st;
	void *map;
	int fd, n;

	n = snprintf(p, sizeof p, "%s/" OVL_GEN_FILE, m->layers[0].root);
	if (n < 0 || (size_t)n >= sizeof p)
		return NULL;
	fd = sys_openat(AT_FDCWD, p, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0),
			0600);
	if (fd < 0)
		return NULL;
	/* a file shorter than the map would fault: whoever sees it short
	 * extends it (to the same size, so racing extenders agree) */
	if (sys_fstat(fd, &st) < 0 ||
	    ((size_t)st.st_size < GEN_BYTES && sys_ftruncate(fd, GEN_BYTES) < 0)) {
		sys_close(fd);
		return NULL;
	}
	map = sys_mmap(NULL, GEN_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sys_close(fd);
	return (unsigned long)map > -4096UL ? NULL : map;
}

void ovl_gen_attach(struct ovl_mount *m)
{
	m->gen = attach(m, 0);
}

/* The counters, created on the first write.  Two threads may both map
 * them: the loser unmaps its copy. */
static uint64_t *writable(const struct ovl_mount *m)
{
	uint64_t *g = __atomic_load_n(&m->gen, __ATOMIC_ACQUIRE);
	uint64_t *fresh;

	if (g)
		return g;
	fresh = attach(m, 1);
	if (!fresh)
		return NULL;
	if (__atomic_compare_exchange_n((uint64_t **)&m->gen, &g, fresh, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return fresh;
	sys_munmap(fresh, GEN_BYTES);
	return g;
}

uint64_t ovl_gen_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static size_t slot(uint64_t h)
{
	return 1 + (size_t)(h % (OVL_GEN_SLOTS - 1));
}

uint64_t ovl_gen_read(const uint64_t *g, uint64_t h)
{
	return __atomic_load_n(&g[slot(h)], __ATOMIC_ACQUIRE) +
	       (__atomic_load_n(&g[0], __ATOMIC_ACQUIRE) << 40);
}

void ovl_gen_bump_parent(const struct ovl_mount *m, const char *rel)
{
	uint64_t *g = writable(m);
	size_t n = 0;

	if (!g)
		return;
	for (size_t i = 0; rel[i]; i++)
		if (rel[i] == '/')
			n = i;
	__atomic_fetch_add(&g[slot(ovl_gen_hash(rel, n))], 1, __ATOMIC_RELEASE);
}

void ovl_gen_bump_all(const struct ovl_mount *m)
{
	uint64_t *g = writable(m);

	if (g)
		__atomic_fetch_add(&g[0], 1, __ATOMIC_RELEASE);
}
