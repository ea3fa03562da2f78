/*
 * The target as the supervisor sees it: its memory (process_vm_readv and
 * _writev; the supervisor is the target's ancestor, which ptrace's checks
 * allow), its descriptors (pidfd_getfd), and per process the working
 * directory as the view names it.
 *
 * The kernel's working directory of a target cannot be moved into a
 * directory that exists only in the upper, nor can we make the target call
 * fchdir.  So a chdir into a mount is answered here: the process's cwd is
 * remembered as a virtual path, and its relative paths are made absolute
 * from it.  A chdir outside every mount (and any fchdir) runs in the
 * kernel, and the remembered cwd is read back from /proc at the next call.
 * A process seen for the first time takes its parent's remembered cwd
 * (what it had at its fork, unless the parent moved since).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervise.h"
#include "sys.h"

int sup_valid(const struct sup_call *c)
{
	return ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &c->req->id) == 0;
}

int sup_read(const struct sup_call *c, uint64_t addr, void *buf, size_t n)
{
	struct iovec local = { buf, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t got = process_vm_readv(c->req->pid, &local, 1, &remote, 1, 0);
	return got == (ssize_t)n ? 0 : -EFAULT;
}

int sup_write(const struct sup_call *c, uint64_t addr, const void *buf, size_t n)
{
	struct iovec local = { (void *)buf, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t got = process_vm_writev(c->req->pid, &local, 1, &remote, 1, 0);
	return got == (ssize_t)n ? 0 : -EFAULT;
}

/* A string may end just before an unmapped page: read it a page at most
 * at a time, never across a page boundary. */
int sup_read_path(const struct sup_call *c, uint64_t addr, char *buf, size_t n)
{
	size_t have = 0;

	if (!addr)
		return -EFAULT;
	while (have < n) {
		size_t room = 4096 - ((addr + have) & 4095);
		if (room > n - have)
			room = n - have;
		struct iovec local = { buf + have, room };
		struct iovec remote = { (void *)(uintptr_t)(addr + have), room };
		ssize_t got = process_vm_readv(c->req->pid, &local, 1, &remote, 1, 0);
		if (got <= 0)
			return -EFAULT;
		char *nul = memchr(buf + have, '\0', (size_t)got);
		if (nul)
			return sup_valid(c) ? 0 : -ESRCH;
		have += (size_t)got;
	}
	return -ENAMETOOLONG;
}

/* ---- processes -------------------------------------------------------- */

/* Processes by thread group id (open addressing), and the thread group
 * of recently seen threads (a multithreaded target, Go's runtime, calls
 * from many threads: each would otherwise cost a read of /proc). */
#define NPROC 4096
#define PROBES 32
static struct sup_proc *procs[NPROC];
static struct thread {
	pid_t tid;
	struct sup_proc *proc;
} threads[NPROC];
static int epfd = -1;

int sup_epoll(void)
{
	if (epfd < 0)
		epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd;
}

/* The start of /proc/PID/NAME, NUL-terminated in buf: its length, or -1. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, n - 1);
	if (fd >= 0)
		close(fd);
	if (got > 0)
		buf[got] = '\0';
	return got > 0 ? got : -1;
}

/* The number after field in /proc/PID/NAME (base 10 or 8), or -1. */
static long proc_field(pid_t pid, const char *name, const char *field, int base)
{
	char buf[2048];
	if (read_proc(pid, name, buf, sizeof buf) < 0)
		return -1;
	char *p = strstr(buf, field);
	return p ? strtol(p + strlen(field), NULL, base) : -1;
}

static long status_field(pid_t pid, const char *field)
{
	return proc_field(pid, "status", field, 10);
}

/* The view's name of the kernel's cwd of pid (a layer's directory shows
 * as the virtual path it serves). */
static void cwd_from_kernel(pid_t pid, struct sup_proc *p)
{
	char link[64], real[OVL_PATH_MAX];
	snprintf(link, sizeof link, "/proc/%d/cwd", (int)pid);
	ssize_t n = readlink(link, real, sizeof real - 1);
	if (n <= 0) {
		strcpy(p->cwd, "/");
		return;
	}
	real[n] = '\0';
	if (ovl_virtual_of(real, p->cwd, sizeof p->cwd) != 0)
		snprintf(p->cwd, sizeof p->cwd, "%s", real);
	p->cwd_real = 1;
}

static struct sup_proc **slot_of(pid_t tgid, int empty_ok)
{
	for (unsigned i = 0; i < PROBES; i++) {
		struct sup_proc **sp = &procs[((unsigned)tgid + i) % NPROC];
		if ((*sp && (*sp)->tgid == tgid) || (!*sp && empty_ok))
			return sp;
	}
	return NULL;
}

static struct sup_proc *find(pid_t tgid)
{
	struct sup_proc **sp = slot_of(tgid, 0);
	return sp ? *sp : NULL;
}

/* A process seen for the first time: its cwd is its parent's, as at the
 * fork, unless the kernel's agrees with the view anyway. */
static struct sup_proc *new_proc(pid_t tgid)
{
	struct sup_proc **sp = slot_of(tgid, 1), *p;

