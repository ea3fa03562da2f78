/*
 * getdents64 on a descriptor of a directory in a mount: the merged listing,
 * not the one layer directory the descriptor is open on.  gnulib, Rust
 * crates and others read directories with the raw call (through glibc's
 * getdents64, getdirentries, or syscall(SYS_getdents64)).
 *
 * Behaviour:
 * - the entries are core's merged listing (each visible name once, "." and
 *   ".." first, accurate d_type, no whiteouts or internal names), laid out
 *   as the kernel lays them out;
 * - the position is the descriptor's own file offset: entry k has d_off
 *   k + 1, and lseek(fd, d_off, SEEK_SET) resumes after it, as the offset a
 *   kernel hands out does; lseek(fd, 0, SEEK_SET) starts again.  Duplicated
 *   descriptors share it, as they share the kernel's;
 * - the listing is taken when a descriptor reads from offset 0 and kept
 *   until it closes (or reads from 0 again), so names removed or added
 *   meanwhile neither shift nor repeat the others (rm -rf loops that delete
 *   as they read).  A descriptor whose offset moved by other means than
 *   ours gets a new listing read from that index;
 * - a buffer too small for the next entry: EINVAL, as the kernel;
 * - a descriptor whose directory is gone from the view reads as empty, as
 *   a removed directory does;
 * - anything not a directory of a mount goes to the kernel as it is.
 *
 * The listings are kept in a table indexed by descriptor (below 1024; a
 * higher one gets a fresh listing at every call, read from its offset).
 * Slots are taken and put back with atomic exchanges: no lock, nothing to
 * repair after fork.
 */
#include "shim.h"

#include <stddef.h>
#include <string.h>

#include "sys.h"

#define SHIM_SNAPS 1024

struct shim_snap {
	dev_t dev;
	ino_t ino;
	off_t pos;            /* the offset we left the descriptor at */
	struct ovl_dir *list;
};

static struct shim_snap *shim_snaps[SHIM_SNAPS];

static void shim_snap_free(struct shim_snap *s)
{
	if (s) {
		ovl_dir_free(s->list);
		free(s);
	}
}

void shim_dents_forget(int fd)
{
	if (fd < 0 || fd >= SHIM_SNAPS ||
	    !__atomic_load_n(&shim_snaps[fd], __ATOMIC_RELAXED))
		return;
	shim_snap_free(__atomic_exchange_n(&shim_snaps[fd], NULL, __ATOMIC_ACQ_REL));
}

/* A new listing of the directory fd is open on (stat st).  OVL_PASS when
 * it is not in a mount; 0 with *sp set (NULL list: gone, reads empty); or
 * -errno. */
static int shim_snap_new(int fd, const struct stat *st, struct shim_snap **sp)
{
	struct shim_snap *s;
	struct ovl_dir *list;
	int rc = ovl_fd_dir_read(fd, &list);

	if (rc != 0)
		return rc;
	if (!(s = calloc(1, sizeof *s))) {
		ovl_dir_free(list);
		return -ENOMEM;
	}
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->list = list;
	*sp = s;
	return 0;
}

int shim_dents(int fd, void *buf, size_t n, int old, long *out)
{
	struct shim_snap *s = NULL;
	struct stat st;
	off_t pos;
	int rc;

	if (!shim_on())
		return OVL_PASS;
	/* the kernel's own answers for what is no readable directory */
	if (sys_fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    (pos = sys_lseek(fd, 0, SEEK_CUR)) < 0)
		return OVL_PASS;
	if (fd >= 0 && fd < SHIM_SNAPS &&
	    __atomic_load_n(&shim_snaps[fd], __ATOMIC_RELAXED))
		s = __atomic_exchange_n(&shim_snaps[fd], NULL, __ATOMIC_ACQ_REL);
	if (s && (pos == 0 || s->pos != pos || s->dev != st.st_dev || s->ino != st.st_ino)) {
		shim_snap_free(s);
		s = NULL;
	}
	if (!s && (rc = shim_snap_new(fd, &st, &s)) != 0) {
		if (rc < 0)
			*out = rc;
		return rc < 0 ? 0 : rc;
	}
	size_t k = (size_t)pos;
	*out = ovl_dir_fill(s->list, &k, buf, n, old);
	if (*out >= 0) {
		sys_lseek(fd, (off_t)k, SEEK_SET);
		s->pos = (off_t)k;
	}
	if (fd < 0 || fd >= SHIM_SNAPS ||
	    !__atomic_compare_exchange_n(&shim_snaps[fd], &(struct shim_snap *){ NULL }, s,
					 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		shim_snap_free(s);
	return 0;
}

OVL_EXPORT ssize_t getdents64(int fd, void *buf, size_t n)
{
	long v;

	if (shim_dents(fd, buf, n, 0, &v) == OVL_PASS)
		return SHIM_NEXT(getdents64)(fd, buf, n);
	if (v < 0) {
		errno = (int)-v;
		return -1;
	}
	return v;
}

/* glibc's: the offset before the read, then getdents64. */
#define SHIM_GETDIRENTRIES(name, off_t_)                                     \
	OVL_EXPORT ssize_t name(int fd, char *buf, size_t n, off_t_ *basep)  \
	{                                                                    \
		off_t_ base;                                                 \
		ssize_t v;                                                   \
		if (!shim_on())                                              \
			return SHIM_NEXT(name)(fd, buf, n, basep);           \
		base = lseek(fd, 0, SEEK_CUR);                               \
		v = getdents64(fd, buf, n);                                  \
		if (v != -1)                                                 \
			*basep = base;                                       \
		return v;                                                    \
	}

SHIM_GETDIRENTRIES(getdirentries, off_t)
SHIM_GETDIRENTRIES(getdirentries64, off64_t)
