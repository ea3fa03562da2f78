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
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ovl.h"
#include "sys.h"

#define GEN_BYTES OVL_GEN_BYTES

/* Space for the counters.  A MAP_SHARED page that the file system never
 * allocated is allocated when it is first written through the map; on a
 * full file system that write gets SIGBUS, the process dies (exit 135)
 * wherever it happens to bump or read a counter.  So nothing is mapped
 * before every byte of it is reserved: the file is born complete under a
 * temporary name, and a file found short or with holes (an older library
 * extended it with ftruncate, someone truncated it) is reserved with
 * fallocate by whoever sees it so, before it maps it.  fallocate of what is
 * already allocated changes nothing, so racing reservers agree; when it
 * cannot be done (ENOSPC, EROFS, a file system without fallocate) the
 * process runs without the cache (m->gen NULL), never with a map that may
 * fault. */
static long sys_fallocate(int fd, int mode, off_t off, off_t len)
{
	return OVL_SC(SYS_fallocate, fd, mode, off, len, 0, 0);
}

/* 1 when the file is at least GEN_BYTES long and has a block for every
 * byte (so none of the counters is a hole), 0 when it may not, -1 when it
 * is no regular file.  SEEK_HOLE cannot tell: ext4 reports fallocated
 * (unwritten) extents as holes. */
static int complete(int fd)
{
	struct stat st;

	if (sys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (size_t)st.st_size >= GEN_BYTES &&
	       (uint64_t)st.st_blocks * 512 >= ((uint64_t)st.st_size + 511) / 512 * 512;
}

/* A fresh epoch: answers cached against counters that were lost (the file
 * truncated and extended again under a live process's map, which then
 * reads zeros) can never match the new ones by chance. */
static void new_epoch(int fd)
{
	uint64_t e = 0;

	if (OVL_SC(SYS_getrandom, &e, sizeof e, 1 /* GRND_NONBLOCK */, 0, 0, 0) != sizeof e) {
		struct stat st;
		sys_fstat(fd, &st);
		e = (uint64_t)st.st_ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)st.st_ctim.tv_nsec ^
		    ((uint64_t)sys_getpid() << 20);
	}
	e = (e >> 40) | 1; /* only what read_slot keeps of it; not 0 */
	sys_pwrite(fd, &e, sizeof e, 0);
}

/* Reserve the counters of an open file; 0 or -errno.  A file system
 * without fallocate gets zeros written, but only into a file nobody else
 * can have mapped yet (fresh): zeros written over a live counter would
 * bring an old value back. */
static int reserve(int fd, int fresh)
{
	static const char zero[4096];
	long rc = sys_fallocate(fd, 0, 0, GEN_BYTES);

	if ((rc == -EOPNOTSUPP || rc == -ENOSYS) && fresh) {
		for (off_t off = 0; off < (off_t)GEN_BYTES; off += rc) {
			rc = sys_pwrite(fd, zero, sizeof zero, off);
			if (rc <= 0)
				return rc < 0 ? (int)rc : -ENOSPC;
		}
		rc = 0;
	}
	if (rc < 0)
		return (int)rc;
	new_epoch(fd);
	return 0;
}

/* btrfs and other copy-on-write file systems allocate anew at each write
 * through the map: ask for in-place writes while the file is empty (a
 * no-op, or refused, elsewhere). */
static void no_cow(int fd)
{
	int fl = 0;

	if (sys_ioctl(fd, FS_IOC_GETFLAGS, (long)&fl) == 0 && !(fl & FS_NOCOW_FL)) {
		fl |= FS_NOCOW_FL;
		sys_ioctl(fd, FS_IOC_SETFLAGS, (long)&fl);
	}
}

/* Make the file at p, complete, in one step: written under a temporary
 * name beside it, then renamed into place unless another process was
 * first (then theirs is used).  Creating the file is not a change anyone
 * made to the view: the upper root keeps its times. */
