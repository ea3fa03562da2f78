/*
 * liboverlay core: the overlay itself, free of any interposition.
 *
 * Everything here talks to the host through the raw system calls of sys.h,
 * never through libc's file functions, so it cannot re-enter the shim and
 * works before the dynamic linker has finished.  Functions return 0 (or a
 * count) on success and a negative errno on failure; they never touch errno.
 *
 * Vocabulary:
 *   mount   the directory whose contents the overlay replaces ("/src")
 *   layer   a host directory stacked under the mount; layer 0 is the upper
 *           (writable), layers 1..n-1 are the lowers, highest precedence first
 *   rel     a path below the mount point, without a leading '/' ("" = root)
 *   real    a host path: a layer root joined with a rel
 */
#ifndef OVL_H
#define OVL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The longest path, virtual or host, the library builds.  The kernel limits
 * each path argument to PATH_MAX bytes, not the depth of a tree: a relative
 * name below a deep cwd, or an upper whose path is longer than the mount's,
 * gives longer paths, which longpath.c hands to the kernel in pieces. */
#define OVL_PATH_MAX (2 * PATH_MAX)

#define OVL_MAX_LAYERS 64
#define OVL_MAX_MOUNTS 8

/* Returned instead of 0 when a path lies outside every mount: the caller
 * passes its original arguments through untouched. */
#define OVL_PASS 1

#define OVL_WH ".wh."                  /* whiteout: ".wh.NAME" hides NAME below */
#define OVL_WH_LEN 4
/* A name the view never shows, nor lets be made: whiteouts (either form),
 * our markers and temporaries all start with OVL_WH. */
static inline int ovl_reserved(const char *name, size_t n)
{
	return n >= OVL_WH_LEN && memcmp(name, OVL_WH, OVL_WH_LEN) == 0;
}
#define OVL_OPAQUE ".wh..wh..opq"      /* in a directory: hides the layers below */
#define OVL_INTERNAL ".wh..wh."        /* prefix of our own temporaries */
#define OVL_WHITEOUT_FILE OVL_INTERNAL "liboverlay.wh" /* whiteouts link here */

struct ovl_layer {
	const char *root; /* canonical absolute host path, no trailing '/' */
	size_t len;
};

struct ovl_mount {
	const char *point; /* canonical absolute mount point, no trailing '/' */
	size_t point_len;
	int nlayers;  /* layers[0] is the upper */
	struct ovl_layer layers[OVL_MAX_LAYERS];
	uint64_t root_mask; /* layers whose root takes part (stops at an opaque
			       root): ovl_root_mask, 0 until first asked */
	uint64_t *gen;      /* shared change counters (gen.c): ovl_gen_map */
	int gen_tried;      /* the map was tried (NULL then: no caching) */
	const char *alias;  /* the point as configured, when symlinks make it
			       differ from point (ovl_unalias); else NULL */
	size_t alias_len;
	int alias_link;     /* alias's last component is itself a symlink */
};

/* The layers taking part at m's root (its upper, down to an opaque root),
 * found on first use. */
uint64_t ovl_root_mask_first(const struct ovl_mount *m);
static inline uint64_t ovl_root_mask(const struct ovl_mount *m)
{
	uint64_t mask = __atomic_load_n(&m->root_mask, __ATOMIC_ACQUIRE);
	return mask ? mask : ovl_root_mask_first(m);
}

/* ---- table.c: configuration ------------------------------------------- */

/* Read OVERLAY_UPPER / OVERLAY_LOWER / OVERLAY_MOUNT (one mount) and
 * OVERLAY_MOUNTS (more: "MOUNT:UPPER:LOWER[:LOWER]..." separated by ';',
 * an empty MOUNT meaning in place) from envp.
 * Returns 0 when none is set (inert), 1 when a mount was configured, or -1
 * with a one-line reason in err when they are set but invalid. */
int ovl_config_from_env(char *const *envp, char *err, size_t errlen);

/* Add one mount.  lowers[0] has the highest precedence; mount NULL means
 * lowers[0] (in place).  Paths are canonicalised and checked: they must be
 * absolute existing directories, the upper may not overlap a lower, and no
 * layer may lie inside the mount.  Returns 0, or -1 with err filled. */
int ovl_config_add(const char *mount, const char *upper,
		   const char *const *lowers, int nlowers,
		   char *err, size_t errlen);

/* OVERLAY_FSYNC=1: copy-ups are fsync'd (file, then its directory) before
 * the call that caused them returns.  Off by default, as the kernel's
 * overlayfs does not sync copy-ups either. */
extern int ovl_fsync;

/* ---- trace.c: OVERLAY_TRACE, a line per decision ------------------------ */

