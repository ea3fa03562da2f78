/* No libc: writes "raw\n" to the file "raw" and appends to "f" with bare
 * system calls, as Go's runtime makes them. */
#include <fcntl.h>
#include <sys/syscall.h>

static long sc(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	long fd = sc(SYS_openat, AT_FDCWD, (long)"raw", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	long ok = fd >= 0 && sc(SYS_write, fd, (long)"raw\n", 4, 0) == 4;
	long f = sc(SYS_openat, AT_FDCWD, (long)"f", O_WRONLY | O_APPEND, 0);
	ok = ok && f >= 0 && sc(SYS_write, f, (long)"appended raw\n", 13, 0) == 13;
	sc(SYS_exit_group, ok ? 0 : 1, 0, 0, 0);
	for (;;)
		;
}
