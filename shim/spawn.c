/*
 * posix_spawn's file actions.  glibc runs them in the child with its own
 * internal open, chdir and fchdir, which never reach us, and keeps them in
 * a list we cannot read at spawn time.  So each action with a path is
 * resolved when it is added, as open() and chdir() resolve theirs, and
 * libc's list records the host path the call would have reached: a write
 * open of a lower file names its upper copy, a create the upper, a chdir
 * the layer directory that chdir() would move into (the child maps that
 * back to the view, as after chdir()).
 *
 * Relative paths in later actions are relative to the directory an
 * earlier addchdir_np or addfchdir_np of the same list moves to, so this
 * file remembers that directory's virtual path per list (by its address,
 * forgotten by destroy and init) and resolves from there.  It also
 * remembers each addopen that creates a name, whose bookkeeping
 * (ovl_open_done) must wait for the child's open: shim_spawn_done runs it
 * once posix_spawn has returned.
 *
 * Not covered:
 * - the view is looked at when an action is added, not when the spawn
 *   runs: a name created, removed or copied up in between is not seen (a
 *   read action added before a copy-up reads the lower copy);
 * - a lookup error becomes the child's for the usual errnos (shim_fail_as:
 *   the action is given a host path that fails the same way); any other
 *   makes the add itself fail, which glibc's never does for a path;
 * - a host path of PATH_MAX bytes or more fails in the child
 *   (ENAMETOOLONG);
 * - addfchdir_np takes the descriptor's meaning in the parent, not what an
 *   earlier action of the list may have opened or dup'ed onto its number;
 *   one the parent does not have open leaves later relative actions of the
 *   list unresolvable, and they are refused (ENOTSUP) rather than handed
 *   to the host;
 * - the program path of a relative posix_spawn (exec.c) is still resolved
 *   from the parent's cwd, before any chdir action;
 * - a list copied by assignment and spawned from the copy has no notes: its
 *   creates miss their bookkeeping (a whiteout they replace stays).
 */
#include "shim.h"

#include <pthread.h>
#include <spawn.h>
#include <string.h>

#include "sys.h"

/* An addopen whose name was missing: ovl_open_done after the spawn. */
struct shim_create {
	struct shim_create *next;
	struct ovl_res r;
};

/* Where relative paths of a list's later actions start. */
enum { SHIM_CWD_PARENT, SHIM_CWD_AT, SHIM_CWD_UNKNOWN };

struct shim_fa {
	struct shim_fa *next;
	const posix_spawn_file_actions_t *fa;
	int cwd_state;
	char *cwd;  /* SHIM_CWD_AT: absolute, virtual in a mount */
	struct shim_create *creates;
};

/* Lists with notes are few and short-lived: one list under one lock. */
static pthread_mutex_t shim_fa_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_fa *shim_fa_head;

static struct shim_fa **fa_slot(const posix_spawn_file_actions_t *fa)
{
	struct shim_fa **p = &shim_fa_head;

	while (*p && (*p)->fa != fa)
		p = &(*p)->next;
	return p;
}

static struct shim_fa *fa_find(const posix_spawn_file_actions_t *fa)
{
	return *fa_slot(fa);
}

static struct shim_fa *fa_get(const posix_spawn_file_actions_t *fa)
{
	struct shim_fa *n = fa_find(fa);

	if (n || !(n = calloc(1, sizeof *n)))
		return n;
	n->fa = fa;
	n->next = shim_fa_head;
	/* read without the lock by shim_spawn_done's quick test */
	__atomic_store_n(&shim_fa_head, n, __ATOMIC_RELEASE);
	return n;
}

