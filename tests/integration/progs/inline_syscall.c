/* A dynamically linked program that writes with a bare `syscall`
 * instruction, as a program with its own system call layer does: unseen
 * by any preload, seen by the supervisor (overlay-run --supervise). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "raw.h"

int main(void)
{
	long fd = raw(SYS_openat, AT_FDCWD, (long)"f", O_WRONLY | O_APPEND, 0);
	long w = fd < 0 ? fd : raw(SYS_write, fd, (long)"inline\n", 7, 0);
	long gone = raw(SYS_openat, AT_FDCWD, (long)"g", O_RDONLY, 0);
	printf("append: %ld, open of a removed file: %s\n", w, gone < 0 ? "failed" : "opened");
	return 0;
}
