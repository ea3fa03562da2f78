/*
 * spawn: the exec start-up workload of bench/run.sh.
 *
 *   spawn COUNT PROG [ARG]...
 *
 * Runs PROG COUNT times, one after the other, with fork + execve and the
 * current environment (so under liboverlay every child loads the library
 * again).  Fails if any run does not exit with status 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: spawn COUNT PROG [ARG]...\n");
		return 2;
	}
	long count = atol(argv[1]);
	for (long i = 0; i < count; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("spawn: fork");
			return 1;
		}
		if (pid == 0) {
			execve(argv[2], &argv[2], environ);
			fprintf(stderr, "spawn: %s: %s\n", argv[2], strerror(errno));
			_exit(127);
		}
		int status;
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				perror("spawn: waitpid");
				return 1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "spawn: run %ld of %s: status 0x%x\n", i + 1, argv[2], status);
			return 1;
		}
	}
	printf("ran %ld\n", count);
	return 0;
}
