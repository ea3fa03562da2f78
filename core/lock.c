/*
 * Serialising changes to one upper directory, as the kernel's overlayfs
 * does with the parent directory's inode lock.
 *
 * A change decides from a lookup (is the name in a lower? is a whiteout
 * needed?) and then acts.  Two processes acting on one lower file from the
 * same stale lookup would both succeed: two renames of one file, a copy-up
 * that brings back a name another process had just removed.  So changers
 * take an exclusive lock on the upper directory, look again, act, bump the
 * change counters, and only then let go: every change made under the lock
 * is counted before the next holder looks, so its lookup (cached or not)
 * is exact for the names of that directory.
 *
 * The lock is a word in the shared counter map (gen.c), chosen by a hash
 * of the directory's host path: 0 when free, else the holder's thread id,
 * with LOCK_WAITERS set once someone sleeps on it (a futex).  Taking and
 * releasing a free word costs no system call; an flock would cost an open,
 * two flocks and a close per change (rm -rf of a lower tree makes one
 * change per file).  Directories that share a word only wait for each
 * other.  A holder killed in the middle leaves its thread id behind: a
 * waiter that finds the holder gone (kill(tid, 0) says ESRCH) takes the
 * word over, as flock would have let go with the dead holder's
 * descriptor.  A process without the map (it could not be reserved: full
 * disk, read-only upper) uses flock on the directory itself; processes of
 * one upper all have the map or all lack it (gen.c).
 *
 * The lock is held across a few system calls only.  Signals are blocked
 * meanwhile once the process has a handler (shim/signal.c tells): a handler
 * that changes a file in the same directory would otherwise wait for a
 * lock its own thread holds.  Without one, no code of the process can
 * interrupt a holder, and the two system calls per change are saved.
 */
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "ovl.h"
#include "sys.h"

#define LOCK_WAITERS 0x80000000u
/* how long a waiter sleeps before it asks whether the holder still lives */
#define LOCK_CHECK_NS (20 * 1000 * 1000)
/* how many such sleeps on one unchanged word before it is taken over even
 * from a live holder: no change holds a lock for ten seconds, so the word
 * is garbage (the counter file was damaged) or its holder is stopped */
#define LOCK_PATIENCE 500

int ovl_handlers_installed;

static long sig_mask(int how, const uint64_t *set, uint64_t *old)
{
	return OVL_SC(SYS_rt_sigprocmask, how, set, old, sizeof *set, 0, 0);
}

/* ---- with the shared map: a word per directory hash ---- */

static long futex(uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	/* not FUTEX_PRIVATE_FLAG: the word is shared between processes */
	return OVL_SC(SYS_futex, w, op, val, ts, 0, 0);
}

