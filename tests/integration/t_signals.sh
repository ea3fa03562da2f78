# A signal handler that changes files while the interrupted code is in the
# middle of a change in the same directory: the change's lock must not be
# waited for by its own thread (core/lock.c blocks signals around a lock
# once the process has a handler, shim/signal.c tells it so).
# shellcheck shell=bash disable=SC2016,SC2034

test_handler_changes_during_renames() {
	command -v gcc >/dev/null || skip "gcc is not installed"
	cat >"$T/sig.c" <<'C'
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>
static volatile sig_atomic_t fired;
static void on_alarm(int s)
{
	(void)s;
	/* a change in the directory the main loop is renaming in */
	int fd = open("d/h", O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
	unlink("d/h");
	fired++;
}
int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < 4000; i++)
		if (rename(i % 2 ? "d/b" : "d/a", i % 2 ? "d/a" : "d/b") != 0) {
			perror("rename");
			return 1;
		}
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	printf("%s\n", fired > 10 ? "fired" : "too few signals");
	return 0;
}
C
	gcc -O1 -o "$T/sig" "$T/sig.c" || fail "cannot build the test program"
	put "$L/d/a" 'lower data'
	freeze "$L"
	# a self-deadlock would wait ten seconds per meeting: 60 s is a hang
	ovl timeout 60 "$T/sig"
	expect_rc 0
	expect_out fired
	expect_file "$U/d/a" 'lower data'
	expect_missing "$U/d/b"
	expect_missing "$U/d/h"
}
