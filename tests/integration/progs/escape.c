/* Changes files on the host behind the library's back: a dynamically
 * linked program whose system calls are bare `syscall` instructions, which
 * no preload sees (and which no supervisor runs: its exec looks like any
 * other dynamic program's).  The tests of the check after the run use it.
 *   escape w PATH   append a line          c PATH   create
 *   escape r PATH   unlink                 m PATH   mkdir
 *   escape s PATH   overwrite the first byte, then put size and times back
 *   escape x N      exit with status N */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "raw.h"

static long change(char op, const char *p)
{
	struct stat st;
	long fd = -1, rc = 0;

	switch (op) {
	case 'w':
		fd = raw(SYS_openat, AT_FDCWD, (long)p, O_WRONLY | O_APPEND, 0);
		rc = fd < 0 ? fd : raw(SYS_write, fd, (long)"escaped\n", 8, 0);
		break;
	case 'c': rc = fd = raw(SYS_openat, AT_FDCWD, (long)p, O_WRONLY | O_CREAT | O_EXCL, 0644); break;
	case 'r': rc = raw(SYS_unlinkat, AT_FDCWD, (long)p, 0, 0); break;
	case 'm': rc = raw(SYS_mkdirat, AT_FDCWD, (long)p, 0755, 0); break;
	case 's':
		if ((rc = raw(SYS_newfstatat, AT_FDCWD, (long)p, (long)&st, 0)) < 0 ||
		    (fd = rc = raw(SYS_openat, AT_FDCWD, (long)p, O_WRONLY, 0)) < 0)
			break;
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		rc = raw(SYS_pwrite64, fd, (long)"X", 1, 0);
		rc = rc == 1 ? raw(SYS_utimensat, fd, 0, (long)ts, 0) : -1;
		break;
	}
	if (fd >= 0)
		raw(SYS_close, fd, 0, 0, 0);
	return rc;
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (argv[i][0] == 'x')
			return atoi(argv[i + 1]);
		long rc = change(argv[i][0], argv[i + 1]);
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", argv[i + 1], strerror((int)-rc));
			return 1;
		}
	}
	return 0;
}