struct ovl_res;
struct ovl_mount;
/* 1 when tracing (set once, by configuration): test it before any call. */
extern int ovl_trace_on;
/* The trace file, an absolute path (NULL or "": off); 0 or -errno. */
int ovl_trace_set(const char *file);
const char *ovl_trace_file(void);
void ovl_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A call's line: rc and r as a resolution (or an intent) left them. */
void ovl_trace_res(const char *call, const char *path, int rc, const struct ovl_res *r);
/* The result of a change core made itself (ovl_rename, ovl_unlink...). */
void ovl_trace_result(const char *call, int rc);
/* A refusal of core's own, with its reason. */
void ovl_trace_refuse(const struct ovl_mount *m, const char *rel, int rc, const char *why);
/* Monotonic nanoseconds while tracing, else 0. */
uint64_t ovl_trace_clock(void);
#define OVL_TRACE(args)                                                      \
	do {                                                                 \
		if (__builtin_expect(ovl_trace_on, 0))                       \
			ovl_trace args;                                      \
	} while (0)

/* Forget every mount (tests). */
void ovl_config_reset(void);

/* Nonzero when at least one mount is configured. */
int ovl_active(void);

int ovl_mount_count(void);
const struct ovl_mount *ovl_mount_at(int i);

/* The mount whose point is a prefix of the absolute path abs, or NULL. */
const struct ovl_mount *ovl_mount_of(const char *abs, size_t len);

/* 1 when the absolute path abs cannot lead into a mount (a quick test, may
 * say 0 of a path that does not). */
int ovl_outside(const char *abs);

/* The absolute path abs (room for cap bytes) with a mount's alias (the
 * point spelled through symlinks, as it was configured) replaced by the
 * point itself, as the kernel's walk of those symlinks would; nofollow: a
 * last component that is the alias's own symlink stays.  0, or
 * -ENAMETOOLONG. */
int ovl_unalias(char *abs, size_t cap, int nofollow);

/* ---- longpath.c: host paths of PATH_MAX bytes or more ------------------ */

/* After a call on a host path failed with ENAMETOOLONG: the same object
 * as "/proc/self/fd/N/NAME", N a descriptor of its parent directory opened
 * a piece at a time.  ovl_long_open gives 1 with lp->path set, for the call
 * to be made again and then ovl_long_close(lp); 0 when the path is not
 * that long (the kernel's answer, about a name, stands); or -errno. */
struct ovl_long {
	int fd;
	char path[sizeof "/proc/self/fd/-2147483648/" + NAME_MAX + 1];
};
int ovl_long_open(int dfd, const char *path, struct ovl_long *lp);
void ovl_long_close(struct ovl_long *lp);

/* ---- path.c: names, cwd, reverse map ---------------------------------- */

/* Map a host path back to the virtual path it shows in a mount: a path
 * under a layer root (or under a mount point) becomes the same rel under
 * the mount point.  Returns 0 with out filled, OVL_PASS when real belongs
 * to no mount, or -ENAMETOOLONG. */
int ovl_virtual_of(const char *real, char *out, size_t outlen);
/* 1 when the host path real is a layer's root or below one. */
int ovl_in_layer(const char *real);

/* The virtual path of what descriptor fd (or the cwd, for AT_FDCWD) points
 * at.  Returns 0, OVL_PASS when it is outside every mount, or -errno. */
int ovl_fd_virtual(int fd, char *out, size_t outlen);
/* readlink(2) of /proc/self/fd/fd into out (at most outlen - 1 bytes, no
 * NUL added): its length, or -errno. */
long ovl_fd_readlink(int fd, char *out, size_t outlen);
/* The name to hand the kernel for the host path real: a path relative to
 * the kernel's cwd when real lies below it (the kernel then walks what it
 * would walk without us, not the layer's whole path again), else real.
 * Only for a call whose own path was relative to the cwd: it already
 * depends on the cwd, so a chdir racing it cannot make things worse. */
const char *ovl_cwd_relative(const char *real);
/* The layer of mount m whose directory the kernel has as its cwd (the
 * cwd's own, in that layer), or -1 (another mount, none, not known). */
int ovl_cwd_layer(const struct ovl_mount *m);
/* ovl_cwd_relative(r->real) where r came from a path relative to the cwd
 * (r->kname when the walk found that to be the caller's own path), else
 * r->real. */
const char *ovl_kernel_name(const struct ovl_res *r);

/* ---- fdtab.c: descriptors on virtual directories ---------------------- */

struct ovl_res;

/* After an open of r succeeded as fd: remember fd's virtual path when it
 * is a directory in a mount (and forget whatever fd meant before). */
