/*
 * Locks programs take on files (flock, fcntl) across a copy-up.
 *
 * On the kernel's overlayfs a lock belongs to the overlay's inode, which a
 * copy-up does not change: a lock taken through a descriptor opened before
 * the copy-up still excludes lockers that opened the file after it.  Here
 * the two descriptors are on two host files, the lower one and its upper
 * copy.  So the lower file stays the lock's object: flock through a
 * descriptor of an upper copy acts on a descriptor of its origin (the lower
 * file at the same name whose inode the copy records, lookup.c), opened
 * once and kept beside it, and a descriptor that follows a copy-up
 * (follow.c) keeps its old description there, with whatever lock it held.
 *
 * fcntl's record locks (F_SETLK, F_SETLKW, F_GETLK and the F_OFD_ ones)
 * cannot move so: a write lock needs a descriptor open for writing, which
 * the lower does not give.  They are taken where the descriptor is, after
 * a look at the other file (the origin of an upper copy, the copy of a
 * lower file) for a conflicting lock: F_SETLK fails with EAGAIN,
 * F_SETLKW waits until it is gone, F_GETLK reports it.  Two lockers
 * testing at the same instant can both pass (the look and the lock are
 * two steps).
 *
 * Not covered: an upper copy renamed since its copy-up (its origin is no
 * longer at its name: it locks itself); a descriptor inherited across exec
 * (the kept descriptor is closed there, and with it a flock held only
 * through it); lockf, which glibc makes with its own internal fcntl.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ovl.h"
#include "sys.h"

/* The kept descriptor of each descriptor, + 1 (0: none). */
static int kept[OVL_FOLLOW_SLOTS];

void ovl_flock_keep(int fd, int old)
{
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS) {
		sys_close(old);
		return;
	}
	int prev = __atomic_exchange_n(&kept[fd], old + 1, __ATOMIC_ACQ_REL);
	if (prev > 0)
		sys_close(prev - 1);
}

void ovl_flock_forget(int fd)
{
	/* a vfork child's descriptors are copies: the table is its parent's */
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS || !__atomic_load_n(&kept[fd], __ATOMIC_RELAXED) ||
	    !ovl_owns_memory())
		return;
	int prev = __atomic_exchange_n(&kept[fd], 0, __ATOMIC_ACQ_REL);
	if (prev > 0)
		sys_close(prev - 1);
}

void ovl_flock_copy(int oldfd, int newfd)
{
	ovl_flock_forget(newfd);
	if (oldfd < 0 || oldfd >= OVL_FOLLOW_SLOTS || newfd < 0 || newfd >= OVL_FOLLOW_SLOTS)
		return;
	int k = __atomic_load_n(&kept[oldfd], __ATOMIC_ACQUIRE);
	if (k <= 0 || !ovl_owns_memory())
		return;
	/* a copy shares the description, and so the lock: the same kept one */
	int d = (int)sys_fcntl(k - 1, F_DUPFD_CLOEXEC, 0);
	if (d >= 0)
		ovl_flock_keep(newfd, d);
}

/* What the view shows at the name of the file fd is open on: 0 with r
 * filled, or -1. */
static int view_of(int fd, struct ovl_res *r)
{
	char proc[40], real[OVL_PATH_MAX], virt[OVL_PATH_MAX];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	long n = sys_readlinkat(AT_FDCWD, proc, real, sizeof real - 1);
	if (n <= 0 || (size_t)n >= sizeof real - 1)
		return -1;
	real[n] = '\0';
	if (ovl_virtual_of(real, virt, sizeof virt) != 0 ||
	    ovl_resolve(AT_FDCWD, virt, OVL_NOFOLLOW, r) != 0 || !r->m || r->layer < 0)
		return -1;
	return 0;
}

/* A descriptor of the lower file whose copy fd is on, or -1. */
static int open_origin(int fd)
{
	char real[OVL_PATH_MAX];
	struct stat st, lst;
	struct ovl_res r;

	if (sys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	uint64_t origin = ovl_fd_origin(fd, st.st_dev);
	if (!origin || view_of(fd, &r) < 0)
		return -1;
	for (int l = 1; l < r.m->nlayers; l++) {
		if (ovl_real_in(r.m, l, r.rel, real, sizeof real) < 0 ||
		    sys_lstat(real, &lst) < 0)
			continue;
		if (S_ISREG(lst.st_mode) && (uint64_t)lst.st_ino == origin)
			return sys_openat(AT_FDCWD, real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	}
	return -1;
}

int ovl_flock_target(int fd)
{
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS)
		return fd;
	int k = __atomic_load_n(&kept[fd], __ATOMIC_ACQUIRE);
	if (k > 0)
		return k - 1;
	int o = open_origin(fd);
	if (o < 0)
		return fd;
	int expect = 0;
	if (!__atomic_compare_exchange_n(&kept[fd], &expect, o + 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		sys_close(o); /* another thread kept one first */
		return expect - 1;
	}
	return o;
}

/* A descriptor of the other host file of the overlay file fd is on: the
 * origin of an upper copy, or the upper copy of a lower file; -1 if none.
 * *own: it is the kept descriptor, not to be closed. */
static int open_other(int fd, int *own)
{
	struct stat st;
	struct ovl_res r;

	*own = 0;
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS)
		return -1;
	int t = ovl_flock_target(fd);
	if (t != fd) {
		*own = 1;
		return t;
	}
	if (sys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || view_of(fd, &r) < 0 ||
	    r.layer != 0 || !S_ISREG(r.type) || ovl_origin(&r) != (uint64_t)st.st_ino)
		return -1; /* not a lower file copied up since */
	return sys_openat(AT_FDCWD, r.real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
}

/* fl as an absolute range: SEEK_CUR and SEEK_END mean fd's offset and size,
 * not the other file's. */
static int absolute_range(int fd, struct flock *fl)
{
	struct stat st;
	off_t base = 0;

	if (fl->l_whence == SEEK_CUR)
		base = sys_lseek(fd, 0, SEEK_CUR);
	else if (fl->l_whence == SEEK_END)
		base = sys_fstat(fd, &st) < 0 ? -1 : st.st_size;
	if (base < 0)
		return -1;
	fl->l_start += base;
	fl->l_whence = SEEK_SET;
	return 0;
}

/* Someone else's lock on the other file that conflicts with fl: 1 with
 * *found describing it, 0 for none. */
static int other_conflict(int fd, int ofd_cmd, const struct flock *fl, struct flock *found)
{
	int own, o = open_other(fd, &own);

	if (o < 0)
		return 0;
	*found = *fl;
	int rc = absolute_range(fd, found) < 0 ? -1 :
		 (int)sys_fcntl(o, ofd_cmd ? F_OFD_GETLK : F_GETLK, (long)found);
	if (!own)
		sys_close(o);
	return rc == 0 && found->l_type != F_UNLCK;
}

int ovl_fcntl_lock(int fd, int cmd, struct flock *fl)
{
	int ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
	struct flock found;

	if (!fl || fl->l_type == F_UNLCK)
		return OVL_PASS;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (other_conflict(fd, ofd, fl, &found)) {
			*fl = found;
			return 0;
		}
		return OVL_PASS;
	}
	while (other_conflict(fd, ofd, fl, &found)) {
		if (cmd == F_SETLK || cmd == F_OFD_SETLK)
			return -EAGAIN;
		/* F_SETLKW: the other file's holder has no way to wake us */
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		if (OVL_SC(SYS_nanosleep, &ts, 0, 0, 0, 0, 0) == -EINTR)
			return -EINTR;
	}
	return OVL_PASS;
}
