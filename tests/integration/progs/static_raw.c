/* No libc: writes "raw\n" to the file "raw" and appends to "f" with bare
 * system calls, as Go's runtime makes them. */
#include <fcntl.h>
#include <sys/syscall.h>

#include "raw.h"

void _start(void)
{
	long fd = raw(SYS_openat, AT_FDCWD, (long)"raw", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long ok = fd >= 0 && raw(SYS_write, fd, (long)"raw\n", 4, 0) == 4;
	long f = raw(SYS_openat, AT_FDCWD, (long)"f", O_WRONLY | O_APPEND, 0);
	ok = ok && f >= 0 && raw(SYS_write, f, (long)"appended raw\n", 13, 0) == 13;
	raw(SYS_exit_group, ok ? 0 : 1, 0, 0, 0);
	for (;;)
		;
}
