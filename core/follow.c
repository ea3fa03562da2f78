/*
 * Read-only descriptors of lower files follow their copy-up.
 *
 * On the kernel's overlayfs (since 4.19) a file opened read-only before
 * another descriptor copied it up reads the new data afterwards: the
 * overlay reopens its real file when it finds the inode copied up.  Here a
 * read-only open that lands on a lower file notes the descriptor with the
 * change counter of its name (gen.c); the calls that read through a
 * descriptor (read, pread, readv, lseek, fstat) ask ovl_follow first, which
 * costs one load for an unnoted descriptor and one more for a noted one
 * whose name did not change.  When the counter moved and the name now
 * holds the upper copy of this very file (its recorded origin is the
 * descriptor's inode), the copy is opened with the descriptor's flags and
 * offset and put in its place (dup3), as the kernel's reopen does.
 *
 * Covered: descriptors opened through the library in this process (and
 * its fork children).  Not covered: mmap of the old descriptor (it keeps
 * the pages of the lower file), reads libc makes internally (stdio's
 * fread), descriptors inherited across exec.
 */
#include <string.h>

#include "ovl.h"
#include "sys.h"

#define FOLLOW_PATH 240

struct follow {
	unsigned seq;       /* odd while being written */
	unsigned short len; /* of path; 0: no note */
	const struct ovl_mount *m;
	uint64_t hash;      /* ovl_gen_hash of the rel */
	uint64_t stamp;     /* the name's counter when noted */
	char path[FOLLOW_PATH]; /* the virtual path */
};

unsigned char ovl_follow_mark[OVL_FOLLOW_SLOTS];
static struct follow notes[OVL_FOLLOW_SLOTS];

/* Notes live in memory a vfork child shares with its parent, whose
 * descriptors they describe: the child (closing every descriptor before
 * its exec, as Python's subprocess does) leaves them alone. */
void ovl_follow_forget(int fd)
{
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS || !__atomic_load_n(&ovl_follow_mark[fd], __ATOMIC_RELAXED) ||
	    !ovl_owns_memory())
		return;
	struct follow *f = &notes[fd];
	__atomic_fetch_add(&f->seq, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&ovl_follow_mark[fd], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->len, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&f->seq, 1, __ATOMIC_RELEASE);
}

void ovl_follow_opened(int fd, int oflags, const struct ovl_res *r)
{
	ovl_follow_forget(fd);
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS || !r->m || r->layer <= 0 || !S_ISREG(r->type) ||
	    (oflags & O_ACCMODE) != O_RDONLY || (oflags & (O_TRUNC | O_PATH)) ||
	    !ovl_owns_memory())
		return;
	const uint64_t *g = ovl_gen_map(r->m);
	size_t plen = r->m->point_len, rlen = strlen(r->rel);
	if (!g || plen + 1 + rlen + 1 > FOLLOW_PATH)
		return; /* no counters to notice a change by, or too long to note */
	uint64_t h = ovl_gen_hash(r->rel, rlen);
	struct follow *f = &notes[fd];
	__atomic_fetch_add(&f->seq, 1, __ATOMIC_ACQ_REL);
	for (size_t i = 0; i < plen; i++)
		__atomic_store_n(&f->path[i], r->m->point[i], __ATOMIC_RELAXED);
	__atomic_store_n(&f->path[plen], '/', __ATOMIC_RELAXED);
	for (size_t i = 0; i <= rlen; i++)
		__atomic_store_n(&f->path[plen + 1 + i], r->rel[i], __ATOMIC_RELAXED);
	__atomic_store_n(&f->m, r->m, __ATOMIC_RELAXED);
	__atomic_store_n(&f->hash, h, __ATOMIC_RELAXED);
	__atomic_store_n(&f->stamp, ovl_gen_name(g, h), __ATOMIC_RELAXED);
	__atomic_store_n(&f->len, (unsigned short)(plen + 1 + rlen), __ATOMIC_RELAXED);
	__atomic_store_n(&ovl_follow_mark[fd], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&f->seq, 1, __ATOMIC_RELEASE);
}

