/*
 * Change counters shared by every process that writes the same upper.
 *
 * Lower layers are read-only by contract, so what lookup learns about them
 * can be kept forever; what it learns about the upper can be changed at any
 * moment by another process (make -j, git's threads).  Writers under the
 * library bump the counter of the name they changed (and of its directory)
 * once the change is complete; readers stamp cached answers with the
 * counter value read before they looked, so an answer computed before a
 * change, or while it was happening, never outlives it.  Counters are
 * per name (hashed into slots), so that unlinking one file of a directory
 * does not retire the cached answers for all the others.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ovl.h"
#include "sys.h"

#define GEN_BYTES (OVL_GEN_SLOTS * sizeof(uint64_t))

/* Creating the file is not a change anyone made to the view: the upper
 * root keeps its times. */
static int create_file(const char *root, const char *p)
{
	struct stat st;
	int fd, have = sys_lstat(root, &st) == 0;

	fd = sys_openat(AT_FDCWD, p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -EEXIST) /* another process was first */
		return sys_openat(AT_FDCWD, p, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd >= 0 && have) {
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		sys_utimensat(AT_FDCWD, root, ts, 0);
	}
	return fd;
}

/* Map the counters, creating the file if needed.  Every process creates
 * it at start, even one that will only read: a reader without counters
 * could cache nothing that depends on the upper, and the root of every
 * mount does.  The file is internal (hidden from the view, skipped by the
 * tools that read an upper), so the view stays as it was. */
static uint64_t *attach(const struct ovl_mount *m, int create)
{
	char p[PATH_MAX];
	struct stat st;
	void *map;
	int fd, n;

	n = snprintf(p, sizeof p, "%s/" OVL_GEN_FILE, m->layers[0].root);
	if (n < 0 || (size_t)n >= sizeof p)
		return NULL;
	fd = sys_openat(AT_FDCWD, p, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd == -ENOENT && create)
		fd = create_file(m->layers[0].root, p);
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
	m->gen = attach(m, 1);
}

/* The counters; a process that could not map them at start (the upper was
 * not writable then) tries again when it writes.  Two threads may both map
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

/* A directory's own counter lives in another slot than the name with the
 * same path. */
#define DIR_SALT 0x5bd1e9955bd1e995ULL

static uint64_t dir_hash(const char *rel, size_t len)
{
	return ovl_gen_hash(rel, len) ^ DIR_SALT;
}

static uint64_t read_slot(const uint64_t *g, uint64_t h)
{
	size_t i = 1 + (size_t)(h % (OVL_GEN_SLOTS - 1));

	return __atomic_load_n(&g[i], __ATOMIC_ACQUIRE) +
	       (__atomic_load_n(&g[0], __ATOMIC_ACQUIRE) << 40);
}

static void bump_slot(uint64_t *g, uint64_t h)
{
	__atomic_fetch_add(&g[1 + (size_t)(h % (OVL_GEN_SLOTS - 1))], 1, __ATOMIC_ACQ_REL);
}

uint64_t ovl_gen_name(const uint64_t *g, uint64_t h)
{
	return read_slot(g, h);
}

uint64_t ovl_gen_dir(const uint64_t *g, uint64_t h)
{
	return read_slot(g, h ^ DIR_SALT);
}

/* The directory first, then the name: a listing that saw the directory's
 * counter unchanged across its reading cannot have met a change whose name
 * counter was bumped before it read that (see readdir.c). */
void ovl_gen_bump(const struct ovl_mount *m, const char *rel)
{
	uint64_t *g = writable(m);
	size_t n = 0, len = strlen(rel);

	if (!g)
		return;
	for (size_t i = 0; i < len; i++)
		if (rel[i] == '/')
			n = i;
	bump_slot(g, dir_hash(rel, n));
	bump_slot(g, ovl_gen_hash(rel, len));
}

void ovl_gen_bump_all(const struct ovl_mount *m)
{
	uint64_t *g = writable(m);

	if (g)
		__atomic_fetch_add(&g[0], 1, __ATOMIC_ACQ_REL);
}
