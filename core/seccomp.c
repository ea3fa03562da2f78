/*
 * The one seccomp rule of every process under the library: io_uring_setup
 * fails with ENOSYS.
 *
 * An io_uring makes its opens, renames and unlinks inside the kernel, where
 * no interposed symbol sees them: a program using one (liburing, libuv with
 * UV_USE_IO_URING=1) would act on the lowers.  Every such library falls back
 * to ordinary system calls when the kernel has no io_uring, which is what
 * ENOSYS says.  Installing a filter needs no_new_privs, which is wanted on
 * its own: a setuid or setgid program started with it gets no privileges,
 * so the dynamic loader keeps LD_PRELOAD and the program stays inside.
 *
 * Both are inherited across fork and exec and cannot be undone, so one
 * process of a tree installs them; its descendants, loading the library
 * again, find the filter with one probe and add nothing.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>

#include "ovl.h"
#include "sys.h"

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425 /* the same number on every architecture */
#endif

#if defined(__x86_64__)
#define OVL_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define OVL_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

/* Calls of another ABI (a 32-bit int 0x80 on x86_64) and x32 calls (the
 * native arch, their number with __X32_SYSCALL_BIT set, so never equal to
 * SYS_io_uring_setup) pass: only inline assembly makes them, and that
 * escapes the library anyway. */
static struct sock_filter ovl_uring_rule[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, OVL_AUDIT_ARCH, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* 1 when io_uring_setup already says ENOSYS: our filter from an ancestor
 * (or a kernel without io_uring, where there is nothing to block).  The
 * probe makes no ring: a NULL parameter block is EFAULT (or EINVAL, EPERM
 * where io_uring is disabled) before anything is set up. */
static int ovl_uring_blocked(void)
{
	return OVL_SC(SYS_io_uring_setup, 0, NULL, 0, 0, 0, 0) == -ENOSYS;
}

/* Install the rule on every thread (a constructor that ran before ours
 * may have started some; TSYNC also gives them no_new_privs), else on this
 * one. */
static int ovl_uring_install(void)
{
	struct sock_fprog prog = {
		.len = sizeof ovl_uring_rule / sizeof ovl_uring_rule[0],
		.filter = ovl_uring_rule,
	};
	long rc = OVL_SC(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
			 &prog, 0, 0, 0);

	if (rc != 0)
		rc = OVL_SC(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog, 0, 0, 0);
	return (int)rc;
}

int ovl_seccomp_io_uring(void)
{
	int rc;

	if (ovl_uring_blocked())
		return 1;
	rc = (int)OVL_SC(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (rc < 0) {
		OVL_TRACE(("seccomp: no_new_privs refused (%d): io_uring stays", rc));
		return rc;
	}
	rc = ovl_uring_install();
	if (rc < 0)
		OVL_TRACE(("seccomp: filter refused (%d): io_uring stays", rc));
	return rc < 0 ? rc : 0;
}

int ovl_supervised(void)
{
	return OVL_SC(SYS_prctl, OVL_SUP_PROBE, 0, 0, 0, 0, 0) == -OVL_SUP_ERRNO;
}
