/* Lists directory argv[1], prints file argv[2] and its size, renames it to
 * argv[2].moved and back: a static program's view through the supervisor. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char *names[64], buf[256], moved[256];
	int n = 0;
	if (argc < 3)
		return 2;
	DIR *d = opendir(argv[1]);
	if (!d)
		return perror(argv[1]), 1;
	for (struct dirent *e; (e = readdir(d)) && n < 64;)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], by_name);
	for (int i = 0; i < n; i++)
		printf("%s\n", names[i]);
	int fd = open(argv[2], O_RDONLY);
	ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	struct stat st;
	if (got < 0 || fstatat(AT_FDCWD, argv[2], &st, 0) < 0)
		return perror(argv[2]), 1;
	buf[got] = '\0';
	printf("%s: %lld bytes: %s", argv[2], (long long)st.st_size, buf);
	snprintf(moved, sizeof moved, "%s.moved", argv[2]);
	if (rename(argv[2], moved) < 0 || access(argv[2], F_OK) == 0 || rename(moved, argv[2]) < 0)
		return perror("rename"), 1;
	printf("renamed and back\n");
	return 0;
}
