/*
 * The target's seccomp filter: path calls come to us, io_uring_setup
 * fails with ENOSYS (its requests would run inside the kernel, unseen),
 * the probe prctl says "supervised" (ovl_supervised), everything else
 * runs.  Only the
 * system call number and the architecture decide (and one argument of
 * prctl), so the kernel's action cache answers every other call without
 * running the program.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "supervise.h"
#include "sys.h"

const int sup_calls[] = {
	SYS_open, SYS_openat, SYS_openat2, SYS_creat,
	SYS_stat, SYS_lstat, SYS_fstat, SYS_newfstatat, SYS_statx,
	SYS_access, SYS_faccessat, SYS_faccessat2,
	SYS_readlink, SYS_readlinkat, SYS_getdents64,
	SYS_mkdir, SYS_mkdirat, SYS_mknod, SYS_mknodat,
	SYS_unlink, SYS_unlinkat, SYS_rmdir,
	SYS_rename, SYS_renameat, SYS_renameat2,
	SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat,
	SYS_chmod, SYS_fchmodat, SYS_chown, SYS_lchown, SYS_fchownat,
	SYS_truncate, SYS_utimensat, SYS_utimes, SYS_utime, SYS_futimesat,
	SYS_fchmod, SYS_fchown, SYS_fsetxattr, SYS_fremovexattr,
	SYS_getxattr, SYS_lgetxattr, SYS_listxattr, SYS_llistxattr,
	SYS_setxattr, SYS_lsetxattr, SYS_removexattr, SYS_lremovexattr,
	SYS_fgetxattr, SYS_flistxattr, SYS_statfs, SYS_inotify_add_watch, SYS_fchmodat2,
	SYS_chdir, SYS_fchdir, SYS_getcwd, SYS_execve, SYS_execveat,
};
const int sup_ncalls = sizeof sup_calls / sizeof sup_calls[0];

#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, t, f) ((struct sock_filter)BPF_JUMP((code), (k), (t), (f)))
#define LOAD(field) STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RET(v) STMT(BPF_RET | BPF_K, (v))

int sup_filter_install(void)
{
	struct sock_filter f[16 + sizeof sup_calls / sizeof sup_calls[0]];
	int n = 0;

	f[n++] = LOAD(arch);
	/* another ABI (int 0x80's i386 calls): its numbers mean other calls,
	 * and its paths would escape */
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = RET(SECCOMP_RET_ERRNO | ENOSYS);
	f[n++] = LOAD(nr);
	f[n++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* x32 */, 0, 1);
	f[n++] = RET(SECCOMP_RET_ERRNO | ENOSYS);
	/* each served call jumps to the one USER_NOTIF return at the end */
	for (int i = 0; i < sup_ncalls; i++)
		f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)sup_calls[i],
			      (unsigned char)(sup_ncalls - i - 1 + 7), 0);
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_io_uring_setup, 0, 1);
	f[n++] = RET(SECCOMP_RET_ERRNO | ENOSYS);
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 3);
	f[n++] = LOAD(args[0]);
	f[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, OVL_SUP_PROBE, 0, 1);
	f[n++] = RET(SECCOMP_RET_ERRNO | OVL_SUP_ERRNO);
	f[n++] = RET(SECCOMP_RET_ALLOW);
	f[n++] = RET(SECCOMP_RET_USER_NOTIF);

	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	long rc = OVL_SC(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (rc < 0)
		return (int)rc;
	return (int)OVL_SC(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog, 0, 0, 0);
}
