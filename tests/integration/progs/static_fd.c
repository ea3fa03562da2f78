/* Changes through descriptors and the xattr calls, from a static program:
 * fchmod and futimens through a read-only descriptor of a lower file, then
 * fstat and a read through it; setxattr, getxattr, listxattr and
 * removexattr on another lower file; *at() calls through an O_PATH
 * descriptor of a directory that exists only in the upper; fchownat and
 * fchmodat2 of a read-only descriptor of a lower file (AT_EMPTY_PATH), the
 * descriptor forms of getxattr and listxattr on a copied-up file, statfs
 * and an inotify watch of a file that exists only in the upper. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

static void show(const char *what, const char *list, ssize_t n)
{
	printf("%s:", what);
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
		printf(" %s", list + i);
	printf("\n");
}

static void names(const char *path)
{
	char list[1024];
	show(path, list, listxattr(path, list, sizeof list));
}

int main(void)
{
	char buf[64], v[16];
	struct stat st;
	int fd = open("f", O_RDONLY);
	if (fd < 0 || fchmod(fd, 0600) < 0 || fstat(fd, &st) < 0)
		return perror("f"), 1;
	printf("fstat after fchmod: %o\n", (unsigned)(st.st_mode & 07777));
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	if (futimens(fd, ts) < 0 || stat("f", &st) < 0)
		return perror("futimens"), 1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("mtime %lld, read %s", (long long)st.st_mtime, buf);
	if (setxattr("g", "user.test", "value", 5, 0) < 0)
		return perror("setxattr"), 1;
	n = getxattr("g", "user.test", v, sizeof v);
	printf("getxattr: %.*s\n", (int)(n > 0 ? n : 0), v);
	names("g");
	if (removexattr("g", "user.test") < 0)
		return perror("removexattr"), 1;
	names("g");
	/* an O_PATH descriptor of a directory that exists only in the upper,
	 * as mv and find use them */
	if (mkdir("n", 0755) < 0)
		return perror("mkdir"), 1;
	int dfd = open("n", O_PATH | O_DIRECTORY);
	int nfd = dfd < 0 ? -1 : openat(dfd, "x", O_WRONLY | O_CREAT, 0644);
	if (nfd < 0 || write(nfd, "x\n", 2) != 2 || fstatat(dfd, "x", &st, 0) < 0)
		return perror("O_PATH"), 1;
	printf("through O_PATH: %lld bytes\n", (long long)st.st_size);

	int hfd = open("h", O_RDONLY);
	if (hfd < 0 || fchownat(hfd, "", 1234, 1235, AT_EMPTY_PATH) < 0)
		return perror("fchownat"), 1;
	if (syscall(452 /* fchmodat2 */, hfd, "", 0640, AT_EMPTY_PATH) < 0)
		return perror("fchmodat2"), 1;
	if (stat("h", &st) < 0)
		return perror("h"), 1;
	printf("h: owner %d:%d mode %o\n", (int)st.st_uid, (int)st.st_gid, (unsigned)(st.st_mode & 07777));
	char list[1024];
	show("f by descriptor", list, flistxattr(fd, list, sizeof list));
	n = fgetxattr(fd, "user.overlay.origin", v, sizeof v);
	printf("fgetxattr of the library's record: %s\n", n < 0 ? strerror(errno) : "found");
	struct statfs fs;
	printf("statfs of an upper file: %s\n", statfs("n/x", &fs) < 0 ? strerror(errno) : "ok");
	int ifd = inotify_init1(IN_CLOEXEC);
	int wd = ifd < 0 ? -1 : inotify_add_watch(ifd, "n/x", IN_MODIFY);
	printf("watch of an upper file: %s\n", wd < 0 ? strerror(errno) : "ok");
	return 0;
}
