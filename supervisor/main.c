/*
 * overlay-supervise: run a program whose calls the preload library cannot
 * see (a static or Go program, raw system calls) inside the overlay that
 * OVERLAY_* describes, as the library would show it.
 *
 *   overlay-supervise [--argv0 NAME] PROGRAM [ARG]...
 *
 * We fork; the child installs the filter (filter.c), hands us its listener
 * over a socket pair and executes PROGRAM; we answer its notifications
 * (calls.c) until no process under the filter is left, then exit with the
 * child's status.  SIGTERM and SIGHUP sent to us are passed on to the
 * child; SIGINT and SIGQUIT from a terminal reach it without us, and we
 * wait for it, as a shell waits for its foreground job.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"

static pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "overlay-supervise: %s: %s\n", what, strerror(err));
	exit(125);
}

static int send_fd(int sock, int fd)
{
	char ctl[CMSG_SPACE(sizeof fd)] = { 0 }, byte = 0;
	struct iovec io = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof ctl };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fd);
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 }, byte;
	struct iovec io = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof ctl };
	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int fd;
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

/* Become the program (a name without '/' is looked up in PATH); what is
 * left is the exit status of a failed exec, as env(1)'s. */
static int run(const char *prog, char **argv)
{
	if (strchr(prog, '/'))
		execv(prog, argv);
	else
		execvp(prog, argv);
	fprintf(stderr, "overlay-supervise: %s: %s\n", prog, strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

/* The child: filter, listener to the parent, then the program as argv0. */
static void start_child(int sock, const char *prog, char **argv)
{
	int listener = sup_filter_install();
	if (listener < 0) {
		fprintf(stderr, "overlay-supervise: seccomp: %s\n", strerror(-listener));
		_exit(125);
	}
	if (send_fd(sock, listener) < 0)
		_exit(125);
	close(listener);
	close(sock);
	_exit(run(prog, argv));
}

/* Forget the processes that have exited (their pidfds are readable).
 * Called before each call is looked up: a process's exit comes before its
 * pid can be reused, so a reused pid never finds its predecessor's entry. */
static void reap_exited(int ep)
{
	struct epoll_event got[16];
	int n;

	while ((n = epoll_wait(ep, got, 16, 0)) > 0)
		for (int i = 0; i < n; i++)
			sup_proc_reap((int)got[i].data.u64);
}

static int hung_up(int listener)
{
	struct pollfd p = { .fd = listener };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

static void serve_one(int listener, struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	memset(resp, 0, sizeof *resp);
	struct sup_call c = { .listener = listener, .req = req, .resp = resp,
			      .proc = sup_proc_of((pid_t)req->pid) };
	if (!c.proc) {
		resp->id = req->id;
		resp->error = -ENOMEM;
	} else {
		sup_handle(&c);
	}
	if (!c.done)
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
}

/* Serve until every process under the filter is gone.  The wait is a
 * blocking RECV, not epoll: the kernel's synchronous wake-up (which
 * switches straight from the target to us and back) only reaches a task
 * waiting in RECV itself, and it halves the cost of each call.  With no
 * process left, RECV fails with ENOENT and the listener reports a hang-up. */
static void serve(int listener)
{
	struct seccomp_notif *req = calloc(1, sizeof *req + 256);
	struct seccomp_notif_resp *resp = calloc(1, sizeof *resp + 256);
	int ep = sup_epoll();

	if (!req || !resp || ep < 0)
		die("start", errno ? errno : ENOMEM);
	for (;;) {
		memset(req, 0, sizeof *req);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == ENOENT && hung_up(listener))
				return;
			if (errno != EINTR && errno != ENOENT)
				die("receive", errno);
			continue; /* a signal, or the caller died meanwhile */
		}
		reap_exited(ep);
		serve_one(listener, req, resp);
	}
}

int main(int argc, char **argv)
{
	char err[512];
	int sv[2];

	int first = 1;
	const char *argv0 = NULL;
	if (argc > 3 && strcmp(argv[1], "--argv0") == 0) {
		argv0 = argv[2];
		first = 3;
	}
	if (argc <= first || strcmp(argv[first], "--help") == 0) {
		fprintf(stderr, "usage: overlay-supervise [--argv0 NAME] PROGRAM [ARG]...\n");
		return argc <= first ? 125 : 0;
	}
	const char *prog = argv[first];
	if (argv0)
		argv[first] = (char *)argv0;
	if (ovl_supervised()) {
		/* under a supervisor already (the filter is inherited): a second
		 * one would translate the first one's host paths again */
		return run(prog, argv + first);
	}
	if (ovl_config_from_env(environ, err, sizeof err) < 0) {
		fprintf(stderr, "overlay-supervise: %s\n", err);
		return 125;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair", errno);
	child = fork();
	if (child < 0)
		die("fork", errno);
	if (child == 0) {
		close(sv[0]);
		start_child(sv[1], prog, argv + first);
	}
	close(sv[1]);
	int listener = recv_fd(sv[0]);
	close(sv[0]);
	if (listener < 0) {
		int st;
		waitpid(child, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 125;
	}
	__u64 sync = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync); /* fast wake-ups where known */
	/* a terminal's signals reach the child's process group by themselves;
	 * those sent to us by pid are passed on */
	struct sigaction sa = { .sa_handler = pass_on }, ign = { .sa_handler = SIG_IGN };
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	serve(listener);
	int st;
	if (waitpid(child, &st, 0) < 0)
		return 125;
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		raise(WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}
