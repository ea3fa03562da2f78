/*
 * The directory locks of core/lock.c, between real processes: a change
 * made under the lock excludes every other, and a holder killed while it
 * holds the lock does not stop the others for good.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static void fini(void)
{
	ovl_config_reset();
	fx_teardown();
}

#define LOCK(name) Test(lock, name, .init = fx_setup, .fini = fini, .timeout = 30)

static const struct ovl_mount *std_mount(void)
{
	mount_std(1);
	const struct ovl_mount *m = ovl_mount_at(0);
	cr_assert_not_null(m);
	cr_assert_not_null(ovl_gen_map(m), "no counter map");
	return m;
}

/* Read a number from path, add one, write it back: a lost update when
 * two processes do it at once without the lock. */
static void bump_file(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDWR);

	if (fd < 0 || pread(fd, buf, sizeof buf - 1, 0) < 0)
		_exit(3);
	long n = atol(buf);
	usleep(n % 7 == 0 ? 50 : 0); /* widen the window now and then */
	int len = snprintf(buf, sizeof buf, "%ld\n", n + 1);
	if (pwrite(fd, buf, (size_t)len, 0) != len)
		_exit(4);
	close(fd);
}

LOCK(excludes_other_processes)
{
	const struct ovl_mount *m = std_mount();
	const char *counter = UP("count");
	enum { PROCS = 3, EACH = 400 };

	write_file(counter, "0\n");
	for (int p = 0; p < PROCS; p++) {
		if (fork() == 0) {
			for (int i = 0; i < EACH; i++) {
				struct ovl_lock lk;
				if (ovl_lock_dir(m, T.upper, &lk) < 0)
					_exit(2);
				bump_file(counter);
				ovl_unlock(&lk);
			}
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int st;
		cr_assert_gt(wait(&st), 0);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	}
	char want[32];
	snprintf(want, sizeof want, "%d\n", PROCS * EACH);
	char *got = read_file(counter);
	cr_assert_str_eq(got, want, "lost updates: %s", got);
	free(got);
}

/* Two directories sharing nothing do not wait for each other; the same
 * directory named twice is locked once (no self-deadlock). */
LOCK(same_directory_twice_is_one_lock)
{
	const struct ovl_mount *m = std_mount();
	struct ovl_lock lk;

	mkdirs(UP("a"));
	cr_assert_eq(ovl_lock_dirs(m, UP("a"), UP("a"), &lk), 0);
	ovl_unlock(&lk);
	cr_assert_eq(ovl_lock_dirs(m, UP("a"), T.upper, &lk), 0);
	ovl_unlock(&lk);
}

LOCK(dead_holder_lets_go)
{
	const struct ovl_mount *m = std_mount();
	int ready[2];
	pid_t kid;

	cr_assert_eq(pipe(ready), 0);
	if ((kid = fork()) == 0) {
		struct ovl_lock lk;
		if (ovl_lock_dir(m, T.upper, &lk) < 0)
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		pause(); /* killed holding it */
		_exit(4);
	}
	char c;
	cr_assert_eq(read(ready[0], &c, 1), 1);
	kill(kid, SIGKILL);
	int st;
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	cr_assert(WIFSIGNALED(st), "holder was not killed: %#x", st);

	struct timespec t0, t1;
	struct ovl_lock lk;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(ovl_lock_dir(m, T.upper, &lk), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ovl_unlock(&lk);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_lt(s, 5.0, "took %.2f s to take a dead holder's lock", s);
}

/* Signals are blocked while a lock is held once the process has a handler
 * (a handler could otherwise wait for the word its own thread holds), and
 * not before: a process without handlers saves the two system calls. */
static int usr1_blocked(void)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGUSR1);
}

LOCK(signals_blocked_only_with_handlers)
{
	const struct ovl_mount *m = std_mount();
	struct ovl_lock lk;
	pid_t kid = fork();

	if (kid == 0) { /* a fresh process: the flag is per process */
		int ok = 1;
		if (ovl_lock_dir(m, T.upper, &lk) < 0)
			_exit(2);
		ok &= !usr1_blocked();
		ovl_unlock(&lk);
		__atomic_store_n(&ovl_handlers_installed, 1, __ATOMIC_RELAXED);
		if (ovl_lock_dir(m, T.upper, &lk) < 0)
			_exit(2);
		ok &= usr1_blocked();
		ovl_unlock(&lk);
		ok &= !usr1_blocked();
		_exit(ok ? 0 : 1);
	}
	int st;
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mask not as expected: %#x", st);
}
