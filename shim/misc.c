/*
 * Paths in other clothes: Unix socket addresses and inotify watches.
 *
 * bind creates the socket file, so it is a create in the overlay: the name
 * must be free in every layer (else EADDRINUSE, the kernel's answer for a
 * taken name), the upper parent is made, and a whiteout of the name goes
 * once the socket exists.  connect only looks.  The kernel gets the host
 * path; one longer than sun_path can hold is reached through
 * /proc/self/fd/N/NAME, N a descriptor on its directory, and only when that
 * does not fit either does the call fail with ENAMETOOLONG.  Abstract
 * addresses (a leading NUL) and unnamed ones pass through.
 *
 * inotify_add_watch watches the object the view shows, in the layer that
 * holds it: a change that lands in another layer (a lower file copied up,
 * a new name in the upper part of a merged directory) is not reported.
 */
#include "shim.h"

#include <stddef.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>

#define SHIM_SUN_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* The path of a named AF_UNIX address, copied NUL-terminated into path;
 * 0 when it is something else (then the call passes through). */
static int shim_sun_path(const struct sockaddr *sa, socklen_t len, char *path)
{
	const struct sockaddr_un *su = (const struct sockaddr_un *)sa;
	size_t n;

	if (!shim_nonnull(sa) || len <= offsetof(struct sockaddr_un, sun_path) ||
	    sa->sa_family != AF_UNIX || su->sun_path[0] == '\0')
		return 0;
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n > SHIM_SUN_MAX)
		n = SHIM_SUN_MAX;
	n = strnlen(su->sun_path, n);
	memcpy(path, su->sun_path, n);
	path[n] = '\0';
	return 1;
}

/* Address real in out: directly, or through a descriptor on its directory
 * (*dirfd, to be closed by the caller).  0 or -ENAMETOOLONG. */
static int shim_sun_fill(const char *real, struct sockaddr_un *out,
			 socklen_t *len, int *dirfd)
{
	size_t n = strlen(real);
	const char *slash;
	char dir[OVL_PATH_MAX];
	int k;

	memset(out, 0, sizeof *out);
	out->sun_family = AF_UNIX;
	*dirfd = -1;
	if (n >= SHIM_SUN_MAX) {
		slash = strrchr(real, '/');
		if (!slash || (size_t)(slash - real) >= sizeof dir)
			return -ENAMETOOLONG;
		memcpy(dir, real, (size_t)(slash - real));
		dir[slash - real] = '\0';
		*dirfd = SHIM_NEXT(open)(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*dirfd < 0)
			return -ENAMETOOLONG;
		k = snprintf(out->sun_path, SHIM_SUN_MAX, "/proc/self/fd/%d%s", *dirfd, slash);
		if (k < 0 || (size_t)k >= SHIM_SUN_MAX) {
			SHIM_NEXT(close)(*dirfd);
			*dirfd = -1;
			return -ENAMETOOLONG;
		}
		n = (size_t)k;
	} else {
		memcpy(out->sun_path, real, n + 1);
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

static int shim_sock_call(int create, int fd, const struct sockaddr *sa, socklen_t salen)
{
	char path[SHIM_SUN_MAX + 1];
	struct sockaddr_un su;
	struct ovl_res r;
	socklen_t len = 0;
	int rc, dirfd = -1, v, err;

	if (!shim_on() || !shim_sun_path(sa, salen, path))
		return OVL_PASS;
	rc = create ? ovl_for_open(AT_FDCWD, path, O_CREAT | O_EXCL | O_WRONLY, &r)
		    : ovl_for_read(AT_FDCWD, path, 0, &r);
	if (rc == OVL_PASS)
		return OVL_PASS;
	if (rc == -EEXIST && create)
		rc = -EADDRINUSE;
	if (rc == 0)
		rc = shim_sun_fill(r.real, &su, &len, &dirfd);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	if (create)
		v = SHIM_NEXT(bind)(fd, (const struct sockaddr *)&su, len);
	else
		v = SHIM_NEXT(connect)(fd, (const struct sockaddr *)&su, len);
	err = errno;
	if (dirfd >= 0)
		SHIM_NEXT(close)(dirfd);
	if (create)
		ovl_open_done(&r, v == 0 ? 0 : -err);
	errno = err;
	return v;
}

OVL_EXPORT int bind(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	const struct sockaddr *sa = addr.__sockaddr__;
	int v = shim_sock_call(1, fd, sa, len);

	return v == OVL_PASS ? SHIM_NEXT(bind)(fd, addr, len) : v;
}

/* connect is hot for network clients: one family test before anything. */
OVL_EXPORT int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	const struct sockaddr *sa = addr.__sockaddr__;
	int v = shim_nonnull(sa) && len > offsetof(struct sockaddr_un, sun_path) &&
			sa->sa_family == AF_UNIX
		? shim_sock_call(0, fd, sa, len)
		: OVL_PASS;

	return v == OVL_PASS ? SHIM_NEXT(connect)(fd, addr, len) : v;
}

static int shim_watch_at(int dirfd, const char *path, int mask, struct ovl_res *r)
{
	return ovl_for_read(dirfd, path, (mask & IN_DONT_FOLLOW) ? OVL_NOFOLLOW : 0, r);
}

SHIM_PATH(int, inotify_add_watch, (int fd, const char *path, uint32_t mask), (fd, path, mask), shim_watch_at, AT_FDCWD, (int)mask, )

/* File handles of objects in a mount: the kernel's overlayfs gives none
 * without nfs_export (EOPNOTSUPP), and a handle of a layer's file would let
 * open_by_handle_at reach the lower behind the view. */
OVL_EXPORT int name_to_handle_at(int dirfd, const char *path, struct file_handle *h,
				 int *mount_id, int flags)
{
	char virt[OVL_PATH_MAX];
	struct ovl_res r;
	int rc = OVL_PASS;

	if (shim_on_path(path)) {
		if (!path[0] && (flags & AT_EMPTY_PATH))
			rc = ovl_host_place(dirfd, "", 0, virt) > 0 ? 0 : OVL_PASS;
		else
			rc = ovl_resolve(dirfd, path, flags & AT_SYMLINK_FOLLOW ? 0 : OVL_NOFOLLOW, &r);
		if (rc == 0 && !path[0])
			rc = -EOPNOTSUPP;
		else if (rc == 0)
			rc = !r.m ? OVL_PASS : r.layer < 0 ? -ENOENT : -EOPNOTSUPP;
	}
	if (rc == OVL_PASS)
		return SHIM_NEXT(name_to_handle_at)(dirfd, path, h, mount_id, flags);
	errno = -rc;
	return -1;
}
