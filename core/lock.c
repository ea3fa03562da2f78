/*
 * Serialising changes to one upper directory, as the kernel's overlayfs
 * does with the parent directory's inode lock.
 *
 * A change decides from a lookup (is the name in a lower? is a whiteout
 * needed?) and then acts.  Two processes acting on one lower file from the
 * same stale lookup would both succeed: two renames of one file, a copy-up
 * that brings back a name another process had just removed.  So changers
 * take an exclusive flock on the upper directory, look again, act, bump
 * the change counters, and only then let go: every change made under the
 * lock is counted before the next holder looks, so its lookup (cached or
 * not) is exact for the names of that directory.
 *
 * The lock is held across a few system calls only.  Signals are blocked
 * meanwhile: a handler that changes a file in the same directory would
 * otherwise wait for a lock its own thread holds.  A killed holder loses
 * its lock with its descriptors; LOCK_UN before close also releases it
 * when a fork child shares the open file description.
 */
#include <errno.h>
#include <signal.h>
#include <sys/file.h>

#include "ovl.h"
#include "sys.h"

static long sig_mask(int how, const uint64_t *set, uint64_t *old)
{
	return OVL_SC(SYS_rt_sigprocmask, how, set, old, sizeof *set, 0, 0);
}

static int lock_fd(const char *dir)
{
	int fd = sys_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	long rc;

	if (fd < 0)
		return fd;
	while ((rc = OVL_SC(SYS_flock, fd, LOCK_EX, 0, 0, 0, 0)) == -EINTR)
		;
	if (rc < 0) {
		sys_close(fd);
		return (int)rc;
	}
	return fd;
}

int ovl_lock_dirs(const char *a, const char *b, struct ovl_lock *lk)
{
	uint64_t all = ~0ULL;
	struct stat sa, sb;
	int rc;

	lk->fd[0] = lk->fd[1] = -1;
	lk->held = 0;
	if ((rc = sys_lstat(a, &sa)) < 0)
		return rc;
	if (b && (rc = sys_lstat(b, &sb)) < 0)
		return rc;
	if (b && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		b = NULL; /* one directory: one lock */
	/* two directories: in inode order, so two renamers in opposite
	 * directions cannot each hold one and wait for the other */
	if (b && (sb.st_dev < sa.st_dev || (sb.st_dev == sa.st_dev && sb.st_ino < sa.st_ino))) {
		const char *t = a;
		a = b;
		b = t;
	}
	sig_mask(SIG_BLOCK, &all, &lk->saved);
	lk->held = 1;
	rc = lk->fd[0] = lock_fd(a);
	if (rc >= 0 && b)
		rc = lk->fd[1] = lock_fd(b);
	if (rc < 0) {
		for (int i = 0; i < 2; i++)
			if (lk->fd[i] < 0)
				lk->fd[i] = -1;
		ovl_unlock(lk);
		return rc;
	}
	return 0;
}

int ovl_lock_dir(const char *dir, struct ovl_lock *lk)
{
	return ovl_lock_dirs(dir, NULL, lk);
}

void ovl_unlock(struct ovl_lock *lk)
{
	for (int i = 1; i >= 0; i--) {
		if (lk->fd[i] < 0)
			continue;
		OVL_SC(SYS_flock, lk->fd[i], LOCK_UN, 0, 0, 0, 0);
		sys_close(lk->fd[i]);
		lk->fd[i] = -1;
	}
	if (lk->held) {
		lk->held = 0;
		sig_mask(SIG_SETMASK, &lk->saved, NULL);
	}
}