static int create_file(const char *root, const char *p)
{
	char tmp[OVL_PATH_MAX];
	struct stat st;
	int fd, rc, have = sys_lstat(root, &st) == 0;

	if ((rc = ovl_temp_name(p, "gen", tmp, sizeof tmp)) < 0)
		return rc;
	fd = sys_openat(AT_FDCWD, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fd;
	no_cow(fd);
	rc = reserve(fd, 1);
	if (rc == 0) {
		rc = sys_renameat2(AT_FDCWD, tmp, AT_FDCWD, p, RENAME_NOREPLACE);
		if (rc == -EINVAL || rc == -ENOSYS) /* no renameat2 flags here */
			rc = sys_linkat(AT_FDCWD, tmp, AT_FDCWD, p, 0);
	}
	if (rc < 0) {
		sys_unlinkat(AT_FDCWD, tmp, 0);
		sys_close(fd);
		fd = rc == -EEXIST ? sys_openat(AT_FDCWD, p, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0) : rc;
	} else if (sys_lstat(tmp, &(struct stat){ 0 }) == 0) {
		sys_unlinkat(AT_FDCWD, tmp, 0); /* published by link */
	}
	if (have) {
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		sys_utimensat(AT_FDCWD, root, ts, 0);
	}
	return fd;
}

/* Open the counter file for writing.  It is the library's own: a mode
 * that shuts its owner out (chmod 000) is put back. */
static int open_file(const char *root, const char *p, int create)
{
	int fd = sys_openat(AT_FDCWD, p, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);

	if (fd == -EACCES && sys_fchmodat(AT_FDCWD, p, 0600) == 0)
		fd = sys_openat(AT_FDCWD, p, O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0);
	if (fd == -ENOENT && create)
		fd = create_file(root, p);
	return fd;
}

/* Map the counters, creating the file if needed.  Every process creates
 * it at start, even one that will only read: a reader without counters
 * could cache nothing that depends on the upper, and the root of every
 * mount does.  The file is internal (hidden from the view, skipped by the
 * tools that read an upper), so the view stays as it was. */
static uint64_t *attach(const struct ovl_mount *m, int create)
{
	char p[OVL_PATH_MAX];
	void *map;
	int fd, n, ok;

	n = snprintf(p, sizeof p, "%s/" OVL_GEN_FILE, m->layers[0].root);
	if (n < 0 || (size_t)n >= sizeof p)
		return NULL;
	fd = open_file(m->layers[0].root, p, create);
	if (fd < 0)
		return NULL;
	/* fallocate of what is allocated already changes nothing: whoever
	 * sees the file incomplete reserves it, racing reservers agree */
	ok = complete(fd);
	if (ok == 0)
		ok = reserve(fd, 0) == 0;
	if (ok != 1) {
		sys_close(fd);
		return NULL;
	}
	map = sys_mmap(NULL, GEN_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sys_close(fd);
	return (unsigned long)map > -4096UL ? NULL : map;
}

/* The counters; a process maps them when it first needs them (one that
 * never enters the mount never opens the file), and one that could not
 * map them then (the upper was not writable) tries again when it writes.
 * Two threads may both map them: the loser unmaps its copy. */
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

const uint64_t *ovl_gen_map_first(const struct ovl_mount *m)
{
	int tried = 0;

	/* one try a process; a reader that loses the race goes uncached */
	if (!__atomic_compare_exchange_n((int *)&m->gen_tried, &tried, 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return __atomic_load_n(&m->gen, __ATOMIC_ACQUIRE);
	return writable(m);
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

static int changed; /* this process (or its parent before a fork) changed a tree */

int ovl_gen_changed(void)
{
	return __atomic_load_n(&changed, __ATOMIC_RELAXED);
}

/* The directory first, then the name: a listing that saw the directory's
 * counter unchanged across its reading cannot have met a change whose name
 * counter was bumped before it read that (see readdir.c). */
void ovl_gen_bump(const struct ovl_mount *m, const char *rel)
{
	uint64_t *g = writable(m);
	size_t n = 0, len = strlen(rel);

	__atomic_store_n(&changed, 1, __ATOMIC_RELAXED);
	if (!g)
		return;
	for (size_t i = 0; i < len; i++)
		if (rel[i] == '/')
			n = i;
	bump_slot(g, dir_hash(rel, n));
	bump_slot(g, ovl_gen_hash(rel, len));
}

uint32_t *ovl_gen_lock_word(const struct ovl_mount *m, uint64_t h)
{
	uint64_t *g = writable(m);

	if (!g)
		return NULL;
	return (uint32_t *)(g + OVL_GEN_SLOTS) + h % OVL_LOCK_SLOTS;
}

void ovl_gen_bump_all(const struct ovl_mount *m)
{
	uint64_t *g = writable(m);

	if (g)
		__atomic_fetch_add(&g[0], 1, __ATOMIC_ACQ_REL);
}
