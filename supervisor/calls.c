/*
 * One handler per family of path calls: core says where the call lands,
 * we make it there and answer with its result.  A path that never touches
 * a mount continues in the kernel, unless it is relative to a cwd that is
 * kept here (the kernel's is elsewhere, target.c): then it is made here,
 * through our descriptor of that cwd.
 *
 * Every handler runs in the one thread that serves all targets, so none may
 * wait on another target (a FIFO's open, below).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "supervise.h"
#include "sys.h"

#define ARG(i) (c->req->data.args[(i)])
/* A handler's answer besides a result or -errno: the kernel makes the
 * call (out of the range of both). */
#define CONTINUE (-(1L << 40))

/* A path argument: the string, and the base it is relative to in this
 * process (AT_FDCWD for an absolute one; our descriptor of the target's
 * directory or cwd), handed to core as the library hands it the caller's
 * (dirfd, path): core resolves both front ends' calls alike.  own: the
 * base is a cwd kept here (target.c), so the kernel would resolve the path
 * from another directory; a path that touches no mount can then not
 * continue in the kernel, and is made here. */
struct sup_path {
	const char *path;
	int base;
	int own;
	char buf[OVL_PATH_MAX];
};

static int path_arg(struct sup_call *c, int dirfd, uint64_t addr, struct sup_path *p)
{
	int rc = sup_read_path(c, addr, p->buf, sizeof p->buf);

	if (rc < 0)
		return rc;
	if (p->buf[0] == '\0')
		return -ENOENT;
	p->path = p->buf;
	p->base = AT_FDCWD;
	p->own = 0;
	if (p->buf[0] == '/')
		return 0;
	if (dirfd == AT_FDCWD) {
		p->base = sup_cwd(c->proc);
		p->own = c->proc->cwd_own;
	} else if ((p->base = sup_fd_get(c, dirfd)) >= 0 && c->nfds < 2) {
		c->fds[c->nfds++] = p->base; /* closed when the call is answered */
	}
	return p->base < 0 ? p->base : 0;
}

/* The host name of p for a call made here: through our descriptor of its
 * base (a magic link the kernel follows to the directory itself). */
static const char *host_path(const struct sup_path *p, char *buf, size_t n)
{
	if (p->base == AT_FDCWD)
		return p->path;
	snprintf(buf, n, "/proc/self/fd/%d/%s", p->base, p->path);
	return buf;
}

/* What an intent answered, for a call made on r->real: OVL_PASS becomes
 * CONTINUE, or the host name itself where the kernel would not find it
 * (own, above). */
static long host_or_continue(int rc, const struct sup_path *p, struct ovl_res *r)
{
	if (rc != OVL_PASS)
		return rc;
	if (!p->own)
		return CONTINUE;
	r->m = NULL;
	r->layer = -1;
	host_path(p, r->real, sizeof r->real);
	return 0;
}

static long sc_ret(long v)
{
	return v < 0 ? -errno : v;
}

/* ---- open ------------------------------------------------------------- */

/* The flags of our own open of what the target opens.  ADDFD cannot pass
 * an O_PATH descriptor (the kernel's fget refuses them), so an O_PATH open
 * is made as a read-only one (non-blocking: a device or FIFO must not
 * wait), which serves the same *at() calls and fstat; a symlink itself
 * (O_PATH | O_NOFOLLOW) cannot be opened so. */
static int host_flags(int flags)
{
	if (flags & O_PATH)
		flags = (flags & ~(O_PATH | O_ACCMODE)) | O_RDONLY | O_NONBLOCK;
	return (flags & ~O_CLOEXEC) | O_CLOEXEC | O_NOCTTY;
}

static long do_open(struct sup_call *c, int dirfd, uint64_t addr, int flags, mode_t mode)
{
	struct sup_path p;
	struct ovl_res r;
	long rc = path_arg(c, dirfd, addr, &p);

	if (rc < 0)
		return rc;
	rc = host_or_continue(ovl_for_open(p.base, p.path, flags, &r), &p, &r);
	if (rc != 0)
		return rc;
	if (flags & (O_CREAT | O_TMPFILE))
		umask(sup_umask(c));
	/* ours closes on our exec; O_NOCTTY: a terminal must not become ours;
	 * a FIFO's open would wait for its other end, and with it every
	 * target: a reader does not wait (its reads do, once a writer came),
	 * a writer without a reader fails as a non-blocking one would */
	int fifo = S_ISFIFO(r.type) && !(flags & O_NONBLOCK);
	int fd = open(r.real, host_flags(flags) | (fifo ? O_NONBLOCK : 0), mode);
	if (fd >= 0 && fifo)
		fcntl(fd, F_SETFL, flags & ~O_ACCMODE & ~O_CLOEXEC);
	if (fd < 0 && (flags & O_PATH) && !r.m && !p.own)
		return CONTINUE; /* the kernel finds the same object by the name */
	int err = fd < 0 ? -errno : 0;
	ovl_open_done(&r, fd < 0 ? err : 0);
	if (fd < 0)
		return err;
	struct seccomp_notif_addfd add = {
		.id = c->req->id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (unsigned)fd,
		.newfd_flags = (unsigned)(flags & O_CLOEXEC),
	};
	long v = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	err = v < 0 ? -errno : 0;
	close(fd);
	if (v >= 0)
		c->done = 1;
	return err;
}

