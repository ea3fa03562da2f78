/*
 * File work in the current directory from a program linked with jemalloc
 * (t_alloc.sh).  jemalloc initialises on the first allocation, before main
 * when a constructor allocates (libstdc++'s does), and reads
 * /etc/malloc.conf with readlink then: under liboverlay that call may be
 * the library's first, so its configuration read runs inside jemalloc's
 * initialisation and must not allocate.
 *
 *   jemalloc_files: prints "jemalloc VERSION-MAJOR", then works on the files
 *   f (exists), sub/ (exists) and link (a symlink to f) of the cwd.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* jemalloc's control interface (without the je_ prefix, as Debian builds
 * it): proves the program's malloc is jemalloc's. */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *version = NULL;
	size_t len = sizeof version;
	char buf[256], *names[64], **big;
	int n = 0;

	if (mallctl("version", &version, &len, NULL, 0) != 0 || !version) {
		puts("not jemalloc");
		return 1;
	}
	printf("jemalloc %c\n", version[0]);

	/* allocations of every size class while the overlay works */
	big = malloc(1000 * sizeof *big);
	for (int i = 0; i < 1000; i++)
		big[i] = malloc((size_t)(i * 37 % 70000) + 1);

	FILE *f = fopen("f", "r");
	if (!f || !fgets(buf, sizeof buf, f)) {
		perror("read f");
		return 1;
	}
	fclose(f);
	printf("f: %s", buf);

	f = fopen("f", "a");
	if (!f || fputs("appended\n", f) < 0 || fclose(f)) {
		perror("append f");
		return 1;
	}
	int fd = open("sub/new", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, "new\n", 4) != 4 || close(fd)) {
		perror("create sub/new");
		return 1;
	}
	if (mkdir("made", 0755) || rename("sub/new", "made/moved") || unlink("gone")) {
		perror("mkdir/rename/unlink");
		return 1;
	}
	ssize_t k = readlink("link", buf, sizeof buf - 1);
	if (k < 0) {
		perror("readlink link");
		return 1;
	}
	buf[k] = '\0';
	printf("link -> %s\n", buf);

	struct stat st;
	if (stat("link", &st)) {
		perror("stat link");
		return 1;
	}
	printf("link: size %lld\n", (long long)st.st_size);

	DIR *d = opendir(".");
	if (!d) {
		perror("opendir");
		return 1;
	}
	for (struct dirent *e; (e = readdir(d)) && n < 64;)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp);
	for (int i = 0; i < n; i++) {
		printf("entry %s\n", names[i]);
		free(names[i]);
	}
	for (int i = 0; i < 1000; i++)
		free(big[i]);
	free(big);
	return 0;
}