/* Drop the notes of the list at fa (destroyed, or a new one there). */
static void fa_forget(const posix_spawn_file_actions_t *fa)
{
	struct shim_fa **p, *n;

	if (!__atomic_load_n(&shim_fa_head, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&shim_fa_lock);
	p = fa_slot(fa);
	n = *p;
	if (n)
		__atomic_store_n(p, n->next, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&shim_fa_lock);
	if (!n)
		return;
	while (n->creates) {
		struct shim_create *c = n->creates;
		n->creates = c->next;
		free(c);
	}
	free(n->cwd);
	free(n);
}

/* The path an action's lookup starts from: path itself, or joined to the
 * directory an earlier chdir action of the list moves to.  NULL with *err
 * when that directory is unknown or the join too long. */
static const char *fa_path(const posix_spawn_file_actions_t *fa, const char *path,
			   char *buf, size_t len, int *err)
{
	const char *p = path;

	if (path[0] == '/' || path[0] == '\0' ||
	    !__atomic_load_n(&shim_fa_head, __ATOMIC_ACQUIRE))
		return path;
	pthread_mutex_lock(&shim_fa_lock);
	struct shim_fa *n = fa_find(fa);
	if (n && n->cwd_state == SHIM_CWD_UNKNOWN) {
		*err = ENOTSUP;
		p = NULL;
	} else if (n && n->cwd_state == SHIM_CWD_AT) {
		int w = snprintf(buf, len, "%s/%s", n->cwd, path);
		if (w < 0 || (size_t)w >= len) {
			*err = ENAMETOOLONG;
			p = NULL;
		} else {
			p = buf;
		}
	}
	pthread_mutex_unlock(&shim_fa_lock);
	return p;
}

/* Record where later relative actions of the list start (dir NULL:
 * unknown).  0 or ENOMEM. */
static int fa_set_cwd(const posix_spawn_file_actions_t *fa, const char *dir)
{
	char *copy = dir ? strdup(dir) : NULL;
	struct shim_fa *n;

	if (dir && !copy)
		return ENOMEM;
	pthread_mutex_lock(&shim_fa_lock);
	n = fa_get(fa);
	if (n) {
		free(n->cwd);
		n->cwd = copy;
		n->cwd_state = dir ? SHIM_CWD_AT : SHIM_CWD_UNKNOWN;
	}
	pthread_mutex_unlock(&shim_fa_lock);
	if (!n) {
		free(copy);
		return ENOMEM;
	}
	return 0;
}

/* A lookup error, made the child's own: a host path and flags the kernel
 * refuses with the same errno before it looks at any file of ours.  0 for
 * an errno without one. */
static int shim_fail_as(int err, int dir, const char **path, int *oflag)
{
	*oflag = O_RDONLY;
	switch (err) {
	case ENOENT:
		*path = "";
		return 1;
	case ENOTDIR:
		*path = dir ? "/dev/null" : "/dev/null/";
		return 1;
	}
	if (dir)
		return 0;
	switch (err) {
	case EEXIST:
		*path = "/";
		*oflag = O_CREAT | O_EXCL;
		return 1;
	case EISDIR:
		*path = "/";
		*oflag = O_WRONLY;
		return 1;
	case EINVAL:
		*path = "/";
		*oflag = O_TMPFILE; /* without write access */
		return 1;
	case ELOOP:
		*path = "/proc/self/exe";
		*oflag = O_NOFOLLOW;
		return 1;
	}
	return 0;
}

/* The directory r resolved to, as later relative paths start from it. */
static int shim_res_dir(const struct ovl_res *r, char *out, size_t len)
{
	if (r->m)
		return ovl_virtual_path(r, out, len);
	if (strlen(r->real) >= len)
		return -ENAMETOOLONG;
	strcpy(out, r->real);
	return 0;
}

OVL_EXPORT int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	/* a list that was never destroyed may have lived at this address */
	fa_forget(fa);
	return SHIM_NEXT(posix_spawn_file_actions_init)(fa);
}

OVL_EXPORT int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	fa_forget(fa);
	return SHIM_NEXT(posix_spawn_file_actions_destroy)(fa);
}