/* Put the upper copy at real in the place of fd, with fd's access mode,
 * status flags, offset and close-on-exec flag.  A directory moves only
 * while no listing through it is under way (offset 0: the shim's listings
 * leave the offset at the entry they reached).  The old description lives
 * on for flock (filelock.c): a lock it holds stays held; the process's
 * record locks are taken again on the copy first.  Where any of this
 * cannot be done fd stays on the lower object. */
void ovl_fd_move_onto(int fd, const char *real, int dir)
{
	long fl = sys_fcntl(fd, F_GETFL, 0), fdfl = sys_fcntl(fd, F_GETFD, 0);
	off_t off = sys_lseek(fd, 0, SEEK_CUR);

	if (fl < 0 || fdfl < 0 || (fl & O_PATH) || (dir && off != 0))
		return;
	int nfd = sys_openat(AT_FDCWD, real, (int)(fl & ~(O_CREAT | O_EXCL | O_TRUNC)) |
				     O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | (dir ? O_DIRECTORY : 0), 0);
	if (nfd < 0)
		return;
	int old = (int)sys_fcntl(fd, F_DUPFD_CLOEXEC, 0);
	int carried = old < 0 || dir ? 0 : ovl_fcntl_carry(fd, nfd);
	if (old >= 0 && carried >= 0 && (off < 0 || sys_lseek(nfd, off, SEEK_SET) == off) &&
	    sys_dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) >= 0) {
		ovl_flock_keep(fd, old);
		if (carried)
			ovl_fcntl_keep(fd, nfd); /* its close would drop them again */
		else
			sys_close(nfd);
		return;
	}
	if (old >= 0)
		sys_close(old);
	sys_close(nfd);
}

void ovl_follow_check(int fd)
{
	struct follow *f = &notes[fd];
	char path[FOLLOW_PATH];
	unsigned seq = __atomic_load_n(&f->seq, __ATOMIC_ACQUIRE);
	size_t len = __atomic_load_n(&f->len, __ATOMIC_ACQUIRE);

	if ((seq & 1) || len == 0 || len >= FOLLOW_PATH)
		return;
	const struct ovl_mount *m = __atomic_load_n(&f->m, __ATOMIC_ACQUIRE);
	uint64_t h = __atomic_load_n(&f->hash, __ATOMIC_ACQUIRE);
	uint64_t stamp = __atomic_load_n(&f->stamp, __ATOMIC_ACQUIRE);
	const uint64_t *g = ovl_gen_map(m);
	if (!g || ovl_gen_name(g, h) == stamp)
		return; /* the name did not change: the common case */
	for (size_t i = 0; i <= len; i++)
		path[i] = __atomic_load_n(&f->path[i], __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&f->seq, __ATOMIC_RELAXED) != seq)
		return; /* noted again meanwhile */

	struct ovl_res r;
	struct stat st;
	uint64_t now = ovl_gen_name(g, h);
	int rc = ovl_resolve(AT_FDCWD, path, OVL_NOFOLLOW, &r);
	if (rc == 0 && r.m && r.layer > 0 && S_ISREG(r.type)) {
		/* still in its lower: a change elsewhere moved the counter */
		__atomic_compare_exchange_n(&f->stamp, &stamp, now, 0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
		return;
	}
	/* copied up, if the name holds an upper file whose origin is the
	 * file fd reads; else removed or replaced, and fd keeps the file
	 * it has, as on the kernel */
	if (rc == 0 && r.m && r.layer == 0 && S_ISREG(r.type) && sys_fstat(fd, &st) == 0 &&
	    ovl_origin(&r) == (uint64_t)st.st_ino &&
	    __atomic_load_n(&f->seq, __ATOMIC_ACQUIRE) == seq)
		ovl_fd_move_onto(fd, r.real, 0);
	ovl_follow_forget(fd);
}
