/*
 * Can this process make an io_uring?  Its file operations would run inside
 * the kernel, unseen by the library.
 *
 *   uring_probe [CMD [ARG]...]
 *
 * Calls io_uring_setup(2) for a ring of one entry (as liburing's first call
 * does) and prints "io_uring_setup: ok" or the errno's name (ENOSYS: the
 * program falls back to ordinary calls), then execs CMD when given.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

int main(int argc, char **argv)
{
	struct io_uring_params params = { 0 };
	long fd = syscall(SYS_io_uring_setup, 1, &params);

	if (fd >= 0) {
		close((int)fd);
		printf("io_uring_setup: ok\n");
	} else {
		printf("io_uring_setup: %s\n", strerrorname_np(errno));
	}
	fflush(stdout);
	if (argc > 1) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		return 127;
	}
	return 0;
}
