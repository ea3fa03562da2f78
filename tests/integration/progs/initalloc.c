/*
 * A minimal allocator that, like jemalloc, opens files while it initialises
 * (on its first malloc: readlink of /etc/malloc.conf, open and read of a
 * /proc file, stat, access), and that exits with status 99 and a message
 * when it is re-entered meanwhile, instead of deadlocking as jemalloc does
 * on its init lock (t_alloc.sh).  Preloaded after liboverlay.so, so that
 * its constructor (which allocates) runs before the library's.
 *
 *   cc -shared -fPIC -o initalloc.so initalloc.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARENA (256u << 20)
static char arena[ARENA] __attribute__((aligned(64)));
static size_t used;
static int state; /* 0: not yet, 1: initialising, 2: ready */

static void die(const char *what)
{
	static const char msg[] = "initalloc: re-entered during the allocator's initialisation: ";
	(void)!write(2, msg, sizeof msg - 1);
	(void)!write(2, what, strlen(what));
	(void)!write(2, "\n", 1);
	_exit(99);
}

static void init(void)
{
	char buf[256];
	struct stat st;
	int fd;

	state = 1;
	(void)readlink("/etc/malloc.conf", buf, sizeof buf);
	fd = open("/proc/sys/vm/overcommit_memory", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!read(fd, buf, sizeof buf);
		close(fd);
	}
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	(void)stat("/sys/kernel/mm/transparent_hugepage/enabled", &st);
	(void)access("/etc/malloc.conf", R_OK);
	state = 2;
}

/* Blocks of 16-byte granules with their size just before them. */
static void *take(size_t n, size_t align, const char *who)
{
	size_t off, old;

	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 1)
		die(who);
	if (!__atomic_load_n(&state, __ATOMIC_ACQUIRE))
		init();
	if (align < 16)
		align = 16;
	old = __atomic_load_n(&used, __ATOMIC_RELAXED);
	do {
		off = (old + 16 + align - 1) & ~(align - 1);
		if (off + n > ARENA) {
			errno = ENOMEM;
			return NULL;
		}
	} while (!__atomic_compare_exchange_n(&used, &old, off + n, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*(size_t *)(arena + off - sizeof(size_t)) = n;
	return arena + off;
}

void *malloc(size_t n) { return take(n, 16, "malloc"); }
void free(void *p) { (void)p; }

void *calloc(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		return NULL;
	return take(a * b, 16, "calloc"); /* the arena is zero and never reused */
}

void *realloc(void *p, size_t n)
{
	void *q = take(n, 16, "realloc");
	if (p && q) {
		size_t old = *(size_t *)((char *)p - sizeof(size_t));
		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

void *memalign(size_t align, size_t n) { return take(n, align, "memalign"); }
void *aligned_alloc(size_t align, size_t n) { return take(n, align, "aligned_alloc"); }
void *valloc(size_t n) { return take(n, 4096, "valloc"); }
void *pvalloc(size_t n) { return take((n + 4095) & ~(size_t)4095, 4096, "pvalloc"); }

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = take(n, align, "posix_memalign");
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	return p ? *(size_t *)((char *)p - sizeof(size_t)) : 0;
}

__attribute__((constructor)) static void initalloc_start(void)
{
	/* volatile: the compiler would drop a malloc that is freed at once */
	void *volatile p = malloc(1);
	free(p);
}
