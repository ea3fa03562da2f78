/*
 * The target as the supervisor sees it: its memory (process_vm_readv and
 * _writev; the supervisor is the target's ancestor, which ptrace's checks
 * allow), its descriptors (pidfd_getfd), and per process a descriptor of
 * its working directory.
 *
 * The kernel's working directory of a target cannot be moved into a
 * directory that exists only in the upper, nor can we make the target call
 * fchdir.  So a chdir into a mount is answered here, with a descriptor of
 * the directory kept for the process (supervise.h); a chdir that the
 * kernel resolves as the view does (and any fchdir) runs in the kernel.
 * A process seen for the first time takes its parent's kept cwd (what it
 * had at its fork, unless the parent moved since).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
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

/* ---- exec ------------------------------------------------------------- */

/* The thread waiting in execve or execveat calls it again on host instead.
 * A notification cannot change the registers a call was made with, and the
 * target's own string may be too short or read-only: the thread is seized
 * and interrupted (the call is withdrawn, to be restarted), host is written
 * on its stack below the red zone, the path argument pointed at it, and the
 * thread let go; the restarted call comes back to us with host, which
 * continues in the kernel.  The stop is looked at with WNOWAIT, so that a
 * thread that dies meanwhile leaves its status to its parent (our child's,
 * to main.c).  0, or -errno (another tracer, Yama's ptrace_scope). */
int sup_exec_redirect(const struct sup_call *c, const char *host)
{
	pid_t tid = (pid_t)c->req->pid;
	int at = c->req->data.nr == SYS_execveat;
	struct user_regs_struct regs;
	siginfo_t si = { 0 };
	int rc = 0;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0)
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 ||
	    waitid(P_PID, (id_t)tid, &si, WSTOPPED | WEXITED | WNOWAIT | __WALL) < 0)
		rc = -errno;
	else if (si.si_code != CLD_TRAPPED || ptrace(PTRACE_GETREGS, tid, 0, &regs) < 0)
		rc = -ESRCH;
	if (rc == 0) {
		size_t n = strlen(host) + 1;
		uint64_t addr = (regs.rsp - 256 - n) & ~(uint64_t)15;
		rc = sup_write(c, addr, host, n);
		if (at) {
			regs.rdi = (uint64_t)AT_FDCWD;
			regs.rsi = addr;
		} else {
			regs.rdi = addr;
		}
		if (rc == 0 && ptrace(PTRACE_SETREGS, tid, 0, &regs) < 0)
			rc = -errno;
	}
	ptrace(PTRACE_DETACH, tid, 0, 0);
	return rc;
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

/* The number after field in text (base 10 or 8), or -1. */
static long field_in(const char *text, const char *field, int base)
{
	const char *p = strstr(text, field);
	return p ? strtol(p + strlen(field), NULL, base) : -1;
}

/* The number after field in /proc/PID/NAME, or -1. */
static long proc_field(pid_t pid, const char *name, const char *field, int base)
{
	char buf[2048];
	return read_proc(pid, name, buf, sizeof buf) < 0 ? -1 : field_in(buf, field, base);
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

/* A process seen for the first time: a child of one whose cwd is kept
 * here takes a copy of that (what it had at its fork, unless the parent
 * moved since); any other has the kernel's, opened when first needed. */
static struct sup_proc *new_proc(pid_t tgid, long ppid)
{
	struct sup_proc **sp = slot_of(tgid, 1), *p;

	if (!sp || !(p = calloc(1, sizeof *p)))
		return NULL;
	p->tgid = tgid;
	p->pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	p->cwd_fd = -1;
	struct sup_proc *parent = ppid > 0 ? find((pid_t)ppid) : NULL;
	if (parent && parent->cwd_own && parent->cwd_fd >= 0) {
		p->cwd_fd = fcntl(parent->cwd_fd, F_DUPFD_CLOEXEC, 0);
		p->cwd_own = p->cwd_fd >= 0;
	}
	*sp = p;
	if (p->pidfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)p->pidfd };
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
	/* one read gives both: a thread's PPid is its process's */
	char status[2048];
	long tgid = -1, ppid = -1;
	if (read_proc(tid, "status", status, sizeof status) > 0) {
		tgid = field_in(status, "\nTgid:", 10);
		ppid = field_in(status, "\nPPid:", 10);
	}
	if (tgid <= 0)
		tgid = tid;
	if (!(p = find((pid_t)tgid)) && !(p = new_proc((pid_t)tgid, ppid)))
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
		if (p->cwd_fd >= 0)
			close(p->cwd_fd);
		free(p);
		procs[i] = NULL;
		return;
	}
}

/* ---- paths ------------------------------------------------------------ */

int sup_cwd(struct sup_proc *p)
{
	if (p->cwd_fd < 0) {
		char link[64];
		snprintf(link, sizeof link, "/proc/%d/cwd", (int)p->tgid);
		p->cwd_fd = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
		p->cwd_own = 0;
	}
	return p->cwd_fd < 0 ? -errno : p->cwd_fd;
}

void sup_cwd_set(struct sup_proc *p, int dirfd, int own)
{
	if (p->cwd_fd >= 0)
		close(p->cwd_fd);
	p->cwd_fd = dirfd;
	p->cwd_own = dirfd >= 0 && own;
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