void ovl_fd_opened(int fd, const struct ovl_res *r);
/* After fd was closed or replaced (close, dup2, dup3, close_range). */
void ovl_fd_forget(int fd);
/* After newfd was made a copy of oldfd (dup, dup2, dup3, F_DUPFD). */
void ovl_fd_copy(int oldfd, int newfd);
/* 1 with out filled when a still-valid record exists, else 0. */
int ovl_fd_recorded(int fd, char *out, size_t outlen);
/* A record goes stale when its directory's counter moves, which our own
 * copy-up of that directory does too; ovl_fd_stale reads the record as it
 * stands (1 with out and mark filled) with the counter's value now, and
 * ovl_fd_restamp, once /proc has confirmed that fd is still on the
 * directory the view shows at path, makes it valid again under that value
 * (unless the slot changed meanwhile). */
struct ovl_fd_mark {
	int fd;
	unsigned seq;
	const struct ovl_mount *m;
	uint64_t stamp;
};
int ovl_fd_stale(int fd, char *out, size_t outlen, struct ovl_fd_mark *mark);
void ovl_fd_restamp(const struct ovl_fd_mark *mark, const char *path);

/* ---- follow.c: read-only descriptors of lower files follow a copy-up -- */

/* After a successful open of r as fd with oflags: a read-only descriptor
 * of a lower file is noted.  ovl_follow, before a call that reads through
 * fd: when the file has been copied up since, fd is moved onto the copy.
 * ovl_fd_forget forgets the note too. */
#define OVL_FOLLOW_SLOTS 4096
extern unsigned char ovl_follow_mark[OVL_FOLLOW_SLOTS];
void ovl_follow_opened(int fd, int oflags, const struct ovl_res *r);
void ovl_follow_check(int fd);
void ovl_follow_forget(int fd);
/* Move fd onto the upper copy at real (dir: it is a directory), keeping
 * its flags and offset; the old description is kept for flock. */
void ovl_fd_move_onto(int fd, const char *real, int dir);
/* filelock.c: the descriptor flock(fd) acts on (the lower origin of an upper
 * copy, so that lockers before and after a copy-up meet); fd keeps old, a
 * description it replaced (follow.c); forget and copy with fd. */
int ovl_flock_target(int fd);
void ovl_flock_keep(int fd, int old);
void ovl_flock_forget(int fd);
void ovl_flock_copy(int oldfd, int newfd);
/* fcntl's record locks (F_SETLK, F_SETLKW, F_GETLK, the F_OFD_ ones) on fd:
 * OVL_PASS to make the call, 0 when F_GETLK's answer is in fl, -errno. */
struct flock;
int ovl_fcntl_lock(int fd, int cmd, struct flock *fl);
/* Before fd moves onto its copy nfd: the process's record locks on fd's
 * file are taken on nfd too; how many (nfd is then to be kept beside fd,
 * ovl_fcntl_keep, as its close would drop them), or -1 if one could not
 * be. */
int ovl_fcntl_carry(int fd, int nfd);
void ovl_fcntl_keep(int fd, int nfd);

static inline void ovl_follow(int fd)
{
	if ((unsigned)fd < OVL_FOLLOW_SLOTS &&
	    __builtin_expect(__atomic_load_n(&ovl_follow_mark[fd], __ATOMIC_RELAXED), 0))
		ovl_follow_check(fd);
}

/* The cwd is remembered between relative lookups.  ovl_cwd_init: at load
 * time and in a fork child (the memory now belongs to this pid); after a
 * chdir or fchdir through the library, ovl_cwd_changed. */
void ovl_cwd_init(void);
void ovl_cwd_changed(void);
/* The count of chdirs so far: the same value, the same cwd; 0 when it
 * says nothing (a vfork child has moved). */
unsigned ovl_cwd_epoch(void);
/* 1 unless this is a vfork child, which shares its parent's memory (and
 * so its notes) but not its descriptors. */
int ovl_owns_memory(void);

/* getcwd: the virtual path of the cwd (0), OVL_PASS when it lies outside
 * every mount, or -ENOENT when it was removed from the view (its layer
 * directory may still exist in a lower, but the view has no path to it). */
int ovl_cwd_virtual(char *out, size_t outlen);
/* The same for a directory descriptor fd standing for a cwd (the
 * supervisor's of a target's); OVL_PASS leaves out empty. */
int ovl_dir_virtual(int fd, char *out, size_t outlen);

/* Turn (dirfd, path) into an absolute path, with '.' and '//' folded but
 * '..' and symlinks left for lookup.  Returns 0 or -errno. */
int ovl_absolute(int dirfd, const char *path, char *out, size_t outlen);

/* ---- lookup.c: resolving a virtual path ------------------------------- */

