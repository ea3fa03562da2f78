/*
 * The supervisor: a second front end of core/, for programs the preload
 * library cannot enter (static programs, Go programs, raw system calls).
 *
 * The target runs under a seccomp filter that sends its path system calls
 * to us as user notifications (SECCOMP_RET_USER_NOTIF).  For each one we
 * read the path from the target's memory, check that the notification is
 * still valid (the pid may have been reused meanwhile), ask core what the
 * call means in the overlay, make the call ourselves on the host path core
 * names, and hand back only its result: a number, an errno, a descriptor
 * installed in the target (SECCOMP_IOCTL_NOTIF_ADDFD), or a structure
 * written into the target's memory.  A call on a path outside every mount
 * continues in the kernel untouched.  We never rewrite a pointer the target
 * passed: a thread of the target could change the memory between our look
 * and the kernel's.
 *
 * Files: main.c starts the target and serves; filter.c the BPF program;
 * target.c the target's memory, processes and working directories;
 * calls.c one handler per system call family.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/types.h>

#include "ovl.h"
#include "sys.h"

/* Older uapi headers lack these (Linux 6.6). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* x86_64, Linux 6.6 */
#endif

/* One notification being answered. */
struct sup_call {
	int listener;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct sup_proc *proc; /* the target's process (thread group) */
	int done;              /* answered already (ADDFD with SEND) */
	int fds[2], nfds;      /* our copies of its directory descriptors */
};

/* What we keep of a target process: a descriptor of its working
 * directory.  The kernel's cwd of a target cannot be moved into a
 * directory that exists only in the upper, so a chdir into a mount is
 * answered here: cwd_own says that cwd_fd (ours) is the process's cwd in
 * the view, while the kernel's stayed where it was.  Otherwise cwd_fd, once
 * opened, is the kernel's cwd itself (/proc/PID/cwd), and follows it when
 * another process renames it.  Relative paths are made absolute from it by
 * core, as the library makes them from the real cwd. */
struct sup_proc {
	pid_t tgid;
	int pidfd;
	int cwd_fd;            /* -1: not opened yet */
	int cwd_own;
};

/* filter.c: install the filter in this (child) process; the listener's
 * descriptor, or -errno. */
int sup_filter_install(void);
/* The system call numbers the filter sends us. */
extern const int sup_calls[];
extern const int sup_ncalls;

/* target.c */
int sup_valid(const struct sup_call *c);
/* Read the NUL-terminated string at addr into buf: 0, or -errno
 * (-ENAMETOOLONG when it does not fit). */
int sup_read_path(const struct sup_call *c, uint64_t addr, char *buf, size_t n);
int sup_read(const struct sup_call *c, uint64_t addr, void *buf, size_t n);
int sup_write(const struct sup_call *c, uint64_t addr, const void *buf, size_t n);
struct sup_proc *sup_proc_of(pid_t tid);
void sup_proc_reap(int pidfd);
/* A copy of the target's descriptor fd in this process, or -errno. */
int sup_fd_get(const struct sup_call *c, int fd);
/* The process's cwd: our descriptor of it (not to be closed), or -errno;
 * sup_cwd_set makes dirfd (ours; -1: the kernel's, reopened when needed)
 * its cwd, kept here (own) or the same as the kernel's. */
int sup_cwd(struct sup_proc *p);
void sup_cwd_set(struct sup_proc *p, int dirfd, int own);
/* The target's umask, for calls that create; whether its descriptor fd
 * closes on exec. */
mode_t sup_umask(const struct sup_call *c);
int sup_fd_cloexec(const struct sup_call *c, int fd);
/* The thread of c calls its execve/execveat again on host: 0 (the call is
 * withdrawn, not to be answered), or -errno. */
int sup_exec_redirect(const struct sup_call *c, const char *host);
/* Poll set of process descriptors, for main.c. */
int sup_epoll(void);

/* calls.c: answer c (fill c->resp, or set c->done). */
void sup_handle(struct sup_call *c);

#endif
