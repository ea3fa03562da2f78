/*
 * The lookup cache: what lookup_child found for a name in a directory.
 *
 * Entries are pushed onto hash chains with compare-and-swap and never change
 * afterwards, so readers need no lock and a signal handler can look up while
 * the code it interrupted is inserting.  A newer answer for the same key
 * goes in front of older ones; the first match decides, and a stale first
 * match is a miss.  Memory comes from one lazily reserved arena; when it is
 * full, nothing more is cached (answers stay exact, only slower).
 */
#include <string.h>
#include <sys/mman.h>

#include "ovl.h"
#include "sys.h"

#define HEADS (1u << 14)
#define ARENA_BYTES (16u << 20)

/* Packed: the entries of a large walk are most of the library's memory. */
struct entry {
	struct entry *next;
	uint64_t hash, pmask, stamp;
	uint64_t mask;          /* the answer: ovl_child's fields */
	signed char layer;
	unsigned char type;     /* S_IFMT >> 12 */
	unsigned char upper_wh;
	unsigned char mount;    /* index in the mount table */
	unsigned short plen, nlen;
	char key[]; /* parent rel, then name */
};

static unsigned char mount_index(const struct ovl_mount *m)
{
	return (unsigned char)(m - ovl_mount_at(0));
}

static struct entry *heads[HEADS];
static char *arena;
static size_t arena_used;

static uint64_t key_hash(const struct ovl_mount *m, uint64_t h, uint64_t pmask)
{
	h ^= (pmask * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)(uintptr_t)m;
	return h ^ (h >> 29);
}

static int same_key(const struct entry *e, const struct ovl_mount *m, uint64_t h,
		    const char *prel, size_t plen, const char *name, size_t nlen,
		    uint64_t pmask)
{
	return e->hash == h && e->mount == mount_index(m) && e->pmask == pmask && e->plen == plen &&
	       e->nlen == nlen && memcmp(e->key, prel, plen) == 0 &&
	       memcmp(e->key + plen, name, nlen) == 0;
}

int ovl_cache_get(const struct ovl_mount *m, const char *prel, size_t plen,
		  const char *name, size_t nlen, uint64_t nh, uint64_t pmask,
		  uint64_t stamp, struct ovl_child *out)
{
	uint64_t h = key_hash(m, nh, pmask);
	struct entry *e = __atomic_load_n(&heads[h % HEADS], __ATOMIC_ACQUIRE);

	for (; e; e = e->next) {
		if (!same_key(e, m, h, prel, plen, name, nlen, pmask))
			continue;
		if (e->stamp != stamp)
			return -1;
		out->layer = e->layer;
		out->type = (mode_t)e->type << 12;
		out->mask = e->mask;
		out->upper_wh = e->upper_wh;
		return 1;
	}
	return 0;
}

static void *arena_alloc(size_t n)
{
	char *a = __atomic_load_n(&arena, __ATOMIC_ACQUIRE);

	if (!a) {
		char *fresh = sys_mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if ((unsigned long)fresh > -4096UL)
			return NULL;
		if (!__atomic_compare_exchange_n(&arena, &a, fresh, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			sys_munmap(fresh, ARENA_BYTES); /* another thread won */
		else
			a = fresh;
	}
	n = (n + 7) & ~(size_t)7; /* the next pointer's alignment */
	size_t off = __atomic_fetch_add(&arena_used, n, __ATOMIC_RELAXED);
	if (off + n > ARENA_BYTES)
		return NULL;
	return a + off;
}

void ovl_cache_reset(void)
{
	memset(heads, 0, sizeof heads);
	__atomic_store_n(&arena_used, 0, __ATOMIC_RELEASE);
}

int ovl_cache_put(const struct ovl_mount *m, const char *prel, size_t plen,
		  const char *name, size_t nlen, uint64_t nh, uint64_t pmask,
		  uint64_t stamp, const struct ovl_child *c)
{
	uint64_t h = key_hash(m, nh, pmask);
	struct entry *e = arena_alloc(sizeof *e + plen + nlen);
	struct entry **head = &heads[h % HEADS];

	if (!e)
		return 0;
	e->mount = mount_index(m);
	e->hash = h;
	e->pmask = pmask;
	e->stamp = stamp;
	e->layer = (signed char)c->layer;
	e->type = (unsigned char)((c->type & S_IFMT) >> 12);
	e->mask = c->mask;
	e->upper_wh = (unsigned char)c->upper_wh;
	e->plen = (unsigned short)plen;
	e->nlen = (unsigned short)nlen;
	memcpy(e->key, prel, plen);
	memcpy(e->key + plen, name, nlen);
	e->next = __atomic_load_n(head, __ATOMIC_ACQUIRE);
	while (!__atomic_compare_exchange_n(head, &e->next, e, 1, __ATOMIC_RELEASE,
					    __ATOMIC_ACQUIRE))
		;
	return 1;
}

/* The mark lives in the cache as an entry with an empty name, which no
 * real name can have, under a hash apart from the directory's own name. */
#define COMPLETE_SALT 0xc2b2ae3d27d4eb4fULL

void ovl_cache_put_complete(const struct ovl_mount *m, const char *rel, size_t rlen,
			    uint64_t hash, uint64_t mask, uint64_t stamp)
{
	struct ovl_child c = { .layer = -1 };
	ovl_cache_put(m, rel, rlen, "", 0, hash ^ COMPLETE_SALT, mask, stamp, &c);
}

int ovl_cache_complete(const struct ovl_mount *m, const char *rel, size_t rlen,
		       uint64_t hash, uint64_t mask, uint64_t stamp)
{
	struct ovl_child c;
	return ovl_cache_get(m, rel, rlen, "", 0, hash ^ COMPLETE_SALT, mask, stamp, &c) == 1;
}

/* Two ways a set: the directories a build asks in turn (a few hundred
 * include and PATH entries) must not keep throwing each other out before
 * they reach the count that gets them listed. */
#define MISS_SETS 1024
static struct miss { uint64_t key; unsigned n; } misses[MISS_SETS][2];

static uint64_t miss_key(const struct ovl_mount *m, uint64_t hash, uint64_t mask)
{
	return key_hash(m, hash, mask) | 1; /* never 0: 0 is empty */
}

static struct miss *miss_find(uint64_t key)
{
	struct miss *set = misses[(key >> 1) % MISS_SETS];

	for (int w = 0; w < 2; w++)
		if (__atomic_load_n(&set[w].key, __ATOMIC_RELAXED) == key)
			return &set[w];
	return NULL;
}

unsigned ovl_cache_note_miss(const struct ovl_mount *m, uint64_t hash, uint64_t mask)
{
	uint64_t key = miss_key(m, hash, mask);
	struct miss *e = miss_find(key);

	if (!e) { /* the way with the fewer misses gives way */
		struct miss *set = misses[(key >> 1) % MISS_SETS];
		e = __atomic_load_n(&set[0].n, __ATOMIC_RELAXED) <=
				    __atomic_load_n(&set[1].n, __ATOMIC_RELAXED)
			    ? &set[0]
			    : &set[1];
		__atomic_store_n(&e->key, key, __ATOMIC_RELAXED);
		__atomic_store_n(&e->n, 0, __ATOMIC_RELAXED);
	}
	return __atomic_add_fetch(&e->n, 1, __ATOMIC_RELAXED);
}
