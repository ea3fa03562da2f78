/*
 * Names: absolute paths from (dirfd, path), and the reverse map from a host
 * path (a cwd, a descriptor) back to the virtual path it shows.
 *
 * The virtual cwd is derived, not kept: chdir into the overlay changes the
 * real cwd to a layer directory, and the reverse map turns it back into the
 * mount path.  That keeps threads and exec'd programs (which inherit only
 * the real cwd and real descriptors) consistent for free.  The result is
 * remembered, to spare a getcwd() per relative path, until the next chdir
 * through the library or a directory rename under it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

/* real lies at or below prefix (of length n) */
static int under(const char *real, const char *prefix, size_t n)
{
	return strncmp(real, prefix, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int rebase(const char *point, size_t plen, const char *tail,
		  char *out, size_t outlen)
{
	size_t tlen = strlen(tail);

	if (plen + tlen + 1 > outlen)
		return -ENAMETOOLONG;
	memmove(out + plen, tail, tlen + 1); /* tail may live in out */
	memcpy(out, point, plen);
	return 0;
}

int ovl_virtual_of(const char *real, char *out, size_t outlen)
{
	for (int i = 0; i < ovl_mount_count(); i++) {
		const struct ovl_mount *m = ovl_mount_at(i);
		for (int l = 0; l < m->nlayers; l++) {
			const struct ovl_layer *y = &m->layers[l];
			if (under(real, y->root, y->len))
				return rebase(m->point, m->point_len, real + y->len,
					      out, outlen);
		}
		if (under(real, m->point, m->point_len))
			return rebase(m->point, m->point_len, real + m->point_len,
				      out, outlen);
	}
	return OVL_PASS;
}

/* The name under which the directory (dev, ino) is listed in its parent. */
struct child_of {
	dev_t dev;
	ino_t ino;
	int parent;
	char name[NAME_MAX + 1];
};

static int is_child(void *ctx, const char *name, unsigned char type, uint64_t ino)
{
	struct child_of *c = ctx;
	struct stat st;

	if ((type != DT_DIR && type != DT_UNKNOWN) || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	/* d_ino is the inode below a mount point's: stat to be sure */
	if (ino != c->ino && type == DT_DIR)
		return 0;
	if (sys_fstatat(c->parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_dev != c->dev || st.st_ino != c->ino)
		return 0;
	memcpy(c->name, name, strlen(name) + 1);
	return -EEXIST; /* found: stop */
}


/* readlink of /proc/self/fd/N, the name formatted by hand: every process
 * reads its configuration through it at start, and snprintf's code is
 * pages of libc that most processes never touch. */
long ovl_fd_readlink(int fd, char *out, size_t outlen)
{
	char proc[sizeof "/proc/self/fd/" + 10], digits[10];
	size_t n = 0, k = sizeof "/proc/self/fd/" - 1;
	unsigned v = (unsigned)fd;

	memcpy(proc, "/proc/self/fd/", k);
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		proc[k++] = digits[--n];
	proc[k] = '\0';
	return sys_readlinkat(AT_FDCWD, proc, out, outlen - 1);
}

/* The host path of a directory deeper than the kernel names (getcwd and
 * /proc/self/fd answer ENAMETOOLONG past a page): climb "..", naming each
 * directory by its entry in its parent, up to an ancestor the kernel can
 * name.  fd AT_FDCWD is the cwd.  0 or -errno. */
static int climb_real(int fd, char *out, size_t outlen)
{
	char tail[OVL_PATH_MAX];
	size_t tlen = 0;
	struct child_of c;
	int cur = sys_openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0), rc = -ENAMETOOLONG;

	while (cur >= 0) {
		struct stat st;
		if ((rc = sys_fstat(cur, &st)) < 0)
			break;
		c.dev = st.st_dev;
		c.ino = st.st_ino;
		c.parent = sys_openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		sys_close(cur);
		cur = c.parent;
		if (cur < 0)
			return cur;
		rc = ovl_dir_each(cur, is_child, &c);
		if (rc != -EEXIST) {
			rc = -ENOENT; /* not listed: removed */
			break;
		}
		size_t n = strlen(c.name);
		if (tlen + n + 1 >= sizeof tail) {
			rc = -ENAMETOOLONG;
			break;
		}
		memmove(tail + n + 1, tail, tlen);
		tail[0] = '/';
		memcpy(tail + 1, c.name, n);
		tlen += n + 1;
		long k = ovl_fd_readlink(cur, out, outlen);
		if (k == -ENAMETOOLONG)
			continue;
		if (k < 0) {
			rc = (int)k;
			break;
		}
		if (k == 1)
			k = 0; /* "/" */
		if ((size_t)k + tlen + 1 > outlen) {
			rc = -ENAMETOOLONG;
			break;
		}
		memcpy(out + k, tail, tlen);
		out[k + tlen] = '\0';
		rc = 0;
		break;
	}
	if (cur >= 0)
		sys_close(cur);
	return rc;
}

/* The host path behind a descriptor, or the real cwd for AT_FDCWD: 0, or
 * 1 when the kernel says the directory was deleted (out is then the path
 * it had), or -errno. */
static int fd_real(int fd, char *out, size_t outlen)
{
	long n;

	if (fd == AT_FDCWD) {
		n = sys_getcwd(out, outlen);
		if (n >= 0)
			return out[0] == '/' ? 0 : -ENOENT; /* "(unreachable)" */
		if (n == -ENAMETOOLONG)
			return climb_real(fd, out, outlen);
		if (n != -ENOENT)
			return (int)n;
		/* removed: /proc still knows where it was, which is all a
		 * relative path needs ("..", or "." itself) */
		n = sys_readlinkat(AT_FDCWD, "/proc/self/cwd", out, outlen - 1);
	} else {
		n = ovl_fd_readlink(fd, out, outlen);
	}
	if (n == -ENAMETOOLONG)
		return climb_real(fd, out, outlen);
	if (n < 0)
		return n == -ENOENT && fd != AT_FDCWD ? -EBADF : (int)n;
	if ((size_t)n >= outlen - 1)
		return -ENAMETOOLONG;
	out[n] = '\0';
	if (out[0] != '/')
		return -ENOTDIR; /* a pipe or socket: not a directory */
	if (n > 10 && !strcmp(out + n - 10, " (deleted)")) {
		out[n - 10] = '\0';
		return 1;
	}
	return 0;
}

/* The remembered cwd: its virtual path, and the host directory the kernel
 * has as the cwd.  An entry is good while the count of chdirs it was made
 * under still holds, and the change counter of the directory's own name
 * (gen.c) is as it was: removing the directory, making it again, or moving
 * any directory (the epoch, part of every counter) changes it.  Only the
 * process that owns this memory writes it: a vfork child shares it, and
 * must not leave its own cwd behind for the parent (it can still retire
 * the entry, which is always safe).  Readers that meet a write in progress
 * (another thread, a signal handler) ask the kernel. */
static struct {
	unsigned seq;     /* odd while being written */
	unsigned chdirs;  /* the value of `chdirs` the entry was made under */
	uint64_t stamp;   /* stamp_of the path, likewise */
	const struct ovl_mount *m; /* the mount the path is in, and the hash */
	uint64_t hash;             /* of its rel there: what stamp_of reads */
	int layer;                 /* the layer whose directory real is, or -1 */
	size_t len, rlen;
	char path[OVL_PATH_MAX];
	char real[OVL_PATH_MAX];
} cwd;
static unsigned chdirs = 1; /* bumped by every chdir; the entry starts bad */
static int owner;           /* the pid this memory belongs to */
static int moved_shared;    /* a vfork child moved: the count names no cwd */

/* What stands for the directory's name now: 1 outside every mount, 0 where
 * there are no counters (never trusted). */
static uint64_t stamp_of(const struct ovl_mount *m, uint64_t hash)
{
	const uint64_t *g = m ? ovl_gen_map(m) : NULL;

	if (!m)
		return 1;
	return g ? ovl_gen_name(g, hash) + 2 : 0;
}

int ovl_owns_memory(void)
{
	int me = __atomic_load_n(&owner, __ATOMIC_ACQUIRE);
	return me && sys_getpid() == me;
}

static void count_chdir(void)
{
	if (__atomic_add_fetch(&chdirs, 1, __ATOMIC_ACQ_REL) == 0)
		__atomic_fetch_add(&chdirs, 1, __ATOMIC_ACQ_REL);
}

/* A vfork child shares the count with its parent, whose cwd has not moved:
 * memos made under the count after the child's chdir would describe the
 * child's cwd to the parent.  So the count is unusable until the owner
 * asks again (the child has exec'd or exited by then) and moves it on. */
void ovl_cwd_changed(void)
{
	if (!ovl_owns_memory())
		__atomic_store_n(&moved_shared, 1, __ATOMIC_RELEASE);
	count_chdir();
}

unsigned ovl_cwd_epoch(void)
{
	if (__builtin_expect(__atomic_load_n(&moved_shared, __ATOMIC_ACQUIRE), 0)) {
		if (!ovl_owns_memory())
			return 0;
		__atomic_store_n(&moved_shared, 0, __ATOMIC_RELEASE);
		count_chdir();
	}
	return __atomic_load_n(&chdirs, __ATOMIC_ACQUIRE);
}

void ovl_cwd_init(void)
{
	__atomic_store_n(&owner, sys_getpid(), __ATOMIC_RELEASE);
	ovl_cwd_changed();
}

/* The entry still describes the cwd (after its fields were read). */
static int cwd_good(unsigned seq, unsigned made, uint64_t stamp)
{
	const struct ovl_mount *m = __atomic_load_n(&cwd.m, __ATOMIC_ACQUIRE);
	uint64_t hash = __atomic_load_n(&cwd.hash, __ATOMIC_ACQUIRE);

	return __atomic_load_n(&cwd.seq, __ATOMIC_ACQUIRE) == seq &&
	       made == __atomic_load_n(&chdirs, __ATOMIC_ACQUIRE) && stamp &&
	       stamp == stamp_of(m, hash);
}

static int cwd_cached(char *out, size_t outlen)
{
	unsigned seq = __atomic_load_n(&cwd.seq, __ATOMIC_ACQUIRE);

	if (seq & 1)
		return 0;
	size_t len = __atomic_load_n(&cwd.len, __ATOMIC_ACQUIRE);
	unsigned made = __atomic_load_n(&cwd.chdirs, __ATOMIC_ACQUIRE);
	uint64_t stamp = __atomic_load_n(&cwd.stamp, __ATOMIC_ACQUIRE);
	if (len + 1 > outlen || len == 0 || len >= sizeof cwd.path)
		return 0;
	/* acquire loads: the second look at seq comes after them */
	for (size_t i = 0; i <= len; i++)
		out[i] = __atomic_load_n(&cwd.path[i], __ATOMIC_ACQUIRE);
	return cwd_good(seq, made, stamp);
}

const char *ovl_cwd_relative(const char *real)
{
	unsigned seq = __atomic_load_n(&cwd.seq, __ATOMIC_ACQUIRE);

	if (seq & 1)
		return real;
	size_t n = __atomic_load_n(&cwd.rlen, __ATOMIC_ACQUIRE);
	unsigned made = __atomic_load_n(&cwd.chdirs, __ATOMIC_ACQUIRE);
	uint64_t stamp = __atomic_load_n(&cwd.stamp, __ATOMIC_ACQUIRE);
	if (n < 2 || n >= sizeof cwd.real)
		return real;
	for (size_t i = 0; i < n; i++)
		if (real[i] != __atomic_load_n(&cwd.real[i], __ATOMIC_ACQUIRE))
			return real;
	if (real[n] != '/' || !real[n + 1] || !cwd_good(seq, made, stamp))
		return real;
	return real + n + 1;
}

int ovl_cwd_layer(const struct ovl_mount *m)
{
	unsigned seq = __atomic_load_n(&cwd.seq, __ATOMIC_ACQUIRE);

	if (seq & 1)
		return -1;
	unsigned made = __atomic_load_n(&cwd.chdirs, __ATOMIC_ACQUIRE);
	uint64_t stamp = __atomic_load_n(&cwd.stamp, __ATOMIC_ACQUIRE);
	int layer = __atomic_load_n(&cwd.layer, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&cwd.m, __ATOMIC_ACQUIRE) != m || !cwd_good(seq, made, stamp))
		return -1;
	return layer;
}

const char *ovl_kernel_name(const struct ovl_res *r)
{
	if (r->kname && r->layer == r->klayer)
		return r->kname;
	return r->from_cwd ? ovl_cwd_relative(r->real) : r->real;
}

/* The layer among mask's whose directory rel (in m) is the host directory
 * real, or -1. */
static int layer_holding(const struct ovl_mount *m, uint64_t mask, const char *rel,
			 const char *real)
{
	char at[OVL_PATH_MAX];

	for (int i = 0; i < m->nlayers; i++)
		if ((mask & (1ULL << i)) && ovl_real_in(m, i, rel, at, sizeof at) == 0 &&
		    !strcmp(at, real))
			return i;
	return -1;
}

/* Remember path (and real, the kernel's cwd) as the cwd found when chdirs
 * was `made`. */
static void cwd_remember(const char *path, const char *real, unsigned made)
{
	size_t len = strlen(path), rlen = strlen(real);
	unsigned seq = __atomic_load_n(&cwd.seq, __ATOMIC_ACQUIRE);
	int me = __atomic_load_n(&owner, __ATOMIC_ACQUIRE);
	const struct ovl_mount *m = ovl_mount_of(path, len);
	uint64_t hash = 0;
	int layer = -1;

	if ((seq & 1) || len >= sizeof cwd.path || rlen >= sizeof cwd.real || !me ||
	    sys_getpid() != me)
		return;
	if (m) {
		size_t skip = m->point_len + (path[m->point_len] == '/');
		hash = ovl_gen_hash(path + skip, len - skip);
		layer = layer_holding(m, ~0ULL, path + skip, real);
	}
	if (!__atomic_compare_exchange_n(&cwd.seq, &seq, seq + 1, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return; /* someone else is writing: let them */
	/* relaxed atomics (the exchange above orders them after the odd
	 * count): a reader may copy while we write, and then sees the count
	 * move and drops what it read */
	for (size_t i = 0; i <= len; i++)
		__atomic_store_n(&cwd.path[i], path[i], __ATOMIC_RELAXED);
	for (size_t i = 0; i <= rlen; i++)
		__atomic_store_n(&cwd.real[i], real[i], __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.len, len, __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.rlen, rlen, __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.chdirs, made, __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.m, m, __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.hash, hash, __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.layer, layer, __ATOMIC_RELAXED);
	__atomic_store_n(&cwd.stamp, stamp_of(m, hash), __ATOMIC_RELAXED);
	__atomic_fetch_add(&cwd.seq, 1, __ATOMIC_RELEASE);
}

static int shown_at(const char *real, const char *virt);

/* The name a descriptor (or cwd) removed from the view resolves through:
 * each trailing component whose directory the view no longer shows there
 * (the descriptor's own, and those of its removed ancestors) becomes a
 * reserved name, which lookup finds missing, so nothing can be found or
 * made in it, while ".." still climbs to its parent (as on any filesystem;
 * climb_out in lookup.c) and "." names the directory itself (ghost_dir).
 * real and virt end in the same components. */
static int removed_path(char *real, char *virt, size_t outlen)
{
	static const char gone[] = OVL_INTERNAL "removed";
	char tail[OVL_PATH_MAX] = "";
	size_t tlen = 0;

	for (;;) {
		char *vs = strrchr(virt, '/'), *rs = strrchr(real, '/');
		if (!vs || !rs || vs == virt)
			break;
		if (tlen + sizeof gone + 1 > sizeof tail)
			return -ENAMETOOLONG;
		memmove(tail + sizeof gone, tail, tlen + 1);
		memcpy(tail, "/" OVL_INTERNAL "removed", sizeof gone);
		tlen += sizeof gone;
		*vs = '\0';
		*rs = '\0';
		if (shown_at(real, virt) == 0)
			break;
	}
	size_t vlen = strlen(virt);
	if (vlen + tlen + 1 > outlen)
		return -ENAMETOOLONG;
	memcpy(virt + vlen, tail, tlen + 1);
	return 0;
}

int ovl_fd_virtual(int fd, char *out, size_t outlen)
{
	char real[OVL_PATH_MAX], was[OVL_PATH_MAX];
	struct ovl_fd_mark mark;
	int rc, deleted, stale = 0;

	if (fd != AT_FDCWD) {
		if (ovl_fd_recorded(fd, out, outlen))
			return 0;
		stale = ovl_fd_stale(fd, was, sizeof was, &mark);
	}
	if (fd == AT_FDCWD && cwd_cached(out, outlen))
		return ovl_mount_of(out, strlen(out)) ? 0 : OVL_PASS;
	unsigned made = __atomic_load_n(&chdirs, __ATOMIC_ACQUIRE);
	deleted = fd_real(fd, real, sizeof real);
	if (deleted < 0)
		return deleted;
	rc = ovl_virtual_of(real, out, outlen);
	if (rc == OVL_PASS) { /* outside every mount: the host path itself */
		size_t n = strlen(real);
		if (n + 1 > outlen)
			return -ENAMETOOLONG;
		memcpy(out, real, n + 1);
		if (fd == AT_FDCWD)
			cwd_remember(out, real, made);
		return OVL_PASS;
	}
	if (rc != 0)
		return rc;
	if (deleted || shown_at(real, out) < 0)
		return removed_path(real, out, outlen);
	if (fd == AT_FDCWD)
		cwd_remember(out, real, made);
	else if (stale && !strcmp(was, out))
		ovl_fd_restamp(&mark, out); /* the next call needs no /proc */
	return 0;
}

/* Append src to dst (length *len), folding "//" and "/./" on the way; ".."
 * stays, since only lookup knows whether the component before it was a
 * symlink.  A trailing "/" or "/." is kept as a single trailing "/". */
static int append_folded(char *dst, size_t *len, size_t cap, const char *src)
{
	size_t n = *len;

	for (const char *s = src; *s;) {
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t c = (size_t)(e - s);
		if (c == 0 || (c == 1 && s[0] == '.')) {
			/* empty or "." component: only remembers a trailing slash */
		} else {
			if (n + 1 + c + 1 > cap)
				return -ENAMETOOLONG;
			if (n == 0 || dst[n - 1] != '/')
				dst[n++] = '/';
			memcpy(dst + n, s, c);
			n += c;
		}
		if (!*e)
			break;
		s = e + 1;
		if (!*s || (s[0] == '.' && !s[1])) { /* ends in "/" or "/." */
			if (n == 0 || dst[n - 1] != '/') {
				if (n + 2 > cap)
					return -ENAMETOOLONG;
				dst[n++] = '/';
			}
			break;
		}
	}
	if (n == 0)
		dst[n++] = '/';
	dst[n] = '\0';
	*len = n;
	return 0;
}

int ovl_absolute(int dirfd, const char *path, char *out, size_t outlen)
{
	size_t len = 0;
	int rc;

	if (!path[0])
		return -ENOENT;
	if (path[0] != '/') {
		rc = ovl_fd_virtual(dirfd, out, outlen);
		if (rc < 0)
			return rc;
		/* a relative path needs a directory to start from: a record
		 * is one, the kernel says whether any other descriptor is */
		char rec[OVL_PATH_MAX];
		if (rc == 0 && dirfd != AT_FDCWD && !ovl_fd_recorded(dirfd, rec, sizeof rec)) {
			struct stat st;
			if ((rc = sys_fstat(dirfd, &st)) < 0)
				return rc;
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		}
		len = strlen(out);
		if (len == 1)
			len = 0; /* "/" */
	}
	out[len] = '\0';
	return append_folded(out, &len, outlen, path);
}

int ovl_in_layer(const char *real)
{
	for (int i = 0; i < ovl_mount_count(); i++) {
		const struct ovl_mount *m = ovl_mount_at(i);
		for (int l = 0; l < m->nlayers; l++)
			if (under(real, m->layers[l].root, m->layers[l].len))
				return 1;
	}
	return 0;
}

/* The host directory real, which maps to the virtual path virt, is still
 * what the view shows there (0), or was removed from it (-ENOENT): its
 * layer directory may live on, or the name may now hold another. */
static int shown_at(const char *real, const char *virt)
{
	struct ovl_res r;

	if (!ovl_in_layer(real))
		return 0; /* the mount point's own directory, entered behind our back */
	if (ovl_resolve(AT_FDCWD, virt, OVL_NOFOLLOW, &r) != 0 || !r.m || r.layer < 0 ||
	    !S_ISDIR(r.type))
		return -ENOENT;
	return layer_holding(r.m, r.mask, r.rel, real) >= 0 ? 0 : -ENOENT;
}

int ovl_cwd_virtual(char *out, size_t outlen)
{
	return ovl_dir_virtual(AT_FDCWD, out, outlen);
}

int ovl_dir_virtual(int fd, char *out, size_t outlen)
{
	char real[OVL_PATH_MAX];
	int rc = fd_real(fd, real, sizeof real);

	if (rc < 0)
		return rc;
	if (rc == 1)
		return -ENOENT; /* deleted */
	rc = ovl_virtual_of(real, out, outlen);
	if (rc != 0)
		return rc;
	return shown_at(real, out);
}
