/*
 * The walk memo: where the last few directories a thread walked to are.
 *
 * Programs that stat many files ask for names in the same directory again
 * and again (ls, git status, make, a compiler's include path), and every
 * call used to walk the whole path anew: the host components up to the
 * mount point, then one cache lookup per directory inside it.  A thread
 * keeps, for the last directories it reached, the absolute virtual path it
 * was asked for and where the walk stood there (mount, rel, layer mask);
 * the next path with the same directory starts at its last component.
 *
 * A memo is exact for as long as every directory on its way still is what
 * the walk found: it keeps the change counter (gen.c) each lookup read
 * before it looked, and is served only while they all still hold those
 * values (0: an answer that cannot change, as in the cache).  Only plain
 * walks are kept: no symlink followed, no "..", no reserved name.
 *
 * Per thread, so no locks; a signal handler that walks while the thread
 * it interrupted is writing a slot sees the slot's sequence odd or moved
 * and walks as before.
 *
 * A path relative to the cwd is kept under its own directory part, as the
 * caller wrote it, with the count of chdirs it was walked under (path.c):
 * the next one in that directory then needs neither the cwd nor an
 * absolute path.  Such a memo also knows whether the kernel, from its own
 * cwd, reaches the directory's only layer by that same relative name
 * (kident): then the caller's path is what the kernel is given.
 */
#include <string.h>

#include "ovl.h"

#define MEMO_SLOTS 16 /* an include path's directories, asked in turn */
#define MEMO_KEY 240   /* longest directory path kept */
#define MEMO_TEXT 368  /* a relative key and its rel side by side */
#define MEMO_DEPTH OVL_MEMO_DEPTH

/* An absolute key's rel in its mount is the key's tail (the walk was
 * plain: mount point, "/", rel), so it is not kept twice; a relative key's
 * rel follows it. */
struct memo {
	unsigned seq; /* odd while being written */
	unsigned epoch;
	unsigned cwd; /* 0: the key is absolute; else the cwd it is relative to */
	const struct ovl_mount *m;
	uint64_t hash, mask;
	unsigned short klen, rlen, roff, depth, kident;
	uint64_t h[MEMO_DEPTH], stamp[MEMO_DEPTH];
	char text[MEMO_TEXT];
};

static __thread struct memo memos[MEMO_SLOTS] __attribute__((tls_model("initial-exec")));
static unsigned memo_epoch = 1;

void ovl_memo_reset(void)
{
	__atomic_add_fetch(&memo_epoch, 1, __ATOMIC_RELEASE);
}

/* Cheap to compute (the path's last eight bytes and its length), and
 * different for the sibling directories a walk meets. */
static struct memo *slot_of(const char *dir, size_t len)
{
	uint64_t t = len;

	memcpy(&t, dir + (len >= 8 ? len - 8 : 0), len >= 8 ? 8 : len);
	t = (t ^ len) * 0x9e3779b97f4a7c15ULL;
	return &memos[(t >> 59) % MEMO_SLOTS];
}

static int still_current(const struct memo *e)
{
	const uint64_t *g = ovl_gen_map(e->m);

	for (unsigned i = 0; i < e->depth; i++)
		if (e->stamp[i] && (!g || ovl_gen_name(g, e->h[i]) != e->stamp[i]))
			return 0;
	return 1;
}

/* An absolute key names some directory below a mount point; a relative
 * one may be empty (the cwd itself). */
static int key_fits(size_t len, unsigned cwd)
{
	return len < MEMO_KEY && (len > 0 || cwd);
}

int ovl_memo_get(const char *dir, size_t len, unsigned cwd, struct ovl_memo_walk *w, char *rel)
{
	if (!key_fits(len, cwd))
		return 0;
	struct memo *e = slot_of(dir, len);
	unsigned seq = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if ((seq & 1) || e->klen != len || e->cwd != cwd ||
	    e->epoch != __atomic_load_n(&memo_epoch, __ATOMIC_ACQUIRE) ||
	    memcmp(e->text, dir, len) != 0 || !still_current(e))
		return 0;
	w->m = e->m;
	w->hash = e->hash;
	w->mask = e->mask;
	w->rlen = e->rlen;
	w->kident = e->kident;
	memcpy(rel, e->text + e->roff, e->rlen);
	rel[e->rlen] = '\0';
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&e->seq, __ATOMIC_RELAXED) == seq;
}

void ovl_memo_put(const char *dir, size_t len, unsigned cwd, const struct ovl_memo_walk *w,
		  const char *rel, const struct ovl_memo_chain *chain)
{
	/* where rel is kept: after a relative key, as an absolute key's tail */
	size_t roff = cwd ? len : len - w->rlen;

	if (!key_fits(len, cwd) || chain->depth > MEMO_DEPTH ||
	    (cwd ? len + w->rlen > MEMO_TEXT : w->rlen >= len || memcmp(dir + roff, rel, w->rlen) != 0))
		return;
	struct memo *e = slot_of(dir, len);
	unsigned seq = e->seq;
	if (seq & 1)
		return; /* a signal handler interrupted our own put */
	__atomic_store_n(&e->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	e->epoch = __atomic_load_n(&memo_epoch, __ATOMIC_ACQUIRE);
	e->m = w->m;
	e->hash = w->hash;
	e->mask = w->mask;
	e->rlen = (unsigned short)w->rlen;
	e->klen = (unsigned short)len;
	e->roff = (unsigned short)roff;
	e->cwd = cwd;
	e->kident = (unsigned short)(cwd && w->kident);
	e->depth = (unsigned short)chain->depth;
	memcpy(e->h, chain->h, chain->depth * sizeof *e->h);
	memcpy(e->stamp, chain->stamp, chain->depth * sizeof *e->stamp);
	memcpy(e->text, dir, len);
	if (cwd)
		memcpy(e->text + len, rel, w->rlen);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&e->seq, seq + 2, __ATOMIC_RELAXED);
}