OVL_EXPORT int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
						const char *path, int oflag, mode_t mode)
{
	char buf[OVL_PATH_MAX];
	struct ovl_res r;
	const char *p, *fail;
	int rc, v, look = oflag, err = 0;

	if (!shim_on_path(path))
		return SHIM_NEXT(posix_spawn_file_actions_addopen)(fa, fd, path, oflag, mode);
	if (!(p = fa_path(fa, path, buf, sizeof buf, &err)))
		return err;
	/* O_TRUNC would copy up metadata only and so empty the file now, in
	 * the view, though the spawn may never run: copy it whole and let the
	 * child's open truncate the copy (O_RDWR keeps the copy-up that
	 * O_RDONLY | O_TRUNC makes). */
	if (look & O_TRUNC) {
		look &= ~O_TRUNC;
		if ((look & O_ACCMODE) == O_RDONLY)
			look = (look & ~O_ACCMODE) | O_RDWR;
	}
	rc = ovl_for_open(AT_FDCWD, p, look, &r);
	SHIM_TRACE(posix_spawn_file_actions_addopen, path, rc, &r);
	if (rc == OVL_PASS)
		return SHIM_NEXT(posix_spawn_file_actions_addopen)(fa, fd, path, oflag, mode);
	if (rc < 0) {
		if (!shim_fail_as(-rc, 0, &fail, &oflag))
			return -rc;
		return SHIM_NEXT(posix_spawn_file_actions_addopen)(fa, fd, fail, oflag, 0);
	}
	/* An existing object needs nothing after its open: ovl_open_done
	 * does nothing for one that opened, and if the child's open fails
	 * the copy-up made here has lost nothing. */
	if (!r.m || r.layer >= 0)
		return SHIM_NEXT(posix_spawn_file_actions_addopen)(fa, fd, r.real, oflag, mode);
	/* A create: noted under the lock, so that the note and libc's action
	 * exist together or not at all. */
	struct shim_create *c = malloc(sizeof *c);
	struct shim_fa *n;

	if (!c)
		return ENOMEM;
	memcpy(&c->r, &r, sizeof r);
	pthread_mutex_lock(&shim_fa_lock);
	n = fa_get(fa);
	v = n ? SHIM_NEXT(posix_spawn_file_actions_addopen)(fa, fd, r.real, oflag, mode) : ENOMEM;
	if (v == 0) {
		c->next = n->creates;
		n->creates = c;
	}
	pthread_mutex_unlock(&shim_fa_lock);
	if (v != 0)
		free(c);
	return v;
}

OVL_EXPORT int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict fa,
						    const char *__restrict path)
{
	char buf[OVL_PATH_MAX], dir[OVL_PATH_MAX];
	struct ovl_res r;
	const char *p, *fail;
	int rc, v, oflag, err = 0;

	if (!shim_on_path(path))
		return SHIM_NEXT(posix_spawn_file_actions_addchdir_np)(fa, path);
	if (!(p = fa_path(fa, path, buf, sizeof buf, &err)))
		return err;
	rc = ovl_for_read(AT_FDCWD, p, 0, &r);
	SHIM_TRACE(posix_spawn_file_actions_addchdir_np, path, rc, &r);
	if (rc < 0) {
		/* the child stops at this action: later ones never run */
		if (!shim_fail_as(-rc, 1, &fail, &oflag))
			return -rc;
		return SHIM_NEXT(posix_spawn_file_actions_addchdir_np)(fa, fail);
	}
	/* outside every mount the child goes where the caller said */
	int pass = rc == OVL_PASS;

	rc = pass ? ovl_absolute(AT_FDCWD, p, dir, sizeof dir) : shim_res_dir(&r, dir, sizeof dir);
	if (rc < 0)
		return -rc;
	v = SHIM_NEXT(posix_spawn_file_actions_addchdir_np)(fa, pass ? path : r.real);
	return v ? v : fa_set_cwd(fa, dir);
}

OVL_EXPORT int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	char dir[OVL_PATH_MAX];
	int v = SHIM_NEXT(posix_spawn_file_actions_addfchdir_np)(fa, fd);

	if (v != 0 || !shim_on())
		return v;
	/* the descriptor itself is handed on: the child moves to the layer
	 * directory it is open on, and relative paths start from its view */
	int rc = ovl_fd_virtual(fd, dir, sizeof dir);
	return fa_set_cwd(fa, rc >= 0 ? dir : NULL);
}

/* After posix_spawn returned: the creates of fa's list have run in the
 * child, or failed.  Whichever made a name in the upper gets the
 * bookkeeping of its open; a list spawned again is looked at again. */
void shim_spawn_done(const posix_spawn_file_actions_t *fa)
{
	struct stat st;
	struct shim_fa *n;
	int e;

	if (!fa || !__atomic_load_n(&shim_fa_head, __ATOMIC_ACQUIRE))
		return;
	e = errno;
	pthread_mutex_lock(&shim_fa_lock);
	if ((n = fa_find(fa)))
		for (struct shim_create *c = n->creates; c; c = c->next)
			if (sys_fstatat(AT_FDCWD, c->r.real, &st, AT_SYMLINK_NOFOLLOW) == 0)
				ovl_open_done(&c->r, 0);
	pthread_mutex_unlock(&shim_fa_lock);
	errno = e;
}