enum {
	OVL_NOFOLLOW = 1,  /* do not follow a symlink in the final component */
	OVL_NODATA = 2,    /* ovl_for_write: the data is about to go (truncate
			      to 0), copy up metadata only */
	OVL_STAT = 4,      /* keep the status of the object in r->st when the
			      lookup had to stat it anyway (r->have_st) */
	OVL_CHANGE = 8,    /* the call changes what the path names: a host
			      path that the kernel would take into a lower
			      (a symlink, /proc/self/fd/N) is resolved in
			      the view instead of passed through */
	OVL_LAST = 16,     /* the final component is the object the call
			      creates, removes or renames: never followed,
			      even with a trailing slash, and a non-directory
			      there is found, not ENOTDIR (r->trailing says
			      the slash was there; the caller decides) */
};

struct ovl_res {
	const struct ovl_mount *m; /* NULL when the path left every mount */
	int layer;        /* layer holding the object, -1 when it is missing */
	mode_t type;      /* S_IFMT of the object, 0 when missing */
	uint64_t mask;    /* directory: layers that merge into it;
			     missing: layers holding its parent */
	uint64_t pmask;   /* layers holding the parent directory */
	int upper_wh;     /* the upper parent holds ".wh.NAME" */
	int reserved;     /* the final name starts with ".wh." (never exists) */
	int trailing;     /* the path ended in '/' */
	int have_st;      /* st holds the object's status (OVL_STAT asked) */
	int from_cwd;     /* the path was relative to the cwd (AT_FDCWD) */
	int klayer;       /* kname names the object in this layer... */
	const char *kname; /* ...to the kernel: the caller's own path (or NULL) */
	struct stat st;
	size_t name_off;  /* offset in rel of the final component */
	char rel[OVL_PATH_MAX];
	char real[OVL_PATH_MAX]; /* layer root + rel, or the host path when m is NULL */
};

/* Resolve (dirfd, path) in the virtual namespace.  Symlinks met inside a
 * mount are followed there; a path that leaves the mount continues on the
 * host (r->m NULL, r->real the host path).  A missing final component is
 * not an error: r->layer is -1 and the parent exists.  Returns 0, OVL_PASS
 * when the path never touched a mount (r is then undefined), or -errno
 * (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES...). */
int ovl_resolve(int dirfd, const char *path, int flags, struct ovl_res *r);

/* Where the kernel finds the host path (dirfd, path) ("" : dirfd itself):
 * 1 in a lower layer or a mount point's own directory (virt: the virtual
 * path it shows), 2 in an upper, 0 elsewhere, or -errno. */
int ovl_host_place(int dirfd, const char *path, int follow, char *virt);

/* The final component of a path as the kernel's namei sorts it before any
 * file system is asked (trailing slashes ignored): calls that create,
 * remove or rename refuse "." and "..", each with its own errno. */
enum { OVL_LAST_NAME, OVL_LAST_DOT, OVL_LAST_DOTDOT };
int ovl_last_type(const char *path);
/* Where the final component of path starts; *end is just past it (the
 * trailing slashes are not part of it).  path[0..start) is its parent. */
size_t ovl_last_name(const char *path, size_t *end);

/* Nonzero when some lower layer (below the upper) shows the name at rel,
 * honouring whiteouts and opaque markers: after removing the upper entry a
 * whiteout is then needed to keep it hidden. */
int ovl_lower_has(const struct ovl_mount *m, const char *rel, uint64_t pmask);

/* The virtual path r names (mount point + rel). */
int ovl_virtual_path(const struct ovl_res *r, char *out, size_t outlen);
/* 1 when the kernel would resolve (dirfd, path) to the file at real: the
 * host path of a name is the view's own object (an exec then runs it as
 * the caller named it). */
int ovl_same_file(int dirfd, const char *path, const char *real);

/* Fill r->real with the host path of rel in layer. */
int ovl_real_in(const struct ovl_mount *m, int layer, const char *rel,
		char *out, size_t outlen);

/* What stat reports of the object r resolved to: a merged directory
 * (present in two or more layers) has st_nlink 1; a copied-up object keeps
 * its lower origin's st_ino. */
void ovl_fix_stat(const struct ovl_res *r, struct stat *st);

/* The inode number recorded with an upper copy at copy-up: the origin's,
 * which stat, fstat and statx report; 0 for none.  ovl_fd_origin asks only
 * for descriptors on an upper's device (dev: what fstat said). */
#define OVL_ORIGIN_XATTR "user.overlay.origin"
/* An upper directory of no lower that holds a copied-up object (moved or
 * linked there) lists its entries' origins too (readdir.c), as the
 * kernel's "impure" directories do; others list what the kernel says. */
