/*
 * Intents: what a libc call means to do with a path, and so which host path
 * it must be given.  Looking never writes to the upper; changing an object
 * in place copies it up first; creating prepares the upper parent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

int ovl_for_read(int dirfd, const char *path, int flags, struct ovl_res *r)
{
	int rc = ovl_resolve(dirfd, path, flags, r);

	if (rc != 0 || !r->m)
		return rc;
	return r->layer < 0 ? -ENOENT : 0;
}

/* Move the object r names into the upper, if it is not there yet. */
static int bring_up(struct ovl_res *r, int skip_data)
{
	int rc;

	if (r->layer == 0)
		return 0;
	if (S_ISDIR(r->type))
		rc = ovl_copy_up_dirs(r->m, r->rel);
	else
		rc = ovl_copy_up(r->m, r->rel, r->layer, skip_data);
	if (rc < 0)
		return rc;
	if (S_ISDIR(r->type))
		r->mask |= 1;
	r->layer = 0;
	return ovl_real_in(r->m, 0, r->rel, r->real, sizeof r->real);
}

int ovl_for_write(int dirfd, const char *path, int flags, struct ovl_res *r)
{
	int rc = ovl_for_read(dirfd, path, flags | OVL_CHANGE, r);

	if (rc != 0 || !r->m)
		return rc;
	return bring_up(r, flags & OVL_NODATA);
}

/* The lower layer (1..) a host path lies in, or 0 for none / the upper. */
static int lower_layer_of(const char *real, const struct ovl_mount **mp)
{
	for (int i = 0; i < ovl_mount_count(); i++) {
		const struct ovl_mount *m = ovl_mount_at(i);
		for (int l = 0; l < m->nlayers; l++) {
			size_t n = m->layers[l].len;
			if (!strncmp(real, m->layers[l].root, n) &&
			    (real[n] == '/' || real[n] == '\0')) {
				*mp = m;
				return l;
			}
		}
	}
	return 0;
}

/* The view's object r is the one fd is on, at host path real in a lower:
 * that very lower file still, or its upper copy (whose recorded origin is
 * fd's inode).  Not so when the name was renamed over or made anew: a
 * change made by name would land on another file. */
static int shows_fd_object(int fd, const char *real, const struct ovl_res *r)
{
	struct stat st;
	uint64_t origin;

	if (r->layer > 0)
		return strcmp(r->real, real) == 0;
	origin = ovl_origin(r);
	return origin && sys_fstat(fd, &st) == 0 && origin == (uint64_t)st.st_ino;
}

int ovl_fd_for_write(int fd, struct ovl_res *r)
{
	char real[OVL_PATH_MAX], virt[OVL_PATH_MAX];
	const struct ovl_mount *m = NULL;
	long n;
	int rc;

	if (!ovl_active())
		return OVL_PASS;
	n = ovl_fd_readlink(fd, real, sizeof real);
	if (n < 0)
		return n == -ENOENT ? -EBADF : (int)n;
	real[n] = '\0';
	if (real[0] != '/' || lower_layer_of(real, &m) == 0)
		return OVL_PASS;
	if ((rc = ovl_virtual_of(real, virt, sizeof virt)) != 0)
		return rc < 0 ? rc : OVL_PASS;
	rc = ovl_resolve(AT_FDCWD, virt, OVL_NOFOLLOW, r);
	if (rc == -ENOENT || (rc == 0 && r->m && (r->layer < 0 || !shows_fd_object(fd, real, r)))) {
		if (ovl_trace_on)
			ovl_trace("refuse %s: EROFS (descriptor of a file removed from the view)", virt);
		return -EROFS; /* deleted from the view: its lower stays as it is */
	}
	if (rc != 0 || !r->m)
		return rc < 0 ? rc : OVL_PASS;
	/* the descriptor the change was made through shows the copy from
	 * then on, as the kernel's overlay file does (fchmod, then fstat,
	 * reads or mmap on the same descriptor) */
	int was_lower = r->layer > 0 && (S_ISREG(r->type) || S_ISDIR(r->type));
	int dir = S_ISDIR(r->type);
	if ((rc = bring_up(r, 0)) == 0 && was_lower)
		ovl_fd_move_onto(fd, r->real, dir);
	return rc;
}

/* The upper directory that will hold a new name at r->rel. */
int ovl_prepare_parent(struct ovl_res *r)
{
	char parent[OVL_PATH_MAX];

	if (r->pmask & 1)
		return 0;
	memcpy(parent, r->rel, r->name_off ? r->name_off - 1 : 0);
	parent[r->name_off ? r->name_off - 1 : 0] = '\0';
	int rc = ovl_copy_up_dirs(r->m, parent);
	if (rc == 0)
		r->pmask |= 1;
	return rc;
}

int ovl_prepare_create(struct ovl_res *r)
{
	if (r->reserved)
		return -EINVAL;
	if (r->layer >= 0)
		return -EEXIST;
	if (r->rel[0] == '\0')
		return -EEXIST; /* the mount root */
	return ovl_prepare_parent(r);
}