	if (!sp || !(p = calloc(1, sizeof *p)))
		return NULL;
	p->tgid = tgid;
	p->pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	long ppid = status_field(tgid, "\nPPid:");
	struct sup_proc *parent = ppid > 0 ? find((pid_t)ppid) : NULL;
	if (parent && !parent->cwd_real)
		memcpy(p->cwd, parent->cwd, sizeof p->cwd);
	else
		cwd_from_kernel(tgid, p);
	*sp = p;
	if (p->pidfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)p->pidfd + 1 };
		epoll_ctl(sup_epoll(), EPOLL_CTL_ADD, p->pidfd, &ev);
	}
	return p;
}

struct sup_proc *sup_proc_of(pid_t tid)
{
	struct thread *t = &threads[(unsigned)tid % NPROC];
	struct sup_proc *p;

	if (t->tid == tid && t->proc)
		return t->proc;
	if ((p = find(tid))) /* a process's first thread */
		return p;
	long tgid = status_field(tid, "\nTgid:");
	if (tgid <= 0)
		tgid = tid;
	if (!(p = find((pid_t)tgid)) && !(p = new_proc((pid_t)tgid)))
		return NULL;
	t->tid = tid;
	t->proc = p;
	return p;
}

/* The process whose pidfd became readable has exited. */
void sup_proc_reap(int pidfd)
{
	for (int i = 0; i < NPROC; i++) {
		struct sup_proc *p = procs[i];
		if (!p || p->pidfd != pidfd)
			continue;
		for (int j = 0; j < NPROC; j++)
			if (threads[j].proc == p)
				threads[j].proc = NULL;
		epoll_ctl(sup_epoll(), EPOLL_CTL_DEL, pidfd, NULL);
		close(pidfd);
		free(p);
		procs[i] = NULL;
		return;
	}
}

/* ---- paths ------------------------------------------------------------ */

/* The view's name of the target's descriptor fd; *removed: its object
 * has been removed since (the kernel's name ends in " (deleted)"). */
static int fd_path(const struct sup_call *c, int fd, char *out, size_t n, int *removed)
{
	static const char gone[] = " (deleted)";
	char link[64], real[OVL_PATH_MAX];
	snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)c->req->pid, fd);
	ssize_t len = readlink(link, real, sizeof real - 1);
	if (len <= 0)
		return -EBADF;
	real[len] = '\0';
	if (real[0] != '/')
		return -ENOTDIR; /* a pipe, a socket */
	*removed = (size_t)len > sizeof gone - 1 && strcmp(real + len - (sizeof gone - 1), gone) == 0;
	if (*removed)
		real[len - (sizeof gone - 1)] = '\0';
	if (ovl_virtual_of(real, out, n) != 0 && (size_t)snprintf(out, n, "%s", real) >= n)
		return -ENAMETOOLONG;
	return 0;
}

/* A removed directory's ".." still leads to where it was (the kernel keeps
 * its parent): the leading "../" of path are taken off base, which is
 * canonical.  A final "." or ".." stays, for the calls that refuse it by
 * its kind.  Returns the rest of path. */
static const char *climb_removed(char *base, const char *path)
{
	size_t bl = strlen(base);

	for (;;) {
		size_t skip = path[0] == '.' && path[1] == '/' ? 2 :
			      path[0] == '.' && path[1] == '.' && path[2] == '/' ? 3 : 0;
		size_t more = skip;
		while (skip && path[more] == '/')
			more++;
		if (!skip || path[more] == '\0')
			return path;
		if (skip == 3) {
			while (bl > 1 && base[bl - 1] != '/')
				bl--;
			if (bl > 1)
				bl--;
			base[bl] = '\0';
		}
		path += more;
	}
}

int sup_absolute(const struct sup_call *c, int dirfd, const char *path, char *out, size_t n)
{
	char base[OVL_PATH_MAX];

	if (path[0] == '/') {
		if (strlen(path) >= n)
			return -ENAMETOOLONG;
		strcpy(out, path);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		if (c->proc->cwd_real == 2) /* moved by the kernel: read it back */
			cwd_from_kernel(c->proc->tgid, c->proc);
		snprintf(base, sizeof base, "%s", c->proc->cwd);
	} else {
		int removed = 0, rc = fd_path(c, dirfd, base, sizeof base, &removed);
		if (rc < 0)
			return rc;
		struct stat st;
		int fd = removed ? sup_fd_get(c, dirfd) : -1;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			path = climb_removed(base, path);
		if (fd >= 0)
			close(fd);
	}
	size_t bl = strlen(base);
	if (bl + 1 + strlen(path) >= n)
		return -ENAMETOOLONG;
	snprintf(out, n, "%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/", path);
	return 0;
}

int sup_fd_get(const struct sup_call *c, int fd)
{
	if (c->proc->pidfd < 0)
		return -ESRCH;
	long rc = syscall(SYS_pidfd_getfd, c->proc->pidfd, fd, 0);
	return rc < 0 ? -errno : (int)rc;
}

mode_t sup_umask(const struct sup_call *c)
{
	long m = proc_field(c->req->pid, "status", "Umask:", 8);
	return m < 0 ? 022 : (mode_t)m;
}

int sup_fd_cloexec(const struct sup_call *c, int fd)
{
	char name[32];
	snprintf(name, sizeof name, "fdinfo/%d", fd);
	long f = proc_field(c->req->pid, name, "flags:", 8);
	return f > 0 && (f & O_CLOEXEC);
}