#define OVL_IMPURE_XATTR "user.overlay.impure"
/* Every user.overlay.* attribute is the library's own (the namespace the
 * kernel's overlayfs uses with userxattr), hidden from the program. */
#define OVL_XATTR_PREFIX "user.overlay."
static inline int ovl_xattr_private(const char *name)
{
	return strncmp(name, OVL_XATTR_PREFIX, sizeof OVL_XATTR_PREFIX - 1) == 0;
}
uint64_t ovl_origin(const struct ovl_res *r);
uint64_t ovl_origin_at(const char *real); /* of the upper object at real */
uint64_t ovl_fd_origin(int fd, dev_t dev);
/* The record is the library's own, as the kernel's trusted.overlay.* are:
 * listxattr does not show it (cp -a would give a copy the same inode
 * number) and getxattr does not find it.  ovl_xattr_hide takes it out of a
 * list of n bytes and returns the new length. */
long ovl_xattr_hide(char *list, long n);
int ovl_is_merged_dir(const struct ovl_res *r);

/* The same question for an open descriptor (fstat): 1 when fd is a merged
 * directory of some mount, else 0. */
int ovl_fd_merged_dir(int fd);
/* What fstat of fd must say, after the host's answer st: what stat of its
 * path says (a directory's view, a copy's origin inode). */
void ovl_fstat_fix(int fd, struct stat *st);
/* ovl_fix_stat's rules for statx of the object r resolved to: one link for
 * a merged directory, the origin's inode number for a copy. */
struct statx;
void ovl_fix_statx(const struct ovl_res *r, struct statx *stx);

/* ---- intents: what the shim asks before calling libc ------------------ */

/* For calls that only look: the object must exist.  Returns OVL_PASS, 0
 * with r->real naming the object's host path, or -errno. */
int ovl_for_read(int dirfd, const char *path, int flags, struct ovl_res *r);

/* For calls that change an existing object in place (chmod, truncate,
 * utimes, xattrs): the object is copied up first, r->real is in the upper. */
int ovl_for_write(int dirfd, const char *path, int flags, struct ovl_res *r);

/* For calls that change an object through a descriptor (fchmod, fchown,
 * futimens, fsetxattr, ftruncate).  A descriptor on a lower file (opened
 * read-only before, or never copied up) would change the lower: the file is
 * copied up and r->real names the upper copy, for the caller to change by
 * path.  OVL_PASS when the descriptor is outside every lower (upper files,
 * host files, pipes): change it through the descriptor.  -EROFS when the
 * lower file no longer shows in the view. */
int ovl_fd_for_write(int fd, struct ovl_res *r);

/* For open(): decides from oflags (O_CREAT, O_EXCL, O_TRUNC, O_ACCMODE,
 * O_APPEND, O_NOFOLLOW, O_DIRECTORY) where the open lands; copies up on a
 * write open, prepares the upper parent on a create.  After the caller's
 * open of r->real it must call ovl_open_done(r, result), success or not:
 * a failure that contradicts the lookup retires the cached answers. */
int ovl_for_open(int dirfd, const char *path, int oflags, struct ovl_res *r);
void ovl_open_done(const struct ovl_res *r, int rc /* the call's: >= 0 or -errno */);

/* For core's own creators: make the upper parent of a missing r exist, and
 * check that a name may be created (not reserved, not taken). */
int ovl_prepare_parent(struct ovl_res *r);
int ovl_prepare_create(struct ovl_res *r);

/* ---- copyup.c ---------------------------------------------------------- */

/* Make rel (found in layer `from`, a lower) exist in the upper: parents
 * first, then the object itself through a hidden temporary published with
 * renameat2(RENAME_NOREPLACE).  skip_data copies metadata only (O_TRUNC).
 * If another process published first, theirs is kept; if the name was
 * removed or renamed since the caller's lookup, -ENOENT (the publishing is
 * done under the directory's lock, lock.c).  Returns 0 or -errno. */
int ovl_copy_up(const struct ovl_mount *m, const char *rel, int from,
		int skip_data);
/* The same, by a caller that holds the lock of rel's upper directory. */
int ovl_copy_up_locked(const struct ovl_mount *m, const char *rel, int from);

/* A hidden temporary name ".wh..wh.TAG.PID.TID.N" in dst's directory. */
int ovl_temp_name(const char *dst, const char *tag, char *out, size_t outlen);

/* Make the directory rel, and its parents, exist in the upper, carrying
 * mode, owner and times over from the topmost lower that has them. */
int ovl_copy_up_dirs(const struct ovl_mount *m, const char *rel);

#define OVL_ASK (-2)