static int take(uint32_t *w, uint32_t *seen, uint32_t want)
{
	return __atomic_compare_exchange_n(w, seen, want, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static int holder_gone(uint32_t tid)
{
	return tid == 0 || OVL_SC(SYS_kill, (long)tid, 0, 0, 0, 0, 0) == -ESRCH;
}

static void word_lock(uint32_t *w, uint32_t me)
{
	uint32_t v = 0, last = 0;
	int sleeps = 0;

	if (take(w, &v, me))
		return;
	for (;;) {
		/* whoever takes the word after sleeping keeps LOCK_WAITERS:
		 * others may sleep still, and its release must wake one */
		if (v == 0) {
			if (take(w, &v, me | LOCK_WAITERS))
				return;
			continue;
		}
		if (!(v & LOCK_WAITERS) && !take(w, &v, v | LOCK_WAITERS))
			continue;
		v |= LOCK_WAITERS;
		struct timespec ts = { 0, LOCK_CHECK_NS };
		if (futex(w, FUTEX_WAIT, v, &ts) == -ETIMEDOUT) {
			sleeps = v == last ? sleeps + 1 : 1;
			last = v;
			if ((holder_gone(v & ~LOCK_WAITERS) || sleeps >= LOCK_PATIENCE) &&
			    take(w, &v, me | LOCK_WAITERS))
				return; /* the holder died holding it */
		}
		v = __atomic_load_n(w, __ATOMIC_RELAXED);
	}
}

static void word_unlock(uint32_t *w)
{
	if (__atomic_exchange_n(w, 0, __ATOMIC_RELEASE) & LOCK_WAITERS)
		futex(w, FUTEX_WAKE, 1, NULL);
}

static uint32_t *word_of(const struct ovl_mount *m, const char *dir)
{
	return ovl_gen_lock_word(m, ovl_gen_hash(dir, strlen(dir)));
}

/* ---- without it: flock on the directory ---- */

static int flock_dir(const char *dir)
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

/* Two directories are locked in one order (of their words, or of their
 * inodes), so two renamers in opposite directions cannot each hold one
 * and wait for the other. */
static int flock_dirs(const char *a, const char *b, struct ovl_lock *lk)
{
	struct stat sa, sb;
	int rc;

	if (b) {
		if ((rc = sys_lstat(a, &sa)) < 0 || (rc = sys_lstat(b, &sb)) < 0)
			return rc;
		if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
			b = NULL; /* one directory: one lock */
		else if (sb.st_dev < sa.st_dev ||
			 (sb.st_dev == sa.st_dev && sb.st_ino < sa.st_ino)) {
			const char *t = a;
			a = b;
			b = t;
		}
	}
	if ((rc = lk->fd[0] = flock_dir(a)) >= 0 && b)
		rc = lk->fd[1] = flock_dir(b);
	return rc < 0 ? rc : 0;
}

/* The caller's thread id, asked once per thread (a system call per change
 * otherwise); a fork child forgets its parent's (ovl_lock_forked).  Only
 * the dead-holder check reads it: a vfork child, which shares its parent's
 * copy, and is killed holding a word, is waited for LOCK_PATIENCE. */
static __thread uint32_t self_tid __attribute__((tls_model("initial-exec")));

void ovl_lock_forked(void)
{
	self_tid = 0;
}

static void words_lock(uint32_t *a, uint32_t *b, struct ovl_lock *lk)
{
	uint32_t me = self_tid;

	if (!me)
		me = self_tid = (uint32_t)sys_gettid();

	if (b == a)
		b = NULL;
	if (b && b < a) {
		uint32_t *t = a;
		a = b;
		b = t;
	}
	word_lock(a, me);
	lk->word[0] = a;
	if (b) {
		word_lock(b, me);
		lk->word[1] = b;
	}
}

int ovl_lock_dirs(const struct ovl_mount *m, const char *a, const char *b,
		  struct ovl_lock *lk)
{
	uint64_t all = ~0ULL;
	uint32_t *wa = word_of(m, a), *wb = b ? word_of(m, b) : NULL;
	int rc = 0;

	*lk = (struct ovl_lock)OVL_LOCK_INIT;
	if (__atomic_load_n(&ovl_handlers_installed, __ATOMIC_RELAXED)) {
		sig_mask(SIG_BLOCK, &all, &lk->saved);
		lk->held = 1;
	}
	if (wa && (wb || !b))
		words_lock(wa, wb, lk);
	else
		rc = flock_dirs(a, b, lk);
	if (rc < 0)
		ovl_unlock(lk);
	return rc;
}

int ovl_lock_dir(const struct ovl_mount *m, const char *dir, struct ovl_lock *lk)
{
	return ovl_lock_dirs(m, dir, NULL, lk);
}

void ovl_unlock(struct ovl_lock *lk)
{
	for (int i = 1; i >= 0; i--) {
		if (lk->word[i]) {
			word_unlock(lk->word[i]);
			lk->word[i] = NULL;
		}
		if (lk->fd[i] >= 0) {
			OVL_SC(SYS_flock, lk->fd[i], LOCK_UN, 0, 0, 0, 0);
			sys_close(lk->fd[i]);
			lk->fd[i] = -1;
		}
	}
	if (lk->held) {
		lk->held = 0;
		sig_mask(SIG_SETMASK, &lk->saved, NULL);
	}
}
