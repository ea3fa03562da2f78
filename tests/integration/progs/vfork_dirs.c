/*
 * A vfork child shares its parent's memory but not its descriptors: what it
 * opens must not change what the parent's descriptors mean.
 *
 *   vfork_dirs A B     (directories, each holding a file "f")
 *
 * The parent opens A; a vfork child closes that number, opens B (which
 * gets the same number) and exits; the parent then reads "f" relative to
 * its descriptor, which is still A, and prints it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	char buf[64];

	if (argc != 3)
		return 2;
	int a = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (a < 0)
		return perror("open A"), 1;
	pid_t pid = vfork();
	if (pid == 0) {
		close(a);
		int b = open(argv[2], O_RDONLY | O_DIRECTORY);
		_exit(b == a ? 0 : 3);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return fprintf(stderr, "child failed\n"), 1;
	int f = openat(a, "f", O_RDONLY);
	ssize_t n = f < 0 ? -1 : read(f, buf, sizeof buf - 1);
	if (n < 0)
		return perror("read A/f"), 1;
	buf[n] = '\0';
	fputs(buf, stdout);
	return 0;
}