/* What one directory's layers say about one name. */
struct ovl_child {
	int layer;       /* topmost layer holding the name, -1 if none */
	mode_t type;
	uint64_t mask;   /* directory: the layers merging into it */
	int upper_wh;    /* the upper holds ".wh.NAME" */
};

/* ---- gen.c, cache.c: exact lookup caching ----------------------------- */

/* Every process using an upper maps one small file of counters from it
 * (OVL_GEN_FILE, an internal name, created by the first process): slot 0
 * is an epoch, the others count changes to the names (and, apart, to the
 * directories) that hash to them.  A change bumps the counters of the name
 * it changed after the change is complete; a cached answer about a name is
 * only served while its counter still holds the value read before the
 * answer was computed. */
#define OVL_GEN_FILE OVL_INTERNAL "liboverlay.gen"
#define OVL_GEN_SLOTS 16384
/* After the counters, the words of lock.c's directory locks. */
#define OVL_LOCK_SLOTS 1024
#define OVL_GEN_BYTES (OVL_GEN_SLOTS * sizeof(uint64_t) + OVL_LOCK_SLOTS * sizeof(uint32_t))

/* The counters of m's upper, mapped on first use; NULL when they cannot be
 * (then nothing that depends on the upper is cached). */
const uint64_t *ovl_gen_map_first(const struct ovl_mount *m);
static inline const uint64_t *ovl_gen_map(const struct ovl_mount *m)
{
	const uint64_t *g = __atomic_load_n(&m->gen, __ATOMIC_ACQUIRE);
	return g ? g : ovl_gen_map_first(m);
}

/* FNV-1a over rel strings, extended a component at a time by lookup. */
#define OVL_HASH_INIT 1469598103934665603ULL
static inline uint64_t ovl_hash_more(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}
static inline uint64_t ovl_gen_hash(const char *s, size_t n)
{
	return ovl_hash_more(OVL_HASH_INIT, s, n);
}
/* The hash of the child rel "prel/name" ("name" at the root) from the
 * hash of prel, without building it. */
static inline uint64_t ovl_child_hash(uint64_t phash, size_t plen,
				      const char *name, size_t nlen)
{
	return ovl_hash_more(plen ? ovl_hash_more(phash, "/", 1) : phash, name, nlen);
}

/* The counter of the name whose rel hashes to h (ovl_child_hash), and of
 * the directory rel's entries. */
uint64_t ovl_gen_name(const uint64_t *gen, uint64_t h);
uint64_t ovl_gen_dir(const uint64_t *gen, uint64_t h /* ovl_gen_hash(rel) */);
/* After creating, removing or replacing the name rel in the upper. */
void ovl_gen_bump(const struct ovl_mount *m, const char *rel);
/* 1 once this process has changed something in a mount (a hint: a writer
 * is worth teaching more, see readdir.c ovl_plain_new). */
int ovl_gen_changed(void);
/* After moving a directory: every cached answer below it is keyed by a
 * path that now means something else. */
void ovl_gen_bump_all(const struct ovl_mount *m);
/* The lock word of the upper directories whose host paths hash to h, in
 * the shared map; NULL when this process has no map. */
uint32_t *ovl_gen_lock_word(const struct ovl_mount *m, uint64_t h);

/* memo.c: the last directories each thread walked to (absolute virtual
 * paths, or paths relative to the cwd, up to their last component), and
 * where the walk stood there.  A walk keeps the change counter each lookup
 * on its way read (0: none can change the answer, OVL_MEMO_NEVER: not
 * cached, so never kept). */
#define OVL_MEMO_DEPTH 12
#define OVL_MEMO_NEVER (~0ULL)
struct ovl_memo_chain {
	unsigned depth;
	int clean; /* no symlink, "..", reserved name: a memo may be kept */
	uint64_t h[OVL_MEMO_DEPTH], stamp[OVL_MEMO_DEPTH];
};
struct ovl_memo_walk {
	const struct ovl_mount *m;
	uint64_t hash, mask;
	size_t rlen;
	int kident; /* relative keys: the kernel's cwd reaches the directory's
		       only layer by the key itself (ovl_cwd_layer is it) */
};
/* 1 with w and rel (the directory's rel, NUL-terminated) filled when the
 * directory dir[0..len) is known and nothing on its way changed since.
 * cwd: 0 for an absolute dir, else ovl_cwd_epoch() for one relative to the
 * cwd (then len may be 0: the cwd itself). */
int ovl_memo_get(const char *dir, size_t len, unsigned cwd, struct ovl_memo_walk *w, char *rel);
void ovl_memo_put(const char *dir, size_t len, unsigned cwd, const struct ovl_memo_walk *w,
		  const char *rel, const struct ovl_memo_chain *chain);
