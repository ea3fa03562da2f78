/*
 * Changes to the namespace: create, link, unlink, rmdir, rename.
 *
 * Every change lands in the upper.  The order of the steps is chosen so that
 * a process killed between any two of them leaves a view that is either the
 * old one or the new one: a whiteout is written before the upper entry it
 * stands behind is removed (while both exist the entry wins), and a whiteout
 * is removed only after the new entry that replaces it exists.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

static void mark_impure(const struct ovl_res *r);

/* The kernel finds both parents before it compares their mounts: a host
 * path whose parent is missing is ENOENT (or ENOTDIR), not EXDEV. */
static int host_parent_missing(int dirfd, const char *path)
{
	char dir[OVL_PATH_MAX];
	struct stat st;
	size_t end, n = ovl_last_name(path, &end);

	if (n == 0)
		return 0; /* the parent is dirfd itself */
	if (n >= sizeof dir)
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	int rc = sys_fstatat(dirfd, dir, &st, 0);
	return rc < 0 ? rc : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The same for a name the kernel looks up whole (link's old name). */
static int host_missing(int dirfd, const char *path, int whole)
{
	struct stat st;
	int rc;

	if (!whole)
		return host_parent_missing(dirfd, path);
	rc = sys_fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW);
	return rc < 0 ? rc : 0;
}

/* A new non-directory named with a trailing slash ("f/"): EEXIST when the
 * name exists (ovl_prepare_create says so), else ENOENT, as the kernel's
 * filename_create; a "." or ".." is never new. */
static int check_new_name(const char *path, const struct ovl_res *r, int is_dir)
{
	if (ovl_last_type(path) != OVL_LAST_NAME) /* "d/." names d, which must exist */
		return r->layer < 0 ? -ENOENT : !S_ISDIR(r->type) ? -ENOTDIR : -EEXIST;
	if (r->m && r->trailing && !is_dir && r->layer < 0 && !r->reserved)
		return -ENOENT;
	return 0;
}

/* link's new name np, when it lies on the other side of a mount boundary
 * from the old one: the kernel's filename_create judges it before the two
 * mounts are compared, so "." or "..", or a name that exists, is EEXIST,
 * and a missing one written with a trailing slash ENOENT.  n is its
 * lookup; outside every mount, (hd, hp) is where the host has it.  0 when
 * the name is free. */
static int link_new_name(const char *np, const struct ovl_res *n, int hd, const char *hp)
{
	char name[OVL_PATH_MAX];
	struct stat st;
	size_t end;
	int rc;

	if (ovl_last_type(np) != OVL_LAST_NAME)
		return -EEXIST;
	if (n->m)
		return n->layer >= 0 ? -EEXIST : check_new_name(np, n, 0);
	ovl_last_name(hp, &end);
	if (end >= sizeof name)
		return -ENAMETOOLONG;
	memcpy(name, hp, end);
	name[end] = '\0';
	rc = sys_fstatat(hd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (rc == 0)
		return -EEXIST;
	ovl_last_name(np, &end);
	return rc == -ENOENT && np[end] ? -ENOENT : 0;
}

/* Both paths resolved; OVL_PASS when both lie outside every mount, EXDEV
 * when they are on different sides of a mount boundary.  OVL_MUST in
 * oflags (link): a missing old name is ENOENT before the new path is
 * looked at, and the new name is judged before EXDEV. */
#define OVL_MUST (1 << 30)

static int resolve_pair(int od, const char *op, int oflags, struct ovl_res *o,
			int nd, const char *np, struct ovl_res *n)
{
	int ro = ovl_resolve(od, op, oflags & ~OVL_MUST, o), rc;

	if (ro == 0 && o->m && o->layer < 0 && (oflags & OVL_MUST))
		return -ENOENT;
	int rn = ovl_resolve(nd, np, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, n);

	if (ro < 0)
		return ro;
	if (ro == OVL_PASS)
		o->m = NULL;
	if (rn == OVL_PASS)
		n->m = NULL;
	if (ro == OVL_PASS && rn == OVL_PASS)
		return OVL_PASS;
	/* a name on the host (never in a mount, or walked out of one): the
	 * kernel walks both parents, the old first, before it compares
	 * their mounts */
	if (!o->m && (rn < 0 || n->m) &&
	    (rc = host_missing(ro == OVL_PASS ? od : AT_FDCWD, ro == OVL_PASS ? op : o->real,
			       oflags & OVL_MUST)) < 0)
		return rc;
	if (rn < 0)
		return rn;
	if (o->m && !n->m &&
	    (rc = rn == OVL_PASS ? host_parent_missing(nd, np)
				 : host_parent_missing(AT_FDCWD, n->real)) < 0)
		return rc;
	if (ro != OVL_PASS && rn != OVL_PASS && o->m == n->m)
		return 0;
	if ((oflags & OVL_MUST) &&
	    (rc = link_new_name(np, n, rn == OVL_PASS ? nd : AT_FDCWD, rn == OVL_PASS ? np : n->real)) < 0)
		return rc;
	return -EXDEV;
}

/* The whiteout of rel; pmask tells whether the upper parent is known to
 * exist already. */
static int whiteout_in(const struct ovl_mount *m, const char *rel, uint64_t pmask)
{
	char dir[OVL_PATH_MAX], parent[OVL_PATH_MAX];
	const char *slash = strrchr(rel, '/');
	size_t plen = slash ? (size_t)(slash - rel) : 0;
	const char *name = slash ? slash + 1 : rel;
	int rc, n;

	memcpy(parent, rel, plen);
	parent[plen] = '\0';
	if (!(pmask & 1) && (rc = ovl_copy_up_dirs(m, parent)) < 0)
		return rc;
	n = snprintf(dir, sizeof dir, "%s%s%s", m->layers[0].root, plen ? "/" : "", parent);
	if (n < 0 || (size_t)n >= sizeof dir)
		return -ENAMETOOLONG;
	if ((rc = ovl_wh_make(m, dir, (size_t)n, name, strlen(name))) < 0)
		return rc;
	ovl_gen_bump(m, rel);
	OVL_TRACE(("whiteout %s/%s -> upper %s/.wh.%s", m->point, rel, dir, name));
	return 0;
}

int ovl_whiteout(const struct ovl_mount *m, const char *rel)
{
	return whiteout_in(m, rel, 0);
}

/* OVERLAY_TRACE: a name made in the upper. */
static void trace_made(const char *what, const struct ovl_res *r, int rc)
{
	if (ovl_trace_on && rc == 0)
		ovl_trace("%s %s/%s -> upper %s", what, r->m->point, r->rel, r->real);
}

/* The directory a path's last component is looked up in ("x" of "x/.."
 * and of "x/y"): 0 with r on it, OVL_PASS outside every mount, or the
 * -errno of walking there (it must be a directory). */
static int resolve_parent(int dirfd, const char *path, struct ovl_res *r)
{
	char parent[OVL_PATH_MAX];
	size_t end, at = ovl_last_name(path, &end);

	if (at >= sizeof parent - 2)
		return -ENAMETOOLONG;
	memcpy(parent, path, at);
	memcpy(parent + at, ".", 2); /* "x/" + ".", or "." alone */
	int rc = ovl_resolve(dirfd, parent, 0, r);
	if (rc < 0)
		return rc;
	if (rc == OVL_PASS || !r->m) { /* on the host: the kernel walks it */
		struct stat st;
		rc = rc == OVL_PASS ? sys_fstatat(dirfd, parent, &st, 0)
				    : sys_fstatat(AT_FDCWD, r->real, &st, 0);
		return rc < 0 ? rc : S_ISDIR(st.st_mode) ? OVL_PASS : -ENOTDIR;
	}
	if (r->reserved)
		return 0; /* a directory removed from the view, still walked through */
	if (r->layer < 0)
		return -ENOENT;
	return S_ISDIR(r->type) ? 0 : -ENOTDIR;
}

/* A last "." or ".." of a name to create or remove: the kernel walks to
 * the directory it lies in, which must exist (a cwd or dirfd removed from
 * the view does, for "." and ".." named from it), and refuses by the
 * name's kind (err) without looking it up; OVL_PASS when that directory
 * is on the host, for the kernel to say. */
static int dots_refused(int dirfd, const char *path, int err)
{
	struct ovl_res r;
	int rc = resolve_parent(dirfd, path, &r);

	return rc < 0 || rc == OVL_PASS ? rc : err;
}

/* Create with `make`, the common shape of mkdir, mknod and symlink. */
static int create(int dirfd, const char *path,
		  int (*make)(const char *real, const void *arg), const void *arg)
{
	struct ovl_res r;

	if (ovl_last_type(path) != OVL_LAST_NAME)
		return dots_refused(dirfd, path, -EEXIST);
	int rc = ovl_resolve(dirfd, path, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &r);

	if (rc != 0)
		return rc;
	if (!r.m)
		return make(r.real, arg);
	if ((rc = check_new_name(path, &r, 0)) < 0 || (rc = ovl_prepare_create(&r)) < 0)
		return rc;
	rc = make(r.real, arg);
	ovl_open_done(&r, rc);
	trace_made("create", &r, rc);
	return rc;
}

struct node { mode_t mode; dev_t dev; };

static int make_node(const char *real, const void *arg)
{
	const struct node *nd = arg;
	return sys_mknodat(AT_FDCWD, real, nd->mode, nd->dev);
}

static int make_link(const char *real, const void *target)
{
	return sys_symlinkat(target, AT_FDCWD, real);
}

int ovl_mknod(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	struct node nd = { mode, dev };
	return create(dirfd, path, make_node, &nd);
}

int ovl_symlink(const char *target, int dirfd, const char *path)
{
	return create(dirfd, path, make_link, target);
}

static int opaque_path(const char *dir, char *p)
{
	int n = snprintf(p, OVL_PATH_MAX, "%s/" OVL_OPAQUE, dir);
	return n < 0 || n >= OVL_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Put an opaque marker in the upper directory dir. */
static int make_opaque(const char *dir)
{
	char p[OVL_PATH_MAX];
	int fd;

	if (opaque_path(dir, p) < 0)
		return -ENAMETOOLONG;
	fd = sys_openat(AT_FDCWD, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return fd;
	sys_close(fd);
	OVL_TRACE(("opaque %s", p));
	return 0;
}

/* A directory made where a lower one was deleted must not let the old
 * contents show through: it is built opaque under a temporary name and
 * then moved into place in one step. */
static int mkdir_opaque(const char *real, mode_t mode)
{
	char tmp[OVL_PATH_MAX];
	int rc = ovl_temp_name(real, "mkdir", tmp, sizeof tmp);

	if (rc < 0)
		return rc;
	if ((rc = sys_mkdirat(AT_FDCWD, tmp, mode)) < 0)
		return rc;
	rc = make_opaque(tmp);
	if (rc == 0)
		rc = sys_renameat2(AT_FDCWD, tmp, AT_FDCWD, real, RENAME_NOREPLACE);
	if (rc < 0) {
		char p[OVL_PATH_MAX];
		if (opaque_path(tmp, p) == 0)
			sys_unlinkat(AT_FDCWD, p, 0);
		sys_unlinkat(AT_FDCWD, tmp, AT_REMOVEDIR);
	}
	return rc;
}

int ovl_mkdir(int dirfd, const char *path, mode_t mode)
{
	struct ovl_res r;

	if (ovl_last_type(path) != OVL_LAST_NAME)
		return dots_refused(dirfd, path, -EEXIST);
	int rc = ovl_resolve(dirfd, path, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &r);

	if (rc != 0)
		return rc;
	if (!r.m)
		return sys_mkdirat(AT_FDCWD, r.real, mode);
	if ((rc = check_new_name(path, &r, 1)) < 0 || (rc = ovl_prepare_create(&r)) < 0)
		return rc;
	rc = r.upper_wh ? mkdir_opaque(r.real, mode) : sys_mkdirat(AT_FDCWD, r.real, mode);
	ovl_open_done(&r, rc);
	trace_made("mkdir", &r, rc);
	return rc;
}

/* Link something that is not a name in a mount (a descriptor, a host file)
 * to a new name in one. */
static int link_into(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, int flags)
{
	struct ovl_res n;
	int rc = ovl_resolve(newdirfd, newpath, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &n);

	if (rc != 0)
		return rc;
	if (n.m && ((rc = check_new_name(newpath, &n, 0)) < 0 ||
		    (rc = ovl_prepare_create(&n)) < 0))
		return rc;
	rc = sys_linkat(olddirfd, oldpath, AT_FDCWD, n.real, flags);
	if (n.m) {
		ovl_open_done(&n, rc);
		trace_made("link", &n, rc);
	}
	return rc;
}

/* A link whose source the lexical walk found outside every mount (a host
 * path, a descriptor, /proc/self/fd/N) to a name in one.  A descriptor (or
 * its /proc name) on a lower file is the view's file there: copied up,
 * then linked (a link to the lower's inode would let later writes change
 * the lower).  A source in the upper (an O_TMPFILE file made there) is
 * linked as it is.  A host path is on another mount, as the kernel sees
 * it, a lower's own path included: EXDEV. */
static int link_host(int olddirfd, const char *oldpath, int newdirfd,
		     const char *newpath, int flags)
{
	char virt[OVL_PATH_MAX];
	int rc = ovl_host_place(olddirfd, oldpath, flags & AT_SYMLINK_FOLLOW, virt);

	if (rc < 0)
		return rc;
	if (rc == 2)
		return link_into(olddirfd, oldpath, newdirfd, newpath, flags);
	if (rc == 0 || (oldpath[0] && strncmp(oldpath, "/proc/", 6) != 0))
		return -EXDEV;
	return ovl_link(AT_FDCWD, virt, newdirfd, newpath, flags & ~AT_EMPTY_PATH);
}

int ovl_link(int olddirfd, const char *oldpath, int newdirfd,
	     const char *newpath, int flags)
{
	struct ovl_res o, n;
	int rc;

	if (!oldpath[0] && (flags & AT_EMPTY_PATH))
		return link_host(olddirfd, oldpath, newdirfd, newpath, flags);
	/* the kernel looks the old path up whole before the new one: a
	 * missing source is ENOENT whatever the new path is */
	rc = resolve_pair(olddirfd, oldpath, (flags & AT_SYMLINK_FOLLOW ? 0 : OVL_NOFOLLOW) | OVL_MUST,
			  &o, newdirfd, newpath, &n);
	if (rc == -EXDEV && !o.m && n.m)
		return link_host(olddirfd, oldpath, newdirfd, newpath, flags);
	if (rc != 0)
		return rc;
	if (!o.m || !n.m)
		return o.m || n.m ? -EXDEV :
		       sys_linkat(AT_FDCWD, o.real, AT_FDCWD, n.real, flags & AT_SYMLINK_FOLLOW);
	if (o.layer < 0)
		return -ENOENT;
	/* the new name first: link(dir, existing) is EEXIST */
	if ((rc = check_new_name(newpath, &n, 0)) < 0 || (rc = ovl_prepare_create(&n)) < 0)
		return rc;
	if (S_ISDIR(o.type))
		return -EPERM;
	if (o.layer > 0) {
		if ((rc = ovl_copy_up(o.m, o.rel, o.layer, 0)) < 0)
			return rc;
		ovl_real_in(o.m, 0, o.rel, o.real, sizeof o.real);
	}
	rc = sys_linkat(AT_FDCWD, o.real, AT_FDCWD, n.real, 0);
	if (rc == 0)
		mark_impure(&n);
	ovl_open_done(&n, rc);
	return rc;
}

/* Remove a directory tree of our own (a retired upper directory that holds
 * only whiteouts, markers and temporaries).  Depth-limited: nothing we
 * write nests deeper. */
struct tree { const char *dir; int depth; };

static int remove_entry(void *ctx, const char *name, unsigned char type, uint64_t ino)
{
	const struct tree *t = ctx;
	char p[OVL_PATH_MAX];
	int n;

	(void)type;
	(void)ino;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	n = snprintf(p, sizeof p, "%s/%s", t->dir, name);
	if (n < 0 || (size_t)n >= sizeof p)
		return 0;
	if (sys_unlinkat(AT_FDCWD, p, 0) == -EISDIR && t->depth > 0) {
		struct tree sub = { p, t->depth - 1 };
		int fd = sys_openat(AT_FDCWD, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd >= 0) {
			ovl_dir_each(fd, remove_entry, &sub);
			sys_close(fd);
		}
		sys_unlinkat(AT_FDCWD, p, AT_REMOVEDIR);
	}
	return 0;
}

static void remove_tree(const char *dir, int depth)
{
	struct tree t = { dir, depth };
	int fd = sys_openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd >= 0) {
		ovl_dir_each(fd, remove_entry, &t);
		sys_close(fd);
	}
	sys_unlinkat(AT_FDCWD, dir, AT_REMOVEDIR);
}

/* Take the upper directory at real out of the view at once, then clear it:
 * removing its whiteouts in place would let lower names show meanwhile. */
static int retire_upper_dir(const char *real)
{
	char tmp[OVL_PATH_MAX];
	int rc = sys_unlinkat(AT_FDCWD, real, AT_REMOVEDIR);

	if (rc != -ENOTEMPTY && rc != -EEXIST)
		return rc;
	if ((rc = ovl_temp_name(real, "rmdir", tmp, sizeof tmp)) < 0)
		return rc;
	if ((rc = sys_renameat2(AT_FDCWD, real, AT_FDCWD, tmp, RENAME_NOREPLACE)) < 0)
		return rc;
	remove_tree(tmp, 4);
	return 0;
}

static int merged_is_empty(const struct ovl_res *r)
{
	struct ovl_dir *d;
	int rc = ovl_dir_read(r, &d);

	if (rc < 0)
		return rc;
	rc = d->count <= 2 ? 0 : -ENOTEMPTY; /* "." and ".." */
	ovl_dir_free(d);
	return rc;
}

static int needs_whiteout(const struct ovl_res *r)
{
	return r->layer > 0 || ovl_lower_has(r->m, r->rel, r->pmask);
}

static int remove_dir(struct ovl_res *r)
{
	int rc;

	if (!S_ISDIR(r->type))
		return -ENOTDIR;
	if (r->rel[0] == '\0')
		return -EBUSY;
	if ((rc = merged_is_empty(r)) < 0)
		return rc;
	if (needs_whiteout(r) && (rc = whiteout_in(r->m, r->rel, r->pmask)) < 0)
		return rc;
	if (!(r->mask & 1))
		return 0;
	ovl_real_in(r->m, 0, r->rel, r->real, sizeof r->real);
	/* No epoch bump: the directory was empty in the view, so every cached
	 * answer below it says "missing", which stays true. */
	rc = retire_upper_dir(r->real);
	ovl_gen_bump(r->m, r->rel);
	return rc;
}

static int remove_file(struct ovl_res *r)
{
	int rc;

	if (S_ISDIR(r->type))
		return -EISDIR;
	if (needs_whiteout(r) && (rc = whiteout_in(r->m, r->rel, r->pmask)) < 0)
		return rc;
	if (r->layer != 0)
		return 0;
	rc = sys_unlinkat(AT_FDCWD, r->real, 0);
	ovl_gen_bump(r->m, r->rel);
	return rc;
}

/* The upper directory that holds (or will hold) the name r resolved to. */
static int upper_parent(const struct ovl_res *r, char *out)
{
	size_t plen = r->name_off ? r->name_off - 1 : 0;
	int n = snprintf(out, OVL_PATH_MAX, "%s%s%.*s", r->m->layers[0].root, plen ? "/" : "",
			 (int)plen, r->rel);
	return n < 0 || n >= OVL_PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Lock the upper parent of r (made first, as the change needs it anyway). */
static int lock_parent(struct ovl_res *r, struct ovl_lock *lk)
{
	char dir[OVL_PATH_MAX];
	int rc = ovl_prepare_parent(r);

	if (rc == 0)
		rc = upper_parent(r, dir);
	return rc < 0 ? rc : ovl_lock_dir(r->m, dir, lk);
}

/* relook's answer when the caller must start over (not OVL_PASS) */
#define RELOOK_AGAIN 2
#define RELOOK_TRIES 8

/* After taking the lock: look again (every earlier changer of the
 * directory has bumped its counters, so the answer is exact).
 * RELOOK_AGAIN when the path now names something in another directory than the one locked (a
 * symlink or directory on the way changed): the caller starts over. */
static int relook(int dirfd, const char *path, int flags, struct ovl_res *r)
{
	size_t off = r->name_off;
	char parent[OVL_PATH_MAX];
	const struct ovl_mount *m = r->m;
	int rc;

	memcpy(parent, r->rel, off);
	if ((rc = ovl_resolve(dirfd, path, flags, r)) < 0)
		return rc;
	if (rc == OVL_PASS || r->m != m || r->name_off != off || memcmp(parent, r->rel, off))
		return RELOOK_AGAIN;
	return 0;
}


static int unlink_once(int dirfd, const char *path, int flags)
{
	struct ovl_res r;
	struct ovl_lock lk;
	int rc = ovl_resolve(dirfd, path, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &r);

	if (rc != 0)
		return rc;
	if (!r.m)
		return sys_unlinkat(AT_FDCWD, r.real, flags & AT_REMOVEDIR);
	if (r.layer < 0)
		return -ENOENT;
	if (r.trailing && !S_ISDIR(r.type))
		return -ENOTDIR; /* "link/": the link itself is meant */
	/* what can be refused without a change is refused before the upper
	 * parent is made (ENOTEMPTY, ENOTDIR, EISDIR, EBUSY); where it exists
	 * already, remove_dir's own emptiness check under the lock suffices */
	if (flags & AT_REMOVEDIR) {
		if (!S_ISDIR(r.type))
			return -ENOTDIR;
		if (!r.rel[0])
			return -EBUSY;
		if (!(r.pmask & 1) && (rc = merged_is_empty(&r)) < 0)
			return rc;
	} else if (S_ISDIR(r.type)) {
		return -EISDIR;
	}
	if ((rc = lock_parent(&r, &lk)) < 0)
		return rc;
	rc = relook(dirfd, path, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &r);
	if (rc == 0)
		rc = r.layer < 0 ? -ENOENT :
		     flags & AT_REMOVEDIR ? remove_dir(&r) : remove_file(&r);
	ovl_unlock(&lk);
	return rc;
}

int ovl_unlink(int dirfd, const char *path, int flags)
{
	int rc = RELOOK_AGAIN, type = ovl_last_type(path);

	/* to rmdir a last "." is EINVAL and ".." ENOTEMPTY; to unlink, EISDIR */
	if (type != OVL_LAST_NAME)
		return dots_refused(dirfd, path, !(flags & AT_REMOVEDIR) ? -EISDIR :
						 type == OVL_LAST_DOT ? -EINVAL : -ENOTEMPTY);

	for (int i = 0; rc == RELOOK_AGAIN && i < RELOOK_TRIES; i++)
		rc = unlink_once(dirfd, path, flags);
	return rc == RELOOK_AGAIN ? -EAGAIN : rc;
}

/* ---- rename ------------------------------------------------------------ */

/* Two names of one inode: rename does nothing.  Hard links in a lower are
 * two objects of the view (the kernel's overlayfs without an index gives
 * each its own inode, copied up apart), so only upper names compare. */
static int same_object(const struct ovl_res *o, const struct ovl_res *n)
{
	struct stat a, b;

	if (n->layer >= 0 && !strcmp(o->rel, n->rel))
		return 1; /* one name: one object, wherever it is */
	if (n->layer != 0 || o->layer != 0)
		return 0;
	return sys_lstat(o->real, &a) == 0 && sys_lstat(n->real, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The checks of the kernel's rename, in its order: the VFS's (names,
 * trailing slashes, a move into its own subtree or onto an ancestor, the
 * types), then overlayfs's own (EXDEV, emptiness) in ovl_rename below. */
static int check_rename(const struct ovl_res *o, const struct ovl_res *n,
			unsigned int flags)
{
	size_t olen = strlen(o->rel), nlen = strlen(n->rel);
	int exchange = flags & RENAME_EXCHANGE;

	/* the mount point's own name lives in the host directory above it,
	 * another mount than the other name's: the kernel compares the
	 * parents' mounts first (both: the mount point itself, EBUSY) */
	int oroot = !o->rel[0], nroot = !n->rel[0];
	if (oroot != nroot)
		return -EXDEV;
	if (oroot) /* the same name, unless two mount points */
		return o->m != n->m ? -EBUSY : (flags & RENAME_NOREPLACE) ? -EEXIST : 0;
	if (o->layer < 0)
		return -ENOENT;
	if ((flags & RENAME_NOREPLACE) && n->layer >= 0)
		return -EEXIST;
	if (exchange && n->layer < 0)
		return -ENOENT;
	if (exchange && n->trailing && !S_ISDIR(n->type))
		return -ENOTDIR;
	if (!S_ISDIR(o->type) && (o->trailing || (!exchange && n->trailing)))
		return -ENOTDIR;
	if (n->reserved)
		return -EINVAL;
	if (strncmp(n->rel, o->rel, olen) == 0 && n->rel[olen] == '/')
		return -EINVAL; /* into its own subtree */
	if (nlen < olen && strncmp(o->rel, n->rel, nlen) == 0 &&
	    (nlen == 0 || o->rel[nlen] == '/'))
		return exchange ? -EINVAL : -ENOTEMPTY; /* onto an ancestor */
	if (n->layer >= 0 && !exchange) {
		if (S_ISDIR(o->type) && !S_ISDIR(n->type))
			return -ENOTDIR;
		if (!S_ISDIR(o->type) && S_ISDIR(n->type))
			return -EISDIR;
	}
	return 0;
}

/* A directory can move only when all of it lives in the upper: moving the
 * lower part would need redirects, which the kernel also refuses without
 * redirect_dir. Tools fall back to copying on EXDEV. */
static int dir_movable(const struct ovl_res *r)
{
	if (r->layer == 0 && r->mask == 1)
		return 0;
	if (ovl_trace_on)
		ovl_trace_refuse(r->m, r->rel, -EXDEV, "a directory with a lower part does not move");
	return -EXDEV;
}

/* The old name ready to move: a directory as it is, a file copied up. */
static int movable_up(struct ovl_res *r)
{
	if (S_ISDIR(r->type))
		return dir_movable(r);
	if (r->layer > 0) {
		int rc = ovl_copy_up_locked(r->m, r->rel, r->layer);
		if (rc < 0)
			return rc;
		r->layer = 0;
		ovl_real_in(r->m, 0, r->rel, r->real, sizeof r->real);
	}
	return 0;
}

/* The marker is ours, not a change to the directory: it keeps its times,
 * as on the kernel (an xattr there). */
static int make_opaque_quietly(const char *dir)
{
	struct stat st;
	int rc;

	if ((rc = sys_lstat(dir, &st)) < 0 || (rc = make_opaque(dir)) < 0)
		return rc;
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	sys_utimensat(AT_FDCWD, dir, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* An exchange moves directory d (all of it in the upper) to the name of
 * `to`: what the lowers show under that name must stay hidden, so d gets
 * a marker before it moves (at its own name, where no lower merges with
 * it, the marker hides nothing), as the kernel marks a pure upper
 * directory moved into a merged one.  1 when one was added, 0 when none
 * was needed or d had one already. */
static int opaque_for_move(const struct ovl_res *d, const struct ovl_res *to)
{
	char p[OVL_PATH_MAX];
	struct stat st;
	int rc;

	if (!S_ISDIR(d->type) || !ovl_lower_has(to->m, to->rel, to->pmask))
		return 0;
	if (opaque_path(d->real, p) < 0)
		return -ENAMETOOLONG;
	if (sys_lstat(p, &st) == 0)
		return 0;
	rc = make_opaque_quietly(d->real);
	return rc < 0 ? rc : 1;
}

static void unmake_opaque(const struct ovl_res *d, int made)
{
	char p[OVL_PATH_MAX];

	if (made > 0 && opaque_path(d->real, p) == 0)
		sys_unlinkat(AT_FDCWD, p, 0);
}

/* Both names move: a directory that cannot (EXDEV) is refused before the
 * other side is copied up, so that the failed call changes nothing. */
static int rename_exchange(struct ovl_res *o, struct ovl_res *n)
{
	int rc = 0, om, nm;

	if ((S_ISDIR(o->type) && (rc = dir_movable(o)) < 0) ||
	    (S_ISDIR(n->type) && (rc = dir_movable(n)) < 0))
		return rc;
	rc = movable_up(o);

	if (rc == 0)
		rc = movable_up(n);
	if (rc < 0)
		return rc;
	if ((om = opaque_for_move(o, n)) < 0)
		return om;
	if ((nm = opaque_for_move(n, o)) < 0) {
		unmake_opaque(o, om);
		return nm;
	}
	rc = sys_renameat2(AT_FDCWD, o->real, AT_FDCWD, n->real, RENAME_EXCHANGE);
	if (rc < 0) {
		unmake_opaque(o, om);
		unmake_opaque(n, nm);
	}
	return rc;
}

/* The target directory n exists (empty in the view) or was deleted: the
 * moved directory must hide what lower layers have under that name. */
static int prepare_dir_target(struct ovl_res *o, struct ovl_res *n)
{
	int rc;

	if ((n->upper_wh || (n->layer >= 0 && (n->mask & ~1ULL)) ||
	     (n->layer >= 0 && ovl_lower_has(n->m, n->rel, n->pmask))) &&
	    (rc = make_opaque_quietly(o->real)) < 0)
		return rc;
	if (n->layer >= 0 && (n->mask & 1)) {
		/* the upper target may hold whiteouts: swap it out whole */
		rc = sys_renameat2(AT_FDCWD, o->real, AT_FDCWD, n->real, RENAME_EXCHANGE);
		if (rc < 0)
			return rc;
		return retire_upper_dir(o->real) ?: 1;
	}
	return 0;
}

/* r names a copied-up object just moved or linked into a directory that
 * only the upper has: that directory's listing must ask for origins. */
static void mark_impure(const struct ovl_res *r)
{
	char dir[OVL_PATH_MAX];

	if (r->pmask == 1 && ovl_origin_at(r->real) && upper_parent(r, dir) == 0)
		sys_lsetxattr(dir, OVL_IMPURE_XATTR, "y", 1, 0);
}

/* Both directories changed; a directory moving takes its subtree's cached
 * paths with it. */
static void renamed(const struct ovl_res *o, const struct ovl_res *n)
{
	if (ovl_trace_on)
		ovl_trace("rename %s/%s -> %s/%s (upper %s)", o->m->point, o->rel, n->m->point,
			  n->rel, n->real);
	ovl_gen_bump(o->m, o->rel);
	ovl_gen_bump(n->m, n->rel);
	if (S_ISDIR(o->type) || S_ISDIR(n->type))
		ovl_gen_bump_all(o->m);
}

/* The rename proper, with both upper parents locked and both names looked
 * up again under the locks. */
static int rename_locked(struct ovl_res *o, struct ovl_res *n, unsigned int flags)
{
	int rc;

	if ((rc = check_rename(o, n, flags)) < 0)
		return rc;
	if (same_object(o, n))
		return 0;
	if (flags & RENAME_EXCHANGE) {
		rc = rename_exchange(o, n);
		if (rc == 0) {
			mark_impure(o);
			mark_impure(n);
		}
		renamed(o, n);
		return rc;
	}
	/* overlayfs refuses a directory it cannot move (EXDEV) before it
	 * looks whether the target is empty */
	if (S_ISDIR(o->type) && (rc = movable_up(o)) < 0)
		return rc;
	if (S_ISDIR(o->type) && n->layer >= 0 && (rc = merged_is_empty(n)) < 0)
		return rc;
	if ((rc = movable_up(o)) < 0)
		return rc;
	if (n->layer >= 0 && n->layer != 0)
		ovl_real_in(n->m, 0, n->rel, n->real, sizeof n->real);
	/* old name: whiteout first, while the upper entry still wins */
	if (ovl_lower_has(o->m, o->rel, o->pmask) && (rc = whiteout_in(o->m, o->rel, o->pmask)) < 0)
		return rc;
	if (S_ISDIR(o->type) && (rc = prepare_dir_target(o, n)) != 0) {
		renamed(o, n);
		return rc < 0 ? rc : 0;
	}
	rc = sys_renameat2(AT_FDCWD, o->real, AT_FDCWD, n->real, 0);
	if (rc == 0)
		mark_impure(n);
	renamed(o, n);
	if (n->layer < 0)
		ovl_open_done(n, rc);
	return rc;
}

/* A "." or ".." last on either side: the kernel walks both parents and
 * compares their mounts, then refuses without looking at the names (a
 * new "." exists already: EEXIST, where RENAME_NOREPLACE asks). */
static int rename_dots(int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, unsigned int flags)
{
	struct ovl_res a, b;
	int ra = resolve_parent(olddirfd, oldpath, &a), rb;

	if (ra < 0)
		return ra;
	if ((rb = resolve_parent(newdirfd, newpath, &b)) < 0)
		return rb;
	if (ra == OVL_PASS && rb == OVL_PASS)
		return OVL_PASS;
	if (ra != rb || a.m != b.m)
		return -EXDEV;
	if (ovl_last_type(oldpath) != OVL_LAST_NAME)
		return -EBUSY;
	return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
}

static int rename_once(int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, unsigned int flags)
{
	char od[OVL_PATH_MAX], nd[OVL_PATH_MAX];
	struct ovl_res o, n;
	struct ovl_lock lk;
	int rc = resolve_pair(olddirfd, oldpath, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &o,
			      newdirfd, newpath, &n);

	if (rc != 0)
		return rc;
	if (!o.m || !n.m)
		return o.m || n.m ? -EXDEV :
		       sys_renameat2(AT_FDCWD, o.real, AT_FDCWD, n.real, flags);
	/* refused without a change where it can be */
	if ((rc = check_rename(&o, &n, flags)) < 0)
		return rc;
	if (same_object(&o, &n))
		return 0;
	if (S_ISDIR(o.type) && !(flags & RENAME_EXCHANGE) && (rc = dir_movable(&o)) < 0)
		return rc;
	if ((rc = ovl_prepare_parent(&o)) < 0 || (rc = ovl_prepare_parent(&n)) < 0 ||
	    (rc = upper_parent(&o, od)) < 0 || (rc = upper_parent(&n, nd)) < 0)
		return rc;
	if ((rc = ovl_lock_dirs(o.m, od, nd, &lk)) < 0)
		return rc;
	if ((rc = relook(olddirfd, oldpath, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &o)) == 0 &&
	    (rc = relook(newdirfd, newpath, OVL_NOFOLLOW | OVL_CHANGE | OVL_LAST, &n)) == 0)
		rc = rename_locked(&o, &n, flags);
	ovl_unlock(&lk);
	return rc;
}

int ovl_rename(int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, unsigned int flags)
{
	int rc = RELOOK_AGAIN;

	if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
		return -EINVAL;
	/* a final "." or "..": refused by its kind, wherever it lies (outside
	 * every mount the kernel refuses the call as given) */
	if (ovl_last_type(oldpath) != OVL_LAST_NAME || ovl_last_type(newpath) != OVL_LAST_NAME)
		return rename_dots(olddirfd, oldpath, newdirfd, newpath, flags);
	for (int i = 0; rc == RELOOK_AGAIN && i < RELOOK_TRIES; i++)
		rc = rename_once(olddirfd, oldpath, newdirfd, newpath, flags);
	return rc == RELOOK_AGAIN ? -EAGAIN : rc;
}