/* The host refused a call that lookup prepared, in a way that contradicts
 * what lookup said: EEXIST for a name it found missing, ENOENT for an
 * object it found (or for a parent it walked through).  Another process
 * changed the name and has not bumped its counters yet, or did so while
 * we looked: bump them ourselves, so that neither our cached answer nor
 * anyone else's outlives the change (mkdir -p then stats what another
 * mkdir -p just made, and must find it). */
static void host_disagrees(const struct ovl_res *r, int rc)
{
	char prefix[OVL_PATH_MAX];
	size_t len = strlen(r->rel);

	if (rc == -EEXIST && r->layer < 0) {
		ovl_gen_bump(r->m, r->rel);
		return;
	}
	if (rc != -ENOENT && rc != -ENOTDIR)
		return;
	/* any component may be the stale one: they are few */
	memcpy(prefix, r->rel, len + 1);
	for (size_t i = len; i > 0; i--) {
		if (i == len || prefix[i] == '/') {
			prefix[i] = '\0';
			ovl_gen_bump(r->m, prefix);
		}
	}
}

/* After the host call that ovl_for_open (or a creator) prepared, with its
 * result (>= 0, or -errno).  A new upper entry now hides the name, so the
 * whiteout it replaces can go: removing it afterwards means the lower
 * object never shows through. */
void ovl_open_done(const struct ovl_res *r, int rc)
{
	char dir[OVL_PATH_MAX];
	int n;

	if (!r->m)
		return;
	if (rc < 0) {
		host_disagrees(r, rc);
		return;
	}
	if (r->layer >= 0)
		return;
	if (!r->upper_wh) {
		ovl_gen_bump(r->m, r->rel);
		return;
	}
	n = snprintf(dir, sizeof dir, "%s%s%.*s", r->m->layers[0].root, r->name_off ? "/" : "",
		     (int)(r->name_off ? r->name_off - 1 : 0), r->rel);
	if (n > 0 && (size_t)n < sizeof dir)
		ovl_wh_remove(dir, (size_t)n, r->rel + r->name_off, strlen(r->rel + r->name_off));
	ovl_gen_bump(r->m, r->rel);
}

/* What makes the kernel copy a file up at open: write access, or O_TRUNC
 * (which truncates even an O_RDONLY open).  O_APPEND alone does not: an
 * O_RDONLY|O_APPEND descriptor cannot write. */
static int writes(int oflags)
{
	return (oflags & O_ACCMODE) != O_RDONLY || (oflags & O_TRUNC);
}

/* "name/" with O_CREAT: the kernel refuses it (EISDIR) once the parent is
 * found, whatever the name is. */
static int create_with_slash(int dirfd, const char *path)
{
	char p[OVL_PATH_MAX];
	struct ovl_res r;
	size_t n;

	ovl_last_name(path, &n);
	if (n >= sizeof p)
		return -ENAMETOOLONG;
	memcpy(p, path, n);
	p[n] = '\0';
	int rc = ovl_resolve(dirfd, p, OVL_NOFOLLOW | OVL_LAST, &r);
	return rc < 0 ? rc : -EISDIR;
}

int ovl_for_open(int dirfd, const char *path, int oflags, struct ovl_res *r)
{
	int creat = oflags & O_CREAT;
	int excl = creat && (oflags & O_EXCL);
	size_t plen = strlen(path);
	int rc = ovl_resolve(dirfd, path, ((oflags & O_NOFOLLOW) || excl ? OVL_NOFOLLOW : 0) |
			     (creat || writes(oflags) ? OVL_CHANGE : 0), r);

	if (rc == OVL_PASS || (rc == 0 && !r->m))
		return rc;
	/* the kernel's flag checks come before any lookup */
	if (creat && (oflags & O_DIRECTORY))
		return -EINVAL;
	if (creat && plen && path[plen - 1] == '/')
		return create_with_slash(dirfd, path);
	if (rc != 0)
		return rc;
	if (r->layer >= 0) {
		if (excl)
			return -EEXIST;
		/* O_DIRECTORY on anything else fails before a copy-up */
		if ((oflags & O_DIRECTORY) && !S_ISDIR(r->type) && !S_ISLNK(r->type))
			return -ENOTDIR;
		/* Only regular files are copied up: a directory or device is
		 * opened where it is, and the kernel refuses what it must. */
		if (S_ISREG(r->type) && writes(oflags))
			return bring_up(r, oflags & O_TRUNC);
		/* A FIFO's writes stamp its inode: every opener of a lower FIFO,
		 * reader or writer, meets at one copy in the upper instead (the
		 * kernel keeps the pipe in its own inode for the same reason). */
		if (S_ISFIFO(r->type))
			return bring_up(r, 0);
		/* an O_TMPFILE file is born in the directory: it must be the upper */
		if (S_ISDIR(r->type) && (oflags & O_TMPFILE) == O_TMPFILE)
			return bring_up(r, 0);
		return 0;
	}
	if (r->reserved)
		return creat ? -EINVAL : -ENOENT;
	if (!creat)
		return -ENOENT;
	if (r->trailing)
		return -EISDIR;
	return ovl_prepare_parent(r);
}