void ovl_memo_reset(void); /* every thread's memos: after ovl_config_reset */

/* The per-process cache of ovl_child answers, keyed by (mount, parent rel,
 * name, parent's layer mask); h is ovl_child_hash of the name.  get gives
 * 1 for a current answer, -1 when the newest answer is stale, 0 when
 * there is none; put gives 0 when the cache is full.  An answer with layer
 * OVL_ASK is a placeholder: the name exists, look it up.  Lock-free, no malloc: safe in threads and
 * signal handlers.  stamp is what ovl_gen_read gave before looking (0 for
 * a parent the upper does not hold: then the answer is immutable). */
int ovl_cache_get(const struct ovl_mount *m, const char *prel, size_t plen,
		  const char *name, size_t nlen, uint64_t h, uint64_t pmask,
		  uint64_t stamp, struct ovl_child *out);
void ovl_cache_reset(void); /* tests: after ovl_config_reset */
/* The complete mark of a directory: a listing of it (with that mask) was
 * taught, so a name it did not hold is missing.  stamp is the directory's
 * counter (ovl_gen_dir) when the mask holds the upper, else 0. */
void ovl_cache_put_complete(const struct ovl_mount *m, const char *rel, size_t rlen,
			    uint64_t hash, uint64_t mask, uint64_t stamp);
int ovl_cache_complete(const struct ovl_mount *m, const char *rel, size_t rlen,
		       uint64_t hash, uint64_t mask, uint64_t stamp);
/* Count a lookup in directory (hash, mask) that found nothing; returns the
 * count so far (approximate: a small table, collisions restart it). */
unsigned ovl_cache_note_miss(const struct ovl_mount *m, uint64_t hash, uint64_t mask);
int ovl_cache_put(const struct ovl_mount *m, const char *prel, size_t plen,
		  const char *name, size_t nlen, uint64_t h, uint64_t pmask,
		  uint64_t stamp, const struct ovl_child *c);

/* ---- lock.c: one changer at a time in an upper directory -------------- */

struct ovl_lock {
	int fd[2];          /* flock()ed directories, without a shared map */
	uint32_t *word[2];  /* held lock words, with one */
	int held;           /* signals are blocked, saved holds the mask before */
	uint64_t saved;
};
#define OVL_LOCK_INIT { { -1, -1 }, { NULL, NULL }, 0, 0 }

/* Lock the upper directory dir of mount m (and b, when not NULL and
 * another one) for a change: signals blocked, the directory's lock word
 * taken (or, in a process without the shared map, an exclusive flock).
 * Whoever holds it bumps the counters of what it changed before
 * ovl_unlock.  Returns 0 or -errno. */
int ovl_lock_dir(const struct ovl_mount *m, const char *dir, struct ovl_lock *lk);
int ovl_lock_dirs(const struct ovl_mount *m, const char *a, const char *b,
		  struct ovl_lock *lk);
void ovl_unlock(struct ovl_lock *lk);
/* In a fork child, before it changes anything. */
void ovl_lock_forked(void);
/* Set (atomically) once the process has installed a signal handler
 * (shim/signal.c): from then on signals are blocked while a lock is held. */
extern int ovl_handlers_installed;

/* ---- dir.c: changes to the namespace ---------------------------------- */

int ovl_mkdir(int dirfd, const char *path, mode_t mode);
int ovl_mknod(int dirfd, const char *path, mode_t mode, dev_t dev);
int ovl_symlink(const char *target, int dirfd, const char *path);
/* flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (olddirfd itself, "" path:
 * naming an O_TMPFILE file).  An old path outside every mount is linked as
 * it is; the kernel says EXDEV when it is on another filesystem. */
int ovl_link(int olddirfd, const char *oldpath, int newdirfd,
	     const char *newpath, int flags);
int ovl_unlink(int dirfd, const char *path, int flags /* AT_REMOVEDIR */);
int ovl_rename(int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, unsigned int flags /* RENAME_* */);

/* Create the whiteout of rel in the upper (parents copied up). */
int ovl_whiteout(const struct ovl_mount *m, const char *rel);

/* ---- whiteout.c: the two forms of a whiteout --------------------------- */

/* The whiteout of name in the host directory dir (dir[0..dlen)): ".wh.NAME",
 * or for a name too long for the prefix ".wh..wh.lwh.HASH" holding the
 * name.  ovl_wh_path gives 0 (short form) or 1 (long form) with out set. */
int ovl_wh_path(const char *dir, size_t dlen, const char *name, size_t nlen,
		char *out, size_t outlen);