/* openat2's RESOLVE_ flags that confine the walk to a directory tree or
 * forbid symlinks: the view has no single tree to walk, so inside a mount
 * they are refused with ENOSYS (callers then walk with openat), as the
 * library refuses them; outside every mount the kernel applies them.  The
 * other flags (NO_XDEV, NO_MAGICLINKS, CACHED) do not change what the view
 * opens and are dropped. */
#define NO_RESOLVE (RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)

static long open_confined(struct sup_call *c, int dirfd, uint64_t addr)
{
	struct sup_path p;
	struct ovl_res r;
	long rc = path_arg(c, dirfd, addr, &p);

	if (rc < 0)
		return rc;
	return ovl_resolve(p.base, p.path, 0, &r) == OVL_PASS && !p.own ? CONTINUE : -ENOSYS;
}

static long h_open(struct sup_call *c)
{
	switch (c->req->data.nr) {
	case SYS_open: return do_open(c, AT_FDCWD, ARG(0), (int)ARG(1), (mode_t)ARG(2));
	case SYS_creat: return do_open(c, AT_FDCWD, ARG(0), O_CREAT | O_WRONLY | O_TRUNC, (mode_t)ARG(1));
	case SYS_openat: return do_open(c, (int)ARG(0), ARG(1), (int)ARG(2), (mode_t)ARG(3));
	}
	struct open_how how = { 0 };
	if (ARG(3) < sizeof how || sup_read(c, ARG(2), &how, sizeof how) < 0)
		return -EINVAL;
	if (how.resolve & NO_RESOLVE)
		return open_confined(c, (int)ARG(0), ARG(1));
	return do_open(c, (int)ARG(0), ARG(1), (int)how.flags, (mode_t)how.mode);
}

/* ---- looking ---------------------------------------------------------- */

/* The lookup of a call by core's intent (ovl_for_read for one that only
 * looks, ovl_for_write for an in-place change); at: its AT_ flags. */
typedef int intent_fn(int dirfd, const char *path, int flags, struct ovl_res *r);

static long lookup(struct sup_call *c, intent_fn *intent, int dirfd, uint64_t addr, int at,
		   int extra, struct ovl_res *r)
{
	struct sup_path p;
	int rc = path_arg(c, dirfd, addr, &p);

	if (rc < 0)
		return rc;
	int fl = ((at & AT_SYMLINK_NOFOLLOW) ? OVL_NOFOLLOW : 0) | extra;
	return host_or_continue(intent(p.base, p.path, fl, r), &p, r);
}

static long look(struct sup_call *c, int dirfd, uint64_t addr, int at, int extra, struct ovl_res *r)
{
	return lookup(c, ovl_for_read, dirfd, addr, at, extra, r);
}

/* The descriptor form (AT_EMPTY_PATH with "") is the kernel's. */
static int fd_form(struct sup_call *c, uint64_t addr, int at)
{
	char ch = 1;
	return (at & AT_EMPTY_PATH) && sup_read(c, addr, &ch, 1) == 0 && ch == '\0';
}

/* fstat of the target's descriptor tfd, as the library's: what stat of
 * its path says (core's ovl_fstat_fix); stx, when given, is statx's. */
static long fd_stat(struct sup_call *c, int tfd, uint64_t buf, struct statx *stx)
{
	struct stat st;
	int fd = sup_fd_get(c, tfd);

	if (fd < 0)
		return CONTINUE; /* the kernel says what is wrong with it */
	long rc = fstat(fd, &st) < 0 ? -errno : 0;
	if (rc == 0)
		ovl_fstat_fix(fd, &st);
	if (rc == 0 && stx) {
		rc = statx(fd, "", AT_EMPTY_PATH, stx->stx_mask, stx) < 0 ? -errno : 0;
		if (rc == 0 && (stx->stx_mask & STATX_INO))
			stx->stx_ino = (uint64_t)st.st_ino;
		if (rc == 0 && (stx->stx_mask & STATX_NLINK))
			stx->stx_nlink = (uint32_t)st.st_nlink;
	}
	close(fd);
	if (rc < 0)
		return rc;
	return stx ? sup_write(c, buf, stx, sizeof *stx) : sup_write(c, buf, &st, sizeof st);
}

