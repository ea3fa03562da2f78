/*
 * posix_spawn's directory file actions: the child's cwd and the relative
 * paths of later actions.
 *
 *   spawn_chdir DIR    (a directory holding a file "g" and "sub/s")
 *
 * Spawns /bin/cat with stdin and stdout given by actions that follow an
 * addchdir_np(DIR) (DIR/g into DIR/out), an addfchdir_np of a descriptor
 * of DIR (DIR/g into DIR/out2), two chained relative addchdir_np (DIR
 * then sub: stdin sub/s), /bin/ls in DIR, and an addchdir_np of a missing
 * directory; then prints DIR/out and DIR/out2 as the parent sees them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Spawn prog with the actions fa, wait, and say how it went. */
static void run(const char *what, const char *prog, posix_spawn_file_actions_t *fa)
{
	char *argv[] = { (char *)prog, NULL };
	pid_t pid;
	int st, rc;

	fflush(stdout);
	rc = posix_spawn(&pid, prog, fa, NULL, argv, environ);
	if (rc != 0)
		printf("%s: spawn failed, errno %d\n", what, rc);
	else if (waitpid(pid, &st, 0) != pid)
		printf("%s: waitpid failed\n", what);
	else
		printf("%s: status %d\n", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	posix_spawn_file_actions_destroy(fa);
}

static void show(const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("%s: %s\n", path, strerror(errno));
		return;
	}
	while (fgets(buf, sizeof buf, f))
		printf("%s: %s", path, buf);
	fclose(f);
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	char path[4096];
	int fd;

	if (argc != 2)
		return 2;
	const char *dir = argv[1];

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawn_file_actions_addopen(&fa, 0, "g", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "out", O_WRONLY | O_CREAT | O_APPEND, 0644);
	run("addchdir_np", "/bin/cat", &fa);

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return perror("open DIR"), 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addfchdir_np(&fa, fd);
	posix_spawn_file_actions_addopen(&fa, 0, "g", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "out2", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	run("addfchdir_np", "/bin/cat", &fa);
	close(fd);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawn_file_actions_addchdir_np(&fa, "sub");
	posix_spawn_file_actions_addopen(&fa, 0, "s", O_RDONLY, 0);
	run("relative addchdir_np", "/bin/cat", &fa);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	run("ls", "/bin/ls", &fa);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, "nowhere");
	run("missing", "/bin/cat", &fa);

	snprintf(path, sizeof path, "%s/out", dir);
	show(path);
	snprintf(path, sizeof path, "%s/out2", dir);
	show(path);
	return 0;
}
