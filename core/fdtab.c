/*
 * What each descriptor on a virtual directory points at.
 *
 * *at() calls relative to a directory descriptor need its virtual path.
 * /proc/self/fd/N always knows (and serves descriptors inherited across
 * exec), but reading it costs a microsecond; fts-based walkers (find,
 * rm -rf, du) make one such call per entry.  So a directory opened through
 * the library records its virtual path here, and close, dup2 and friends
 * forget it.  A record is trusted only while the change counter of the
 * directory's own name (gen.c) holds the value it had when the record was
 * made: a directory removed (and perhaps made again), or any directory
 * moved (the epoch, part of every counter), makes /proc decide, and
 * ovl_fd_virtual then finds out whether the descriptor is still on a
 * directory of the view.
 *
 * Slots are written under a per-slot sequence count, so a reader (another
 * thread, a signal handler) never takes a half-written path: it falls back
 * to /proc instead of waiting.
 */
#include <string.h>

#include "ovl.h"

#define FD_SLOTS 4096
#define FD_PATH 240

struct slot {
	unsigned seq;         /* odd while being written */
	unsigned short len;
	const struct ovl_mount *m;
	uint64_t stamp;       /* the counter of the directory's name, + 1 */
	char path[FD_PATH];
};

static struct slot slots[FD_SLOTS];

/* 0: no counters, nothing can be trusted */
static uint64_t stamp_of(const struct ovl_mount *m, const char *rel, size_t rlen)
{
	const uint64_t *g = ovl_gen_map(m);
	return g ? ovl_gen_name(g, ovl_gen_hash(rel, rlen)) + 1 : 0;
}

void ovl_fd_forget(int fd)
{
	ovl_follow_forget(fd);
	ovl_flock_forget(fd);
	if (fd < 0 || fd >= FD_SLOTS)
		return;
	struct slot *s = &slots[fd];
	if (__atomic_load_n(&s->len, __ATOMIC_RELAXED) == 0)
		return; /* the common case: nothing recorded, nothing to write */
	__atomic_fetch_add(&s->seq, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&s->len, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->seq, 1, __ATOMIC_RELEASE);
}

/* Write a record for fd (any previous one is replaced).  Not in a vfork
 * child: the table is its parent's memory, while the descriptors it opens
 * are its own (it may forget records: its parent then asks /proc). */
static void record(int fd, const struct ovl_mount *m, uint64_t stamp,
		   const char *path, size_t len)
{
	struct slot *s = &slots[fd];

	if (!ovl_owns_memory()) {
		ovl_fd_forget(fd);
		return;
	}

	__atomic_fetch_add(&s->seq, 1, __ATOMIC_ACQ_REL);
	for (size_t i = 0; i <= len; i++)
		__atomic_store_n(&s->path[i], path[i], __ATOMIC_RELAXED);
	__atomic_store_n(&s->m, m, __ATOMIC_RELAXED);
	__atomic_store_n(&s->stamp, stamp, __ATOMIC_RELAXED);
	__atomic_store_n(&s->len, (unsigned short)len, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->seq, 1, __ATOMIC_RELEASE);
}

void ovl_fd_opened(int fd, const struct ovl_res *r)
{
	char path[FD_PATH];

	ovl_follow_forget(fd);
	if (fd < 0 || fd >= FD_SLOTS)
		return;
	size_t plen = r->m ? r->m->point_len : 0, rlen = strlen(r->rel);
	uint64_t stamp = r->m ? stamp_of(r->m, r->rel, rlen) : 0;
	/* a directory no layer holds (one removed from the view while in
	 * use, lookup.c ghost_dir) has no path to record: its name may
	 * already belong to another */
	if (!r->m || !S_ISDIR(r->type) || r->layer < 0 || !r->mask || !stamp ||
	    plen + 1 + rlen + 1 > FD_PATH) {
		ovl_fd_forget(fd);
		return;
	}
	memcpy(path, r->m->point, plen);
	size_t n = plen;
	if (rlen) {
		path[n++] = '/';
		memcpy(path + n, r->rel, rlen);
		n += rlen;
	}
	path[n] = '\0';
	record(fd, r->m, stamp, path, n);
}

void ovl_fd_copy(int oldfd, int newfd)
{
	char path[FD_PATH];

	ovl_follow_forget(newfd);
	ovl_flock_copy(oldfd, newfd);

	if (newfd < 0 || newfd >= FD_SLOTS)
		return;
	if (!ovl_fd_recorded(oldfd, path, sizeof path)) {
		ovl_fd_forget(newfd);
		return;
	}
	record(newfd, slots[oldfd].m, slots[oldfd].stamp, path, strlen(path));
}

/* The slot's path as it stands, valid or not: 1 with out, *seqp (the
 * slot's sequence count) and *stampp (the slot's stamp) filled, else 0. */
static int slot_read(int fd, char *out, size_t outlen, unsigned *seqp,
		     const struct ovl_mount **mp, uint64_t *stampp)
{
	if (fd < 0 || fd >= FD_SLOTS)
		return 0;
	struct slot *s = &slots[fd];
	unsigned seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	size_t len = __atomic_load_n(&s->len, __ATOMIC_ACQUIRE);

	if ((seq & 1) || len == 0 || len + 1 > outlen || len >= FD_PATH)
		return 0;
	/* acquire loads, so that the second look at seq comes after them
	 * (a writer may be changing the slot while we copy it) */
	*mp = __atomic_load_n(&s->m, __ATOMIC_ACQUIRE);
	*stampp = __atomic_load_n(&s->stamp, __ATOMIC_ACQUIRE);
	for (size_t i = 0; i <= len; i++)
		out[i] = __atomic_load_n(&s->path[i], __ATOMIC_ACQUIRE);
	*seqp = seq;
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq;
}

static uint64_t stamp_of_path(const struct ovl_mount *m, const char *path)
{
	size_t len = strlen(path), skip = m->point_len + (len > m->point_len);
	return stamp_of(m, path + skip, len - skip);
}

int ovl_fd_recorded(int fd, char *out, size_t outlen)
{
	const struct ovl_mount *m;
	uint64_t stamp;
	unsigned seq;

	return slot_read(fd, out, outlen, &seq, &m, &stamp) &&
	       stamp == stamp_of_path(m, out);
}

int ovl_fd_stale(int fd, char *out, size_t outlen, struct ovl_fd_mark *mark)
{
	uint64_t stamp;

	if (!slot_read(fd, out, outlen, &mark->seq, &mark->m, &stamp))
		return 0;
	mark->fd = fd;
	mark->stamp = stamp_of_path(mark->m, out);
	return 1;
}

void ovl_fd_restamp(const struct ovl_fd_mark *mark, const char *path)
{
	struct slot *s = &slots[mark->fd];
	unsigned seq = mark->seq;

	if (!mark->stamp || !ovl_owns_memory())
		return;
	/* only the record that was read: a close or an open since (or a
	 * writer now) moved the count, and their record stands */
	if (!__atomic_compare_exchange_n(&s->seq, &seq, seq + 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	size_t len = strlen(path);
	for (size_t i = 0; i <= len; i++)
		__atomic_store_n(&s->path[i], path[i], __ATOMIC_RELAXED);
	__atomic_store_n(&s->stamp, mark->stamp, __ATOMIC_RELAXED);
	__atomic_store_n(&s->len, (unsigned short)len, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->seq, 1, __ATOMIC_RELEASE);
}