static long do_stat(struct sup_call *c, int dirfd, uint64_t addr, uint64_t buf, int at)
{
	struct ovl_res r;
	struct stat st;

	if (fd_form(c, addr, at))
		return fd_stat(c, dirfd, buf, NULL);
	long rc = look(c, dirfd, addr, at, OVL_STAT, &r);
	if (rc != 0)
		return rc;
	if (r.have_st)
		st = r.st;
	else if (fstatat(AT_FDCWD, r.real, &st, at & AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	ovl_fix_stat(&r, &st);
	return sup_write(c, buf, &st, sizeof st);
}

static long h_stat(struct sup_call *c)
{
	switch (c->req->data.nr) {
	case SYS_stat: return do_stat(c, AT_FDCWD, ARG(0), ARG(1), 0);
	case SYS_lstat: return do_stat(c, AT_FDCWD, ARG(0), ARG(1), AT_SYMLINK_NOFOLLOW);
	case SYS_fstat: return fd_stat(c, (int)ARG(0), ARG(1), NULL);
	}
	return do_stat(c, (int)ARG(0), ARG(1), ARG(2), (int)ARG(3));
}

static long h_statx(struct sup_call *c)
{
	int at = (int)ARG(2);
	struct ovl_res r;
	struct statx stx;

	if (fd_form(c, ARG(1), at)) {
		stx.stx_mask = (unsigned)ARG(3);
		return fd_stat(c, (int)ARG(0), ARG(4), &stx);
	}
	long rc = look(c, (int)ARG(0), ARG(1), at, 0, &r);
	if (rc != 0)
		return rc;
	if (statx(AT_FDCWD, r.real, at & ~AT_EMPTY_PATH, (unsigned)ARG(3), &stx) < 0)
		return -errno;
	ovl_fix_statx(&r, &stx);
	return sup_write(c, ARG(4), &stx, sizeof stx);
}

static long h_access(struct sup_call *c)
{
	long nr = c->req->data.nr;
	int dirfd = nr == SYS_access ? AT_FDCWD : (int)ARG(0);
	uint64_t addr = nr == SYS_access ? ARG(0) : ARG(1);
	int mode = (int)(nr == SYS_access ? ARG(1) : ARG(2));
	int at = nr == SYS_faccessat2 ? (int)ARG(3) : 0;
	struct ovl_res r;

	if (fd_form(c, addr, at))
		return CONTINUE;
	long rc = look(c, dirfd, addr, at, 0, &r);
	if (rc != 0)
		return rc;
	return sc_ret(syscall(SYS_faccessat2, AT_FDCWD, r.real, mode, at));
}

static long h_readlink(struct sup_call *c)
{
	int at = c->req->data.nr == SYS_readlinkat;
	uint64_t addr = ARG(at), buf = ARG(at + 1);
	size_t size = (size_t)ARG(at + 2);
	char out[OVL_PATH_MAX];
	struct ovl_res r;

	if ((long)size <= 0)
		return -EINVAL;
	if (at && fd_form(c, addr, AT_EMPTY_PATH))
		return CONTINUE;
	long rc = look(c, at ? (int)ARG(0) : AT_FDCWD, addr, AT_SYMLINK_NOFOLLOW, 0, &r);
	if (rc != 0)
		return rc;
	ssize_t n = readlink(r.real, out, size < sizeof out ? size : sizeof out);
	if (n < 0)
		return -errno;
	rc = sup_write(c, buf, out, (size_t)n);
	return rc < 0 ? rc : n;
}

/* ---- exec ------------------------------------------------------------- */

/* The program the view shows: where the kernel would find that same file
 * (a lower one at the host path), the call continues; a file the view
 * shows elsewhere (the upper's, or one the kernel would not find at all)
 * is run from there, by having the thread call again on its host path
 * (target.c); a file the view has not (deleted, never there) is ENOENT.
 * argv is the target's own, so the program's argv[0] stays the name it was
 * called by. */
static long h_exec(struct sup_call *c)
{
	int at = c->req->data.nr == SYS_execveat;
	int flags = at ? (int)ARG(4) : 0;
	char abs[PATH_MAX];
	struct sup_path p;
	struct ovl_res r;

	if (at && fd_form(c, ARG(1), flags))
		return CONTINUE;
	long rc = path_arg(c, at ? (int)ARG(0) : AT_FDCWD, ARG(at), &p);
	if (rc < 0)
		return rc;
	rc = host_or_continue(ovl_for_read(p.base, p.path, (flags & AT_SYMLINK_NOFOLLOW) ? OVL_NOFOLLOW : 0, &r),
			      &p, &r);
	if (rc != 0)
		return rc;
	if (!p.own && ovl_same_file(p.base, p.path, r.real))
		return CONTINUE;
	/* a name of ours (/proc/self/fd/N/...) means nothing to the target */
	const char *run = strncmp(r.real, "/proc/self/fd/", 14) == 0 ? realpath(r.real, abs) : r.real;
	if (!run)
		return -errno;
	rc = sup_exec_redirect(c, run);
	if (rc < 0) {
		fprintf(stderr, "overlay-supervise: cannot run %s as the overlay shows it: %s\n",
			p.path, strerror((int)-rc));
		return rc;
	}
	c->done = 1;
	return 0;
}

/* ---- listings --------------------------------------------------------- */

/* A directory in a mount is listed here by core, merged or not (even one
 * layer's directory may hold names the view never shows: whiteouts, an
 * opaque marker), as the library lists it.  The position is the
 * description's offset (the entry index), which the target's own lseek
 * and rewinddir move as they would the kernel's. */
static long h_getdents(struct sup_call *c)
{
	size_t room = (size_t)ARG(2) < 65536 ? (size_t)ARG(2) : 65536;
	struct ovl_dir *list = NULL;
	struct stat st;
	off_t pos = -1;
	int fd = sup_fd_get(c, (int)ARG(0));

	if (fd < 0)
		return CONTINUE; /* the kernel says what is wrong with it */
	long rc = fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || (pos = lseek(fd, 0, SEEK_CUR)) < 0
			  ? OVL_PASS : ovl_fd_dir_read(fd, &list);
	if (rc != 0) {
		close(fd);
		return rc == OVL_PASS ? CONTINUE : rc;
	}
	char *out = malloc(room ? room : 1);
	size_t k = (size_t)pos;
	long used = out ? ovl_dir_fill(list, &k, out, room, 0) : -ENOMEM;
	if (used > 0 && (rc = sup_write(c, ARG(1), out, (size_t)used)) < 0)
		used = rc;
	if (used >= 0)
		lseek(fd, (off_t)k, SEEK_SET);
	free(out);
	ovl_dir_free(list);
	close(fd);
	return used;
}

/* ---- changes ---------------------------------------------------------- */

/* A core change's answer: OVL_PASS (no mount touched) is made in the
 * kernel, by the target or, where it would resolve otherwise (own), here,
 * by host_call on the host names h1 and h2. */
#define CHANGE(core_call, host_call)                                          \
	do {                                                                  \
		long v_ = (core_call);                                        \
		if (v_ != OVL_PASS)                                           \
			return v_;                                            \
		if (!a.own && !b.own)                                         \
			return CONTINUE;                                      \
		char b1_[OVL_PATH_MAX], b2_[OVL_PATH_MAX];                    \
		const char *h1 = host_path(&a, b1_, sizeof b1_);              \
		const char *h2 = host_path(&b, b2_, sizeof b2_);              \
		(void)h2;                                                     \
		return sc_ret(host_call);                                     \
	} while (0)

/* The paths of a change of one name (b unused) or two. */
#define ONE_PATH(dirfd, addr)                                                 \
	struct sup_path a, b = { .base = AT_FDCWD, .path = "" };              \
	long rc = path_arg(c, (dirfd), (addr), &a);                           \
	if (rc < 0)                                                           \
		return rc
#define TWO_PATHS(d1, p1, d2, p2)                                             \
	struct sup_path a, b;                                                 \
	long rc = path_arg(c, (d1), (p1), &a);                                \
	if (rc == 0)                                                          \
		rc = path_arg(c, (d2), (p2), &b);                             \
	if (rc < 0)                                                           \
		return rc

static long h_mkdir(struct sup_call *c)
{
	int at = c->req->data.nr == SYS_mkdirat;
	mode_t mode = (mode_t)ARG(at + 1);
	ONE_PATH(at ? (int)ARG(0) : AT_FDCWD, ARG(at));

	umask(sup_umask(c));
	CHANGE(ovl_mkdir(a.base, a.path, mode), mkdir(h1, mode));
}

static long h_mknod(struct sup_call *c)
{
	int at = c->req->data.nr == SYS_mknodat;
	mode_t mode = (mode_t)ARG(at + 1);
	dev_t dev = (dev_t)ARG(at + 2);
	ONE_PATH(at ? (int)ARG(0) : AT_FDCWD, ARG(at));

	umask(sup_umask(c));
	CHANGE(ovl_mknod(a.base, a.path, mode, dev), mknod(h1, mode, dev));
}

static long h_unlink(struct sup_call *c)
{
	long nr = c->req->data.nr;
	int at = nr == SYS_unlinkat;
	int flags = nr == SYS_rmdir ? AT_REMOVEDIR : at ? (int)ARG(2) : 0;
	ONE_PATH(at ? (int)ARG(0) : AT_FDCWD, ARG(at));

	CHANGE(ovl_unlink(a.base, a.path, flags), unlinkat(AT_FDCWD, h1, flags));
}

static long h_rename(struct sup_call *c)
{
	int at = c->req->data.nr != SYS_rename;
	unsigned flags = c->req->data.nr == SYS_renameat2 ? (unsigned)ARG(4) : 0;
	TWO_PATHS(at ? (int)ARG(0) : AT_FDCWD, ARG(at ? 1 : 0), at ? (int)ARG(2) : AT_FDCWD,
		  ARG(at ? 3 : 1));

	CHANGE(ovl_rename(a.base, a.path, b.base, b.path, flags),
	       syscall(SYS_renameat2, AT_FDCWD, h1, AT_FDCWD, h2, flags));
}

static long h_link(struct sup_call *c)
{
	int at = c->req->data.nr == SYS_linkat;
	int flags = at ? (int)ARG(4) : 0;

	if (at && fd_form(c, ARG(1), flags))
		return CONTINUE;
	TWO_PATHS(at ? (int)ARG(0) : AT_FDCWD, ARG(at ? 1 : 0), at ? (int)ARG(2) : AT_FDCWD,
		  ARG(at ? 3 : 1));
	CHANGE(ovl_link(a.base, a.path, b.base, b.path, flags), linkat(AT_FDCWD, h1, AT_FDCWD, h2, flags));
}

static long h_symlink(struct sup_call *c)
{
	int at = c->req->data.nr == SYS_symlinkat;
	char target[OVL_PATH_MAX];
	int trc = sup_read_path(c, ARG(0), target, sizeof target);

	if (trc < 0)
		return trc;
	ONE_PATH(at ? (int)ARG(1) : AT_FDCWD, ARG(at ? 2 : 1));
	CHANGE(ovl_symlink(target, a.base, a.path), symlink(target, h1));
}

/* ---- changes through a descriptor ------------------------------------ */

/* A change through the target's descriptor tfd of a lower file copies the
 * file up (core), and the target's descriptor is replaced by one of the
 * copy with the same flags and offset, as the library moves its own
 * (SECCOMP_ADDFD_FLAG_SETFD).  0 with r->real the object to change,
 * CONTINUE for a descriptor outside every lower, or -errno. */
static long fd_for_write(struct sup_call *c, int tfd, struct ovl_res *r)
{
	struct stat before, after;
	int fd = sup_fd_get(c, tfd);

	if (fd < 0)
		return CONTINUE; /* the kernel says what is wrong with it */
	long rc = fstat(fd, &before) < 0 ? -errno : ovl_fd_for_write(fd, r);
	if (rc == 0 && fstat(fd, &after) == 0 && after.st_ino != before.st_ino) {
		struct seccomp_notif_addfd add = {
			.id = c->req->id, .flags = SECCOMP_ADDFD_FLAG_SETFD, .srcfd = (unsigned)fd,
			.newfd = (unsigned)tfd, .newfd_flags = sup_fd_cloexec(c, tfd) ? O_CLOEXEC : 0,
		};
		ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	}
	ovl_fd_forget(fd); /* what core kept beside our copy of it */
	close(fd);
	return rc == OVL_PASS ? CONTINUE : rc;
}

/* In-place changes: the object is copied up, then changed in the upper. */
static long for_write(struct sup_call *c, int dirfd, uint64_t addr, int at, int extra,
		      struct ovl_res *r)
{
	return lookup(c, ovl_for_write, dirfd, addr, at, extra, r);
}

/* chmod, fchmodat and fchmodat2 (flags; AT_EMPTY_PATH: the descriptor's
 * file, copied up first if it is a lower one). */
static long h_chmod(struct sup_call *c)
{
	long nr = c->req->data.nr;
	int at = nr != SYS_chmod;
	int flags = nr == SYS_fchmodat2 ? (int)ARG(3) : 0;
	mode_t mode = (mode_t)ARG(at + 1);
	struct ovl_res r;
	long rc = fd_form(c, ARG(1), flags) ? fd_for_write(c, (int)ARG(0), &r)
		  : for_write(c, at ? (int)ARG(0) : AT_FDCWD, ARG(at), flags, 0, &r);

	if (rc != 0)
		return rc;
	if (!(flags & AT_SYMLINK_NOFOLLOW))
		return sc_ret(chmod(r.real, mode));
	return sc_ret(syscall(SYS_fchmodat2, AT_FDCWD, r.real, mode, AT_SYMLINK_NOFOLLOW));
}

static long h_chown(struct sup_call *c)
{
	long nr = c->req->data.nr;
	int at = nr == SYS_fchownat;
	int flags = at ? (int)ARG(4) : nr == SYS_lchown ? AT_SYMLINK_NOFOLLOW : 0;
	struct ovl_res r;

	long rc = at && fd_form(c, ARG(1), flags) ? fd_for_write(c, (int)ARG(0), &r)
		  : for_write(c, at ? (int)ARG(0) : AT_FDCWD, ARG(at), flags, 0, &r);
	return rc != 0 ? rc : sc_ret(fchownat(AT_FDCWD, r.real, (uid_t)ARG(at + 1),
					      (gid_t)ARG(at + 2), flags & AT_SYMLINK_NOFOLLOW));
}

static long h_truncate(struct sup_call *c)
{
	struct ovl_res r;
	long rc = for_write(c, AT_FDCWD, ARG(0), 0, ARG(1) == 0 ? OVL_NODATA : 0, &r);

	return rc != 0 ? rc : sc_ret(truncate(r.real, (off_t)ARG(1)));
}

/* utimensat and its older forms, as times for utimensat (NULL: now). */
static long h_utimes(struct sup_call *c)
{
	long nr = c->req->data.nr;
	int dirfd = nr == SYS_utimensat || nr == SYS_futimesat ? (int)ARG(0) : AT_FDCWD;
	uint64_t addr = dirfd == AT_FDCWD && nr != SYS_utimensat ? ARG(0) : ARG(1);
	uint64_t times = nr == SYS_utimensat || nr == SYS_futimesat ? ARG(2) : ARG(1);
	int at = nr == SYS_utimensat ? (int)ARG(3) : 0;
	struct timespec ts[2], *tp = NULL;
	struct ovl_res r;

	if (nr == SYS_futimesat && dirfd != AT_FDCWD)
		addr = ARG(1);
	if (!addr && nr == SYS_utimensat) {
		/* futimens: through the descriptor, copied up first */
		long rc = 0;
		if (times && (rc = sup_read(c, times, ts, sizeof ts)) < 0)
			return rc;
		if ((rc = fd_for_write(c, dirfd, &r)) != 0)
			return rc;
		return sc_ret(utimensat(AT_FDCWD, r.real, times ? ts : NULL, AT_SYMLINK_NOFOLLOW));
	}
	if (!addr)
		return CONTINUE; /* futimesat(fd, NULL): the kernel's */
	if (times) {
		int rc = 0;
		if (nr == SYS_utimensat) {
			rc = sup_read(c, times, ts, sizeof ts);
		} else if (nr == SYS_utime) {
			struct utimbuf u;
			rc = sup_read(c, times, &u, sizeof u);
			ts[0] = (struct timespec){ u.actime, 0 };
			ts[1] = (struct timespec){ u.modtime, 0 };
		} else {
			struct timeval tv[2];
			rc = sup_read(c, times, tv, sizeof tv);
			for (int i = 0; i < 2; i++)
				ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
		}
		if (rc < 0)
			return rc;
		tp = ts;
	}
	long rc = for_write(c, dirfd, addr, at, 0, &r);
	return rc != 0 ? rc : sc_ret(utimensat(AT_FDCWD, r.real, tp, at & AT_SYMLINK_NOFOLLOW));
}

/* An xattr name argument (longer than the kernel allows: ERANGE, as it
 * says), and a buffer for a value of size bytes (E2BIG above its limit). */
static long xattr_name(struct sup_call *c, uint64_t addr, char name[256])
{
	long rc = sup_read_path(c, addr, name, 256);
	return rc == -ENAMETOOLONG ? -ERANGE : rc;
}

static char *xattr_buf(size_t size)
{
	return size > 65536 ? NULL : malloc(size ? size : 1);
}

static long h_fchange(struct sup_call *c)
{
	long nr = c->req->data.nr;
	struct ovl_res r;
	long rc = fd_for_write(c, (int)ARG(0), &r);

	if (rc != 0)
		return rc;
	switch (nr) {
	case SYS_fchmod: return sc_ret(chmod(r.real, (mode_t)ARG(1)));
	case SYS_fchown: return sc_ret(lchown(r.real, (uid_t)ARG(1), (gid_t)ARG(2)));
	}
	char name[256];
	if ((rc = xattr_name(c, ARG(1), name)) < 0)
		return rc;
	if (nr == SYS_fremovexattr)
		return sc_ret(lremovexattr(r.real, name));
	size_t size = (size_t)ARG(3);
	char *value = xattr_buf(size);
	if (!value)
		return -E2BIG;
	rc = sup_read(c, ARG(2), value, size);
	if (rc == 0)
		rc = sc_ret(lsetxattr(r.real, name, value, size, (int)ARG(4)));
	free(value);
	return rc;
}

/* ---- xattrs ----------------------------------------------------------- */

/* The library's own records (user.overlay.*) are hidden, as from the
 * library's wrappers. */
static long h_xattr(struct sup_call *c)
{
	long nr = c->req->data.nr;
	int nofollow = nr == SYS_lgetxattr || nr == SYS_llistxattr || nr == SYS_lsetxattr ||
		       nr == SYS_lremovexattr;
	int list = nr == SYS_listxattr || nr == SYS_llistxattr || nr == SYS_flistxattr;
	int get = nr == SYS_getxattr || nr == SYS_lgetxattr || nr == SYS_fgetxattr;
	int byfd = nr == SYS_fgetxattr || nr == SYS_flistxattr;
	int set = nr == SYS_setxattr || nr == SYS_lsetxattr;
	char name[256];
	struct ovl_res r;
	long rc;

	if (!list && (rc = xattr_name(c, ARG(1), name)) < 0)
		return rc;
	int at = nofollow ? AT_SYMLINK_NOFOLLOW : 0;
	int fd = -1;
	if (byfd)
		rc = (fd = sup_fd_get(c, (int)ARG(0))) < 0 ? CONTINUE : 0;
	else if (list || get)
		rc = look(c, AT_FDCWD, ARG(0), at, 0, &r);
	else
		rc = for_write(c, AT_FDCWD, ARG(0), at, 0, &r);
	if (rc != 0)
		return rc;
	if (fd >= 0)
		c->fds[c->nfds++] = fd; /* closed when the call is answered */
	size_t size = list ? (size_t)ARG(2) : get || set ? (size_t)ARG(3) : 0;
	char *buf = xattr_buf(size);
	if (!buf)
		return -E2BIG;
	if (list) {
		rc = sc_ret(byfd ? flistxattr(fd, buf, size) :
			    nofollow ? llistxattr(r.real, buf, size) : listxattr(r.real, buf, size));
		if (rc > 0 && size)
			rc = ovl_xattr_hide(buf, rc);
	} else if (get) {
		rc = ovl_xattr_private(name) ? -ENODATA :
		     byfd ? sc_ret(fgetxattr(fd, name, buf, size)) :
		     sc_ret(nofollow ? lgetxattr(r.real, name, buf, size) : getxattr(r.real, name, buf, size));
	} else if (set) {
		rc = sup_read(c, ARG(2), buf, size);
		if (rc == 0)
			rc = sc_ret(lsetxattr(r.real, name, buf, size, (int)ARG(4)));
	} else {
		rc = sc_ret(lremovexattr(r.real, name));
	}
	if (rc > 0 && size && (list || get)) {
		long w = sup_write(c, ARG(list ? 1 : 2), buf, (size_t)rc);
		if (w < 0)
			rc = w;
	}
	free(buf);
	return rc;
}

/* ---- the file system, watches ------------------------------------------ */

/* The file system of the layer the object is found in, as the library's
 * statfs (a lower may sit on another device than the upper). */
static long h_statfs(struct sup_call *c)
{
	struct ovl_res r;
	struct statfs fs;
	long rc = look(c, AT_FDCWD, ARG(0), 0, 0, &r);

	if (rc == 0)
		rc = sc_ret(statfs(r.real, &fs));
	return rc == 0 ? sup_write(c, ARG(1), &fs, sizeof fs) : rc;
}

/* A watch on what the path finds, added to the target's own inotify
 * instance (our duplicate of its descriptor is the same instance). */
static long h_watch(struct sup_call *c)
{
	struct ovl_res r;
	uint32_t mask = (uint32_t)ARG(2);
	long rc = look(c, AT_FDCWD, ARG(1), (mask & IN_DONT_FOLLOW) ? AT_SYMLINK_NOFOLLOW : 0, 0, &r);

	if (rc != 0)
		return rc;
	int fd = sup_fd_get(c, (int)ARG(0));
	if (fd < 0)
		return CONTINUE; /* the kernel says what is wrong with it */
	rc = sc_ret(inotify_add_watch(fd, r.real, mask));
	close(fd);
	return rc;
}

/* ---- the working directory -------------------------------------------- */

/* 0 when fd is a directory the process may search, else -errno. */
static long searchable_dir(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return faccessat(fd, "", X_OK, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

/* The new cwd is checked here and kept as a descriptor, so that a failure
 * leaves the old one as it was.  An fchdir, or a chdir the kernel resolves
 * as the view does (a path outside every mount, from a cwd that is the
 * kernel's), is then made by the kernel too, and the descriptor stands
 * for the kernel's cwd; any other is answered here, the cwd kept here. */
static long h_chdir(struct sup_call *c)
{
	struct ovl_res r;
	int fd, own = 0;

	if (c->req->data.nr == SYS_fchdir) {
		if ((fd = sup_fd_get(c, (int)ARG(0))) < 0)
			return fd;
	} else {
		long rc = look(c, AT_FDCWD, ARG(0), 0, 0, &r);
		if (rc == CONTINUE) {
			struct sup_path p;
			char buf[OVL_PATH_MAX];
			if ((rc = path_arg(c, AT_FDCWD, ARG(0), &p)) < 0)
				return rc;
			fd = open(host_path(&p, buf, sizeof buf), O_PATH | O_DIRECTORY | O_CLOEXEC);
		} else if (rc != 0) {
			return rc;
		} else {
			fd = open(r.real, O_PATH | O_DIRECTORY | O_CLOEXEC);
			own = 1;
		}
		if (fd < 0)
			return -errno;
	}
	long rc = searchable_dir(fd);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	sup_cwd_set(c->proc, fd, own);
	return own ? 0 : CONTINUE;
}

/* The view's name of the cwd; the kernel's answer where it lies outside
 * every mount and is the kernel's own. */
static long h_getcwd(struct sup_call *c)
{
	char virt[OVL_PATH_MAX];
	int fd = sup_cwd(c->proc);

	if (fd < 0)
		return fd;
	long rc = ovl_dir_virtual(fd, virt, sizeof virt);
	if (rc == OVL_PASS && !c->proc->cwd_own)
		return CONTINUE;
	if (rc == OVL_PASS) { /* a kept cwd outside every mount: its host name */
		long n = ovl_fd_readlink(fd, virt, sizeof virt);
		if (n <= 0)
			return -ENOENT;
		virt[n] = '\0';
		rc = 0;
	}
	if (rc < 0)
		return rc;
	size_t len = strlen(virt);
	if (len + 1 > (size_t)ARG(1))
		return -ERANGE;
	rc = sup_write(c, ARG(0), virt, len + 1);
	return rc < 0 ? rc : (long)(len + 1);
}

/* ---- dispatch --------------------------------------------------------- */

static long dispatch(struct sup_call *c)
{
	switch (c->req->data.nr) {
	case SYS_open: case SYS_openat: case SYS_openat2: case SYS_creat:
		return h_open(c);
	case SYS_stat: case SYS_lstat: case SYS_newfstatat: case SYS_fstat:
		return h_stat(c);
	case SYS_statx: return h_statx(c);
	case SYS_access: case SYS_faccessat: case SYS_faccessat2:
		return h_access(c);
	case SYS_readlink: case SYS_readlinkat:
		return h_readlink(c);
	case SYS_getdents64: return h_getdents(c);
	case SYS_mkdir: case SYS_mkdirat: return h_mkdir(c);
	case SYS_mknod: case SYS_mknodat: return h_mknod(c);
	case SYS_unlink: case SYS_unlinkat: case SYS_rmdir:
		return h_unlink(c);
	case SYS_rename: case SYS_renameat: case SYS_renameat2:
		return h_rename(c);
	case SYS_link: case SYS_linkat: return h_link(c);
	case SYS_symlink: case SYS_symlinkat: return h_symlink(c);
	case SYS_chmod: case SYS_fchmodat: case SYS_fchmodat2: return h_chmod(c);
	case SYS_chown: case SYS_lchown: case SYS_fchownat:
		return h_chown(c);
	case SYS_truncate: return h_truncate(c);
	case SYS_utimensat: case SYS_utimes: case SYS_utime: case SYS_futimesat:
		return h_utimes(c);
	case SYS_fchmod: case SYS_fchown: case SYS_fsetxattr: case SYS_fremovexattr:
		return h_fchange(c);
	case SYS_getxattr: case SYS_lgetxattr: case SYS_listxattr: case SYS_llistxattr:
	case SYS_setxattr: case SYS_lsetxattr: case SYS_removexattr: case SYS_lremovexattr:
	case SYS_fgetxattr: case SYS_flistxattr:
		return h_xattr(c);
	case SYS_statfs: return h_statfs(c);
	case SYS_inotify_add_watch: return h_watch(c);
	case SYS_chdir: case SYS_fchdir: return h_chdir(c);
	case SYS_execve: case SYS_execveat: return h_exec(c);
	case SYS_getcwd: return h_getcwd(c);
	}
	return CONTINUE;
}

void sup_handle(struct sup_call *c)
{
	long v = dispatch(c);

	while (c->nfds > 0)
		close(c->fds[--c->nfds]);

	if (c->done)
		return;
	c->resp->id = c->req->id;
	if (v == CONTINUE)
		c->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (v < 0)
		c->resp->error = (int)v;
	else
		c->resp->val = v;
}