int ovl_wh_exists(const char *dir, size_t dlen, const char *name, size_t nlen);
int ovl_wh_make(const struct ovl_mount *m, const char *dir, size_t dlen,
		const char *name, size_t nlen);
void ovl_wh_remove(const char *dir, size_t dlen, const char *name, size_t nlen);
/* A directory entry read from a layer (dirfd: that directory): the length
 * of the name it whites out, copied to out (NAME_MAX + 2 bytes), or 0 when
 * it is no whiteout. */
long ovl_wh_listed(int dirfd, const char *entry, char *out);

/* ---- readdir.c: merged listings --------------------------------------- */

struct ovl_dirent {
	uint64_t ino;
	unsigned char type; /* DT_* */
	unsigned short namelen;
	char *name;
};

struct ovl_dir {
	size_t count;
	size_t pos;
	struct ovl_dirent *ents;
	char *names;        /* storage for every name */
};

/* Build the merged listing of the directory r resolved to: each visible name
 * once ("." and ".." first), accurate d_type, no whiteouts or internal
 * names.  Returns 0 with *out allocated, or -errno. */
int ovl_dir_read(const struct ovl_res *r, struct ovl_dir **out);
void ovl_dir_free(struct ovl_dir *d);
/* 1 when the directory r names is one lower layer's alone (not the mount
 * root, whose ".." is the mount point's): its own listing, the kernel's,
 * is the view's, less the reserved names (ovl_plain_saw).  The kernel's
 * overlayfs too reads such a directory as it is. */
int ovl_dir_plain(const struct ovl_res *r);
/* Reading a plain directory (ovl_dir_plain) through the kernel's own
 * listing: each entry read is handed to ovl_plain_saw, which says whether
 * the view shows it and teaches the cache what it is (a later stat, open
 * or unlink of a listed name then costs no lookup, as a merged listing's
 * names do); after the last one, ovl_plain_end marks the directory
 * complete (names not listed are missing) when the listing began at the
 * first name (whole) and the reader did not skip about (ovl_plain_seeked).
 * malloc'd by ovl_plain_new (NULL: no memory, read without teaching). */
struct ovl_plain;
struct ovl_plain *ovl_plain_new(const struct ovl_res *r, int whole);
int ovl_plain_saw(struct ovl_plain *p, const char *name, unsigned char d_type);
void ovl_plain_end(struct ovl_plain *p);
void ovl_plain_seeked(struct ovl_plain *p);
void ovl_plain_free(struct ovl_plain *p);
/* The listing of the directory the descriptor fd is open on: 0 with *out
 * (NULL for one removed from the view since, which lists nothing),
 * OVL_PASS when it is not a directory of a mount (the kernel's to list),
 * or -errno. */
int ovl_fd_dir_read(int fd, struct ovl_dir **out);
/* Entries of d (NULL: none) from *pos on as the kernel's getdents64
 * records (old: the legacy getdents ones) in buf of n bytes: the bytes
 * used, *pos past the last one put; -EINVAL when the next does not fit
 * even alone, as the kernel says. */
long ovl_dir_fill(const struct ovl_dir *d, size_t *pos, void *buf, size_t n, int old);

/* List the directory rel (hash: ovl_gen_hash of it) in the layers of mask
 * only to teach the cache: lookup calls it for a directory where it keeps
 * missing, so that the next misses cost no system call. */
void ovl_dir_learn(const struct ovl_mount *m, const char *rel, size_t rlen,
		   uint64_t hash, uint64_t mask);

/* Call fn for every raw entry of the open directory fd (getdents64);
 * stops at the first negative return. */
int ovl_dir_each(int fd, int (*fn)(void *ctx, const char *name,
				   unsigned char type, uint64_t ino), void *ctx);

/* ---- the supervisor (supervisor/): the second front end ---------------- */

/* The prctl option the supervisor's filter answers with OVL_SUP_ERRNO: a
 * process asks it to learn that it runs supervised, and the preload
 * library then stands aside (each call is translated once, there). */
#define OVL_SUP_PROBE 0x4f564c53 /* "OVLS" */
#define OVL_SUP_ERRNO 3333
int ovl_supervised(void); /* seccomp.c */

/* ---- seccomp.c: what no interposition can see ------------------------- */

/* At start-up, in a process with a mount: set no_new_privs (a setuid or
 * setgid program then keeps LD_PRELOAD, without its privileges) and make
 * io_uring_setup fail with ENOSYS (rings act inside the kernel, unseen), for
 * this process and everything it starts.  Once per process tree: 1 when an
 * ancestor did it already (one probe), 0 when done now, -errno when the
 * kernel refused (io_uring then stays available). */
int ovl_seccomp_io_uring(void);

#endif
