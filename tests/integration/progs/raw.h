/* A bare x86-64 system call, made without libc: what a program with its
 * own system call layer (Go's runtime, a static program without libc)
 * does, and what no preload sees. */
#ifndef RAW_H
#define RAW_H

static long raw(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
