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
 * A record lock belongs to the process and the inode, and any close of the
 * inode's file drops all the process's record locks on it.  So the copy a
 * lower descriptor looked at stays open as long as that descriptor (a
 * close would drop the locks the process holds on the copy through other
 * descriptors), an unlock applies to both files, and a descriptor that
 * follows its copy-up (whose dup3 closes the lower file) first takes the
 * process's record locks on the lower file again on the copy, read from
 * /proc/locks (only in a process that has taken a record lock).
 *
 * Not covered: an upper copy renamed since its copy-up (its origin is no
 * longer at its name: it locks itself); a descriptor inherited across exec
 * (the kept descriptor is closed there, and with it a flock held only
 * through it); lockf, which glibc makes with its own internal fcntl.
 */
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "ovl.h"
#include "sys.h"

/* Descriptors kept beside each descriptor, + 1 (0: none).  kept: what
 * flock acts on (the origin of an upper copy, or the description fd had
 * before it followed its copy-up); seen: the upper copy a lower descriptor
 * looked at for record locks. */
static int kept[OVL_FOLLOW_SLOTS], seen[OVL_FOLLOW_SLOTS];
/* Set once this process takes a record lock: before, no lock can need
 * carrying over to a copy. */
static int record_locks;

static void slot_put(int *tab, int fd, int d)
{
	int prev = __atomic_exchange_n(&tab[fd], d + 1, __ATOMIC_ACQ_REL);
	if (prev > 0)
		sys_close(prev - 1);
}

/* a vfork child's descriptors are copies: the tables are its parent's */
static void slot_drop(int *tab, int fd)
{
	if (!__atomic_load_n(&tab[fd], __ATOMIC_RELAXED) || !ovl_owns_memory())
		return;
	int prev = __atomic_exchange_n(&tab[fd], 0, __ATOMIC_ACQ_REL);
	if (prev > 0)
		sys_close(prev - 1);
}

void ovl_flock_keep(int fd, int old)
{
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS)
		sys_close(old);
	else
		slot_put(kept, fd, old);
}

void ovl_flock_forget(int fd)
{
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS)
		return;
	slot_drop(kept, fd);
	slot_drop(seen, fd);
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
	char real[OVL_PATH_MAX], virt[OVL_PATH_MAX];

	long n = ovl_fd_readlink(fd, real, sizeof real);
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
 * *own: it is kept beside fd, not to be closed.  A copy once seen stays
 * fd's other file even when the name changes later: it is what the
 * kernel's inode became. */
static int open_other(int fd, int *own)
{
	struct stat st;
	struct ovl_res r;

	*own = 1;
	if (fd < 0 || fd >= OVL_FOLLOW_SLOTS)
		return -1;
	int t = ovl_flock_target(fd);
	if (t != fd)
		return t;
	int k = __atomic_load_n(&seen[fd], __ATOMIC_ACQUIRE);
	if (k > 0)
		return k - 1;
	if (sys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || view_of(fd, &r) < 0 ||
	    r.layer != 0 || !S_ISREG(r.type) || ovl_origin(&r) != (uint64_t)st.st_ino)
		return -1; /* not a lower file copied up since */
	int o = sys_openat(AT_FDCWD, r.real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	int expect = 0;
	if (o < 0 || !ovl_owns_memory() ||
	    !__atomic_compare_exchange_n(&seen[fd], &expect, o + 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		*own = 0;
	return o;
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

/* An unlock of the process's record locks reaches them on both files. */
static void unlock_other(int fd, const struct flock *fl)
{
	int own, o = open_other(fd, &own);
	struct flock range = *fl;

	if (o < 0)
		return;
	if (absolute_range(fd, &range) == 0)
		sys_fcntl(o, F_SETLK, (long)&range);
	if (!own)
		sys_close(o);
}

int ovl_fcntl_lock(int fd, int cmd, struct flock *fl)
{
	int ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
	struct flock found;

	if (!fl)
		return OVL_PASS;
	if (fl->l_type == F_UNLCK) {
		if (!ofd && cmd != F_GETLK)
			unlock_other(fd, fl);
		return OVL_PASS;
	}
	if (!ofd && cmd != F_GETLK)
		__atomic_store_n(&record_locks, 1, __ATOMIC_RELAXED);
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

/* The next field of a /proc/locks line after *p, as a number in base
 * (EOF: -1); *p moves past it. */
static long long locks_field(const char **p, int base)
{
	const char *s = *p;
	long long v = 0;

	while (*s == ' ' || *s == ':')
		s++;
	if (strncmp(s, "EOF", 3) == 0) {
		*p = s + 3;
		return -1;
	}
	for (;; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' :
			*s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0 || d >= base)
			break;
		v = v * base + d;
	}
	*p = s;
	return v;
}

/* One line of /proc/locks ("1: POSIX  ADVISORY  READ 2699 fe:00:10952911
 * 2 6"): a record lock of pid on st's inode is taken again on nfd. */
static int carry_line(const char *line, int pid, const struct stat *st, int nfd)
{
	const char *p = strstr(line, ": POSIX ");
	const char *type = p ? strstr(p, "ADVISORY ") : NULL;

	if (!type || strstr(line, "->"))
		return 0; /* another kind, or a waiter */
	type += strlen("ADVISORY ");
	while (*type == ' ')
		type++;
	short t = strncmp(type, "READ", 4) == 0 ? F_RDLCK : F_WRLCK;
	p = type + (t == F_RDLCK ? 4 : 5);
	long long lpid = locks_field(&p, 10), maj = locks_field(&p, 16),
		  min = locks_field(&p, 16), ino = locks_field(&p, 10),
		  start = locks_field(&p, 10), end = locks_field(&p, 10);
	if (lpid != pid || maj != major(st->st_dev) || min != minor(st->st_dev) ||
	    ino != (long long)st->st_ino || start < 0)
		return 0;
	struct flock fl = { .l_type = t, .l_whence = SEEK_SET, .l_start = start,
			    .l_len = end < 0 ? 0 : end - start + 1 };
	return sys_fcntl(nfd, F_SETLK, (long)&fl) == 0 ? 1 : -1;
}

void ovl_fcntl_keep(int fd, int nfd)
{
	if (fd >= 0 && fd < OVL_FOLLOW_SLOTS && ovl_owns_memory())
		slot_put(seen, fd, nfd);
	else
		sys_close(nfd);
}

int ovl_fcntl_carry(int fd, int nfd)
{
	char buf[4096];
	struct stat st;
	size_t have = 0;
	int carried = 0;
	long n;

	if (!__atomic_load_n(&record_locks, __ATOMIC_RELAXED))
		return 0;
	int lf = sys_fstat(fd, &st) < 0 ? -1 :
		 sys_openat(AT_FDCWD, "/proc/locks", O_RDONLY | O_CLOEXEC, 0);
	if (lf < 0)
		return -1;
	int pid = sys_getpid();
	/* each lock taken shifts the listing by one: a line can come twice,
	 * and taking a lock twice is harmless */
	while ((n = sys_read(lf, buf + have, sizeof buf - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf, *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			int c = carry_line(line, pid, &st, nfd);
			carried = carried < 0 || c < 0 ? -1 : carried + c;
			line = nl + 1;
		}
		have = strlen(line);
		memmove(buf, line, have + 1);
		if (have == sizeof buf - 1)
			have = 0; /* no line is this long: drop it */
	}
	sys_close(lf);
	return carried;
}
