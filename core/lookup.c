/*
 * Lookup: resolving a virtual path one component at a time.
 *
 * In each directory the layers that hold it (a bit mask, upper = bit 0) are
 * asked for the next name, top first.  The first layer that has it decides
 * what it is; a directory merges with the directories below it until a
 * layer has an opaque marker, a whiteout ".wh.NAME", or a non-directory of
 * that name.  Outside the mounts a path is only folded lexically: the kernel
 * resolves the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

#define OVL_MAX_HOPS 40
#define OVL_LEARN_AFTER 4 /* misses in one directory before it is listed */

/* layer root + "/" + rel + "/" + name (each part optional) */
static int join(char *out, size_t cap, const struct ovl_layer *y,
		const char *rel, size_t rlen, const char *name, size_t nlen)
{
	size_t n = y->len;

	if (n + 1 + rlen + 1 + nlen + 1 > cap)
		return -ENAMETOOLONG;
	memcpy(out, y->root, n);
	if (rlen) {
		out[n++] = '/';
		memcpy(out + n, rel, rlen);
		n += rlen;
	}
	if (nlen) {
		out[n++] = '/';
		memcpy(out + n, name, nlen);
		n += nlen;
	}
	out[n] = '\0';
	return (int)n;
}

static int has_opaque(char *dirpath, int n)
{
	struct stat st;
	int rc;

	if ((size_t)n + sizeof "/" OVL_OPAQUE > OVL_PATH_MAX)
		return 0;
	memcpy(dirpath + n, "/" OVL_OPAQUE, sizeof "/" OVL_OPAQUE);
	rc = sys_lstat(dirpath, &st);
	dirpath[n] = '\0';
	return rc == 0;
}

/* A whiteout beside the name that was just found missing at p[0..n) */
static int has_whiteout(char *p, int n, size_t nlen)
{
	return ovl_wh_exists(p, (size_t)n - nlen - 1, p + n - nlen, nlen);
}

/* What a lookup's caller wants besides the answer. */
struct ask {
	struct stat *keep; /* when given, the status of the object found (the
			      top layer's): stat() then needs no second call */
	int from_cwd;      /* the walk's path was relative to the cwd */
	const char *kname; /* when given, the kernel's name for the object in */
	int klayer;        /* this layer, relative to its cwd */
	uint64_t stamp;    /* out: the change counter read before looking (0:
			      none can change the answer; OVL_MEMO_NEVER: not
			      cached) */
	uint64_t hash;     /* out: the name's ovl_child_hash (rel_append's) */
};

static int lookup_layers(const struct ovl_mount *m, const char *rel, size_t rlen,
			 const char *name, size_t nlen, uint64_t mask,
			 struct ovl_child *c, const struct ask *a)
{
	struct stat *keep = a->keep;
	char p[OVL_PATH_MAX];
	struct stat st;

	c->layer = -1;
	c->type = 0;
	c->mask = 0;
	c->upper_wh = 0;
	for (int i = 0; i < m->nlayers; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		int n = join(p, sizeof p, &m->layers[i], rel, rlen, name, nlen);
		if (n < 0)
			return n;
		const char *k = i == a->klayer && a->kname ? a->kname
			      : a->from_cwd             ? ovl_cwd_relative(p)
							: p;
		/* the first layer's status is the answer's: straight to keep */
		struct stat *sp = keep && c->layer < 0 ? keep : &st;
		int rc = sys_lstat(k, sp);
		if (rc == -ENOENT || rc == -ENOTDIR) {
			/* below the last layer of the merge a whiteout hides
			 * nothing: only the upper's is worth knowing there */
			if ((i == 0 || mask >> (i + 1)) && has_whiteout(p, n, nlen)) {
				c->upper_wh = i == 0;
				return 0;
			}
			continue;
		}
		if (rc < 0)
			return rc;
		if (c->layer < 0) {
			c->layer = i;
			c->type = sp->st_mode & S_IFMT;
		} else if (!S_ISDIR(sp->st_mode)) {
			return 0; /* a non-directory below a directory ends the merge */
		}
		if (!S_ISDIR(sp->st_mode))
			return 0;
		c->mask |= 1ULL << i;
		if ((mask >> (i + 1)) && has_opaque(p, n))
			return 0; /* (an opaque marker in the last layer hides nothing) */
	}
	return 0;
}

/* A directory that keeps being asked for names it lacks (an include path,
 * a PATH entry) is listed once: its misses then cost nothing. */
static void note_miss(const struct ovl_mount *m, const char *rel, size_t rlen, uint64_t phash,
		      uint64_t mask)
{
	if (ovl_cache_note_miss(m, phash, mask) == OVL_LEARN_AFTER)
		ovl_dir_learn(m, rel, rlen, phash, mask);
}

/* lookup_layers through the cache.  The stamp is read before looking, so a
 * change that lands while we look makes the new entry stale at once.
 * Returns 1 when keep was filled (a fresh lookup found the object). */
static int lookup_child(const struct ovl_mount *m, const char *rel, size_t rlen,
			uint64_t phash, const char *name, size_t nlen, uint64_t mask,
			struct ovl_child *c, struct ask *a)
{
	struct stat *keep = a->keep;
	uint64_t h = ovl_child_hash(phash, rlen, name, nlen);
	const uint64_t *g = NULL;
	uint64_t stamp = 0, dstamp = 0;
	int rc;

	a->stamp = 0;
	a->hash = h;
	if (mask & 1) {
		g = ovl_gen_map(m);
		if (!g) {
			a->stamp = OVL_MEMO_NEVER;
			rc = lookup_layers(m, rel, rlen, name, nlen, mask, c, a);
			return rc < 0 ? rc : keep && c->layer >= 0;
		}
		stamp = ovl_gen_name(g, h);
		dstamp = ovl_gen_dir(g, phash);
		a->stamp = stamp;
	}
	/* A directory that one layer holds has nothing to merge: that layer's
	 * answer is the view's.  A caller that wants the status gets it from
	 * the one system call it needed anyway, the kernel's own answer to a
	 * missing name too (here cheaper than the cache's probes after a
	 * listing); only a directory found is kept (it is walked through
	 * again, as a parent or by an open), not the files, which are the
	 * bulk of a walk's memory. */
	if (keep && !(mask & (mask - 1))) {
		rc = lookup_layers(m, rel, rlen, name, nlen, mask, c, a);
		if (rc < 0)
			return rc;
		if (S_ISDIR(c->type))
			ovl_cache_put(m, rel, rlen, name, nlen, h, mask, stamp, c);
		return c->layer >= 0;
	}
	int hit = ovl_cache_get(m, rel, rlen, name, nlen, h, mask, stamp, c);
	if (hit == 1 && c->layer != OVL_ASK)
		return 0;
	/* Only a name the cache never heard of may be answered by the
	 * directory's complete mark: a stale answer means it changed. */
	if (hit == 0 && ovl_cache_complete(m, rel, rlen, phash, mask, dstamp)) {
		*c = (struct ovl_child){ .layer = -1 };
		return 0;
	}
	rc = lookup_layers(m, rel, rlen, name, nlen, mask, c, a);
	if (rc < 0)
		return rc;
	ovl_cache_put(m, rel, rlen, name, nlen, h, mask, stamp, c);
	if (c->layer < 0)
		note_miss(m, rel, rlen, phash, mask);
	return keep && c->layer >= 0;
}

int ovl_lower_has(const struct ovl_mount *m, const char *rel, uint64_t pmask)
{
	const char *slash = strrchr(rel, '/');
	size_t plen = slash ? (size_t)(slash - rel) : 0;
	const char *name = slash ? slash + 1 : rel;
	struct ovl_child c;
	struct ask a = { 0 };

	if (lookup_child(m, rel, plen, ovl_gen_hash(rel, plen), name, strlen(name),
			 pmask & ~1ULL, &c, &a) < 0)
		return 1; /* cannot tell: a spare whiteout is harmless */
	return c.layer >= 0;
}

int ovl_same_file(int dirfd, const char *path, const char *real)
{
	struct stat a, b;

	return sys_fstatat(dirfd, path, &a, 0) == 0 && sys_fstatat(AT_FDCWD, real, &b, 0) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ovl_virtual_path(const struct ovl_res *r, char *out, size_t outlen)
{
	struct ovl_layer point = { r->m->point, r->m->point_len };
	int n = join(out, outlen, &point, r->rel, strlen(r->rel), "", 0);
	return n < 0 ? n : 0;
}

int ovl_real_in(const struct ovl_mount *m, int layer, const char *rel,
		char *out, size_t outlen)
{
	int n = join(out, outlen, &m->layers[layer], rel, strlen(rel), "", 0);
	return n < 0 ? n : 0;
}

/* The layer mask of directory rel[0..rlen), found again from the root:
 * needed only after "..", which is rare enough not to keep a stack. */
static int dir_mask(const struct ovl_mount *m, const char *rel, size_t rlen,
		    uint64_t *mask)
{
	struct ovl_child c;
	struct ask a = { 0 };
	size_t i = 0;

	*mask = ovl_root_mask(m);
	while (i < rlen) {
		size_t j = i;
		while (j < rlen && rel[j] != '/')
			j++;
		size_t plen = i ? i - 1 : 0;
		int rc = lookup_child(m, rel, plen, ovl_gen_hash(rel, plen), rel + i, j - i,
				      *mask, &c, &a);
		if (rc < 0)
			return rc;
		if (c.layer < 0 || !S_ISDIR(c.type))
			return -ENOENT; /* changed under us */
		*mask = c.mask;
		i = j + 1;
	}
	return 0;
}

/* The walk's position: inside a mount (m, rel, mask) or outside (host). */
struct walk {
	const struct ovl_mount *m;
	char *rel;
	size_t rlen;
	uint64_t hash;  /* ovl_gen_hash of rel */
	uint64_t mask;
	char host[OVL_PATH_MAX];
	size_t hlen;
	int touched; /* entered a mount at some point */
	struct ovl_memo_chain chain; /* the lookups inside the mount so far */
};

static void enter_if_mount(struct walk *w)
{
	const struct ovl_mount *m = ovl_mount_of(w->host, w->hlen);

	if (m && m->point_len == w->hlen) {
		w->m = m;
		w->rlen = 0;
		w->hash = OVL_HASH_INIT;
		w->rel[0] = '\0';
		w->mask = ovl_root_mask(m);
		w->touched = 1;
	}
}

static int host_step(struct walk *w, const char *name, size_t n)
{
	if (n == 2 && name[0] == '.' && name[1] == '.') {
		while (w->hlen > 0 && w->host[w->hlen - 1] != '/')
			w->hlen--;
		if (w->hlen > 1)
			w->hlen--;
		w->host[w->hlen ? w->hlen : 1] = '\0';
		if (!w->hlen)
			w->hlen = 1, w->host[0] = '/';
	} else {
		size_t base = w->hlen == 1 ? 0 : w->hlen;
		if (base + 1 + n + 1 > sizeof w->host)
			return -ENAMETOOLONG;
		w->host[base] = '/';
		memcpy(w->host + base + 1, name, n);
		w->hlen = base + 1 + n;
		w->host[w->hlen] = '\0';
	}
	enter_if_mount(w);
	return 0;
}

/* ".." inside a mount: up one level, or out through the mount point. */
static int mount_up(struct walk *w)
{
	if (w->rlen == 0) {
		memcpy(w->host, w->m->point, w->m->point_len + 1);
		w->hlen = w->m->point_len;
		w->m = NULL;
		return host_step(w, "..", 2);
	}
	while (w->rlen > 0 && w->rel[w->rlen - 1] != '/')
		w->rlen--;
	if (w->rlen > 0)
		w->rlen--;
	w->rel[w->rlen] = '\0';
	w->hash = ovl_gen_hash(w->rel, w->rlen);
	return dir_mask(w->m, w->rel, w->rlen, &w->mask);
}

/* h: ovl_child_hash of the name in w's directory */
static int rel_append(struct walk *w, const char *name, size_t n, uint64_t h)
{
	size_t base = w->rlen ? w->rlen + 1 : 0;

	if (base + n + 1 > OVL_PATH_MAX)
		return -ENAMETOOLONG;
	w->hash = h;
	if (w->rlen)
		w->rel[w->rlen] = '/';
	memcpy(w->rel + base, name, n);
	w->rlen = base + n;
	w->rel[w->rlen] = '\0';
	return 0;
}

/* Replace the pending path with target + "/" + rest.  An absolute target
 * restarts the walk at the host root. */
static int splice_link(struct walk *w, char *pend, const char *real,
		       const char *rest)
{
	char buf[OVL_PATH_MAX];
	long n = sys_readlinkat(AT_FDCWD, real, buf, sizeof buf - 1);
	size_t rlen = strlen(rest);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	if ((size_t)n + 1 + rlen + 1 > OVL_PATH_MAX)
		return -ENAMETOOLONG;
	if (rlen)
		buf[n++] = '/';
	memcpy(buf + n, rest, rlen + 1);
	memcpy(pend, buf, (size_t)n + rlen + 1);
	if (buf[0] == '/') {
		w->m = NULL;
		w->hlen = 1;
		w->host[0] = '/';
		w->host[1] = '\0';
		enter_if_mount(w);
	}
	return 0;
}

static void set_found(struct ovl_res *r, const struct walk *w, const struct ovl_child *c)
{
	r->layer = c->layer;
	r->type = c->type;
	r->mask = c->mask;
	r->upper_wh = c->upper_wh;
	ovl_real_in(w->m, c->layer < 0 ? 0 : c->layer, r->rel, r->real, sizeof r->real);
}

static void res_init(struct ovl_res *r, struct walk *w)
{
	w->m = NULL;
	w->rlen = 0;
	w->hash = OVL_HASH_INIT;
	w->mask = 0;
	w->touched = 0;
	w->chain.depth = 0;
	w->chain.clean = 1;
	w->rel = r->rel;
	w->rel[0] = '\0';
	w->hlen = 1;
	w->host[0] = '/';
	w->host[1] = '\0';
	r->m = NULL;
	r->layer = -1;
	r->type = 0;
	r->mask = r->pmask = 0;
	r->upper_wh = 0;
	r->reserved = 0;
	r->have_st = 0;
	r->from_cwd = 0;
	r->kname = NULL;
	r->klayer = -1;
	r->trailing = 0;
	r->name_off = 0;
}

/* The walk ended on a directory it was already in ("/.", "..", the mount
 * point itself), or outside the mounts after passing through one; there a
 * trailing slash of the path (slash) stays for the kernel to judge
 * ("../x/" must be a directory, and is never made as a file). */
static int finish_at_dir(struct ovl_res *r, struct walk *w, int slash)
{
	const char *sl = strrchr(w->rel, '/');
	struct ovl_child c = { .type = S_IFDIR, .mask = w->mask };

	if (!w->m) {
		if (!w->touched)
			return OVL_PASS;
		memcpy(r->real, w->host, w->hlen + 1);
		if (slash && w->hlen > 1 && w->hlen + 2 <= sizeof r->real)
			memcpy(r->real + w->hlen, "/", 2);
		return 0;
	}
	r->m = w->m;
	r->name_off = sl ? (size_t)(sl - w->rel) + 1 : 0;
	c.layer = __builtin_ctzll(w->mask);
	set_found(r, w, &c);
	return 0;
}

/* The walk met a reserved name that is not the last: a directory removed
 * from the view while a descriptor or the cwd was on it (path.c writes one
 * reserved name for each level removed; a retired upper directory's /proc
 * path has one too).  As on any filesystem such a directory keeps its
 * parent: the ".." that climb back out of it resume the walk (0), after
 * the first name that is not a way out, nothing can be found (ENOENT); a
 * path that ends before it is out ends in a removed directory (1). */
static int climb_out(char **next)
{
	int depth = 1;
	char *s = *next;

	while (*s) {
		char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		while (*e == '/')
			e++;
		if (n == 2 && s[0] == '.' && s[1] == '.')
			depth--;
		else if (ovl_reserved(s, n))
			depth++;
		else if (!(n == 1 && s[0] == '.'))
			return -ENOENT;
		s = e;
		if (depth == 0) {
			*next = s;
			return 0;
		}
	}
	*next = s;
	return 1; /* the path ends in a removed directory */
}

/* "/proc/self/cwd/REST", "/proc/self/fd/N/REST" and "/proc/self/root/REST"
 * (also through thread-self or our own pid) name a path below the cwd, a
 * descriptor's directory or the root: the kernel would look for REST in
 * the host directory behind it (a layer's, or the mount point's own,
 * empty one), the view must look in the virtual one.  0 with out set to
 * the virtual directory + "/" + REST, or OVL_PASS. */
static int proc_prefix(const char *path, char *out, size_t outlen)
{
	char pid[24];
	const char *s = path + 6, *rest;
	int fd = AT_FDCWD, n;

	if (!strncmp(s, "self/", 5))
		s += 5;
	else if (!strncmp(s, "thread-self/", 12))
		s += 12;
	else if ((n = snprintf(pid, sizeof pid, "%d/", sys_getpid())) > 0 && !strncmp(s, pid, (size_t)n))
		s += n;
	else
		return OVL_PASS;
	if (!strncmp(s, "cwd/", 4)) {
		rest = s + 4;
	} else if (!strncmp(s, "root/", 5)) {
		rest = s + 5;
		fd = -1;
	} else if (!strncmp(s, "fd/", 3) && s[3] >= '0' && s[3] <= '9') {
		fd = 0;
		for (s += 3; *s >= '0' && *s <= '9'; s++)
			fd = fd * 10 + (*s - '0');
		if (*s != '/')
			return OVL_PASS;
		rest = s + 1;
	} else {
		return OVL_PASS;
	}
	if (fd == -1) {
		n = snprintf(out, outlen, "/%s", rest);
		return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
	}
	if (ovl_fd_virtual(fd, out, outlen) != 0)
		return OVL_PASS;
	size_t len = strlen(out), rlen = strlen(rest);
	if (len + 1 + rlen + 1 > outlen)
		return -ENAMETOOLONG;
	out[len] = '/';
	memcpy(out + len + 1, rest, rlen + 1);
	return 0;
}

static void walk_from(struct walk *w, const struct ovl_memo_walk *mw)
{
	w->m = mw->m;
	w->hash = mw->hash;
	w->mask = mw->mask;
	w->rlen = mw->rlen;
	w->touched = 1;
	w->chain.clean = 0; /* known already */
}

/* What a final component s[0..n) is to namei: ".", "..", or a name. */
static int name_type(const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return OVL_LAST_DOT;
	if (n == 2 && s[0] == '.' && s[1] == '.')
		return OVL_LAST_DOTDOT;
	return OVL_LAST_NAME;
}

/* Where a walk of the absolute path pend can begin: at its last component
 * when this thread's memo knows the directory before it, else at the top. */
static char *walk_from_memo(struct walk *w, char *pend)
{
	struct ovl_memo_walk mw;
	size_t len = strlen(pend), last;

	while (len > 1 && pend[len - 1] == '/')
		len--;
	for (last = len; last > 0 && pend[last - 1] != '/'; last--)
		;
	if (last < 2 || name_type(pend + last, len - last) == OVL_LAST_DOTDOT)
		return pend;
	if (!ovl_memo_get(pend, last - 1, 0, &mw, w->rel)) {
		w->rel[0] = '\0';
		return pend;
	}
	walk_from(w, &mw);
	return pend + last;
}

/* A path relative to the cwd as a memo's key: its directory part
 * path[0..len) (len 0: the cwd itself) under the count of chdirs, and
 * where its last component starts.  len is -1 when there is none: the
 * count says nothing, or the path does not end in a name ("x/.", ".."), so
 * that its walk does not end in that directory. */
struct cwd_key {
	unsigned epoch;
	long len;
	size_t last;
};

static struct cwd_key cwd_key(const char *path)
{
	struct cwd_key k = { .epoch = ovl_cwd_epoch(), .len = -1 };
	size_t end;

	if (!k.epoch)
		return k;
	k.last = ovl_last_name(path, &end);
	/* (an empty path has no name: ENOENT, not the cwd) */
	if (end > k.last && name_type(path + k.last, end - k.last) == OVL_LAST_NAME)
		k.len = k.last ? (long)k.last - 1 : 0;
	return k;
}

/* The same for a path relative to the cwd, under its own key: its last
 * component is copied to pend, where the walk goes on.  When the kernel
 * reaches that directory's only layer by the same name, the caller's path
 * is the kernel's name for what is found there.  NULL when the memo does
 * not know it. */
static char *walk_from_cwd_memo(struct walk *w, const char *path, const struct cwd_key *k,
				char *pend, struct ask *a)
{
	struct ovl_memo_walk mw;

	if (k->len < 0 || !ovl_memo_get(path, (size_t)k->len, k->epoch, &mw, w->rel))
		return NULL;
	size_t tail = strlen(path + k->last);
	if (tail >= OVL_PATH_MAX)
		return NULL;
	memcpy(pend, path + k->last, tail + 1);
	walk_from(w, &mw);
	if (mw.kident && path[k->last + tail - 1] != '/') {
		a->kname = path;
		a->klayer = __builtin_ctzll(mw.mask);
	}
	return pend;
}

/* Keep where the walk stands, in the directory pend[0..len), for the next:
 * under path's own key when it was relative to the cwd (k). */
static void memo_keep(const struct walk *w, const char *pend, size_t len, const char *path,
		      const struct cwd_key *k)
{
	if (!w->chain.clean)
		return;
	struct ovl_memo_walk mw = { .m = w->m, .hash = w->hash, .mask = w->mask, .rlen = w->rlen };
	if (!k) {
		if (len > 0)
			ovl_memo_put(pend, len, 0, &mw, w->rel, &w->chain);
		return;
	}
	if (k->len < 0)
		return;
	/* the walk was plain, so the kernel's walk of the key from its cwd
	 * in layer i meets layer i's directories: the directory's, when it
	 * has that layer alone */
	int cl = ovl_cwd_layer(w->m);
	mw.kident = cl >= 0 && w->mask == 1ULL << cl;
	ovl_memo_put(path, (size_t)k->len, k->epoch, &mw, w->rel, &w->chain);
}

static void chain_add(struct walk *w, uint64_t stamp)
{
	if (w->chain.depth == OVL_MEMO_DEPTH) {
		w->chain.clean = 0;
		return;
	}
	w->chain.h[w->chain.depth] = w->hash;
	w->chain.stamp[w->chain.depth++] = stamp;
}

static int is_proc(const char *path)
{
	return path[0] == '/' && path[1] == 'p' && !strncmp(path, "/proc/", 6);
}

/* /proc/self/cwd and its kin are walked (proc_prefix): they lead where
 * the prefix test cannot see. */
static int passes(const char *path)
{
	return path[0] == '/' && !is_proc(path) && ovl_outside(path);
}

static int walk_path(int dirfd, const char *path, int flags, struct ovl_res *r)
{
	char pend[OVL_PATH_MAX], viaproc[OVL_PATH_MAX];
	struct walk w;
	struct ovl_child c;
	struct ask a = { 0 };
	int rc, hops = 0;

	if (!ovl_active())
		return OVL_PASS;
	if (is_proc(path)) {
		if ((rc = proc_prefix(path, viaproc, sizeof viaproc)) < 0)
			return rc;
		if (rc == 0)
			path = viaproc;
		if (ovl_outside(path))
			return OVL_PASS;
	}
	res_init(r, &w);
	r->from_cwd = a.from_cwd = dirfd == AT_FDCWD && path[0] != '/';
	struct cwd_key key;
	char *start = NULL;
	if (a.from_cwd) {
		key = cwd_key(path);
		start = walk_from_cwd_memo(&w, path, &key, pend, &a);
	}
	if (!start) {
		rc = ovl_absolute(dirfd, path, pend, sizeof pend);
		if (rc < 0 || (rc = ovl_unalias(pend, sizeof pend, flags & OVL_NOFOLLOW)) < 0)
			return rc;
		if (ovl_outside(pend))
			return OVL_PASS;
		enter_if_mount(&w); /* the walk starts at "/" */
		start = walk_from_memo(&w, pend);
	}

	for (char *s = start, *next; *s; s = next) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		for (next = e; *next == '/'; next++)
			;
		int last = !*next;
		int trailing = last && *e == '/';

		if (n == 1 && s[0] == '.')
			continue;
		if (last && w.m)
			memo_keep(&w, pend, (size_t)(s - pend) - 1, path, a.from_cwd ? &key : NULL);
		if (!w.m) {
			if ((rc = host_step(&w, s, n)) < 0)
				return rc;
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			w.chain.clean = 0;
			if ((rc = mount_up(&w)) < 0)
				return rc;
			continue;
		}
		a.keep = last && (flags & OVL_STAT) ? &r->st : NULL;
		if (ovl_reserved(s, n)) {
			w.chain.clean = 0;
			a.hash = ovl_child_hash(w.hash, w.rlen, s, n);
			/* never there; a removed directory's retired name (from
			 * /proc) may still be followed by ".." below */
			r->reserved = last;
			c = (struct ovl_child){ .layer = -1 };
		} else if ((rc = lookup_child(w.m, w.rel, w.rlen, w.hash, s, n, w.mask, &c, &a)) < 0) {
			return rc;
		} else {
			r->have_st = rc;
		}
		if (c.layer < 0 && !last) {
			if (!ovl_reserved(s, n) || (rc = climb_out(&next)) < 0)
				return -ENOENT;
			if (rc == 0)
				continue;
			/* ends in the removed directory s: found missing, as a
			 * reserved name is, yet a directory a walk reached (the
			 * parent of a rename's "..") */
			last = 1;
			r->reserved = 1;
		}
		int itself = last && (flags & OVL_LAST);
		if (S_ISLNK(c.type) && !itself && (!last || trailing || !(flags & OVL_NOFOLLOW))) {
			char real[OVL_PATH_MAX];
			if (++hops > OVL_MAX_HOPS)
				return -ELOOP;
			w.chain.clean = 0;
			a.kname = NULL;
			r->have_st = 0; /* that was the link's status, not its target's */
			rc = join(real, sizeof real, &w.m->layers[c.layer], w.rel, w.rlen, s, n);
			if (rc < 0)
				return rc;
			/* keep a trailing slash: "link/" must name a directory */
			if ((rc = splice_link(&w, pend, real, trailing ? "/" : next)) < 0)
				return rc;
			next = pend;
			continue;
		}
		if (c.layer >= 0 && !S_ISDIR(c.type) && (!last || (trailing && !itself)))
			return -ENOTDIR;
		r->pmask = w.mask;
		r->name_off = w.rlen ? w.rlen + 1 : 0;
		if ((rc = rel_append(&w, s, n, a.hash)) < 0)
			return rc;
		if (last) {
			r->trailing = trailing;
			r->m = w.m;
			if (c.layer < 0)
				c.mask = w.mask; /* missing: the parent's layers */
			set_found(r, &w, &c);
			if (a.kname && c.layer == a.klayer) {
				r->kname = a.kname;
				r->klayer = a.klayer;
			}
			return 0;
		}
		w.mask = c.mask;
		chain_add(&w, a.stamp);
	}
	size_t plen = strlen(pend);
	return finish_at_dir(r, &w, plen > 1 && pend[plen - 1] == '/');
}

/* "." and "./." and the like: names for the base directory itself. */
static int only_dots(const char *p)
{
	if (!*p || strstr(p, ".."))
		return 0;
	for (; *p; p++)
		if (*p != '.' && *p != '/')
			return 0;
	return 1;
}

/* The cwd (or dirfd) was removed from the view while in use.  As on any
 * filesystem it is still a directory, empty and with no way back to the
 * tree: "." names it through /proc, in no layer, so its listing is empty
 * and nothing can be created in it. */
static int ghost_dir(int dirfd, struct ovl_res *r)
{
	char link[40], real[OVL_PATH_MAX];
	long n;

	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof link, "/proc/self/cwd");
	else
		snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	n = sys_readlinkat(AT_FDCWD, link, real, sizeof real - 1);
	if (n <= 0)
		return -ENOENT;
	real[n] = '\0';
	if (n > 10 && !strcmp(real + n - 10, " (deleted)"))
		real[n - 10] = '\0';
	if (ovl_virtual_of(real, real, sizeof real) != 0)
		return -ENOENT;
	const struct ovl_mount *m = ovl_mount_of(real, strlen(real));
	if (!m)
		return -ENOENT;
	const char *rel = real + m->point_len + (real[m->point_len] == '/');
	memmove(r->rel, rel, strlen(rel) + 1);
	/* through the link: "/." makes even lstat and O_NOFOLLOW follow it */
	snprintf(r->real, sizeof r->real, "%s/.", link);
	r->m = m;
	r->layer = 0;
	r->type = S_IFDIR;
	r->mask = r->pmask = 0;
	r->upper_wh = r->reserved = r->trailing = r->have_st = r->from_cwd = 0;
	r->name_off = 0;
	return 0;
}

/* The host path the kernel makes of real: 0 with out filled, or -errno. */
static int kernel_path(int dirfd, const char *real, int oflags, char *out)
{
	int fd = sys_openat(dirfd, real, O_PATH | O_CLOEXEC | oflags, 0);
	long n;

	if (fd < 0)
		return fd;
	n = ovl_fd_readlink(fd, out, OVL_PATH_MAX);
	sys_close(fd);
	if (n <= 0 || out[0] != '/')
		return -ENOENT;
	out[n] = '\0';
	return 0;
}

/* Which side of the view the host path real is on: 1 in a lower layer or a
 * mount point's own directory (virt: the virtual path it shows), 2 in an
 * upper (written as asked), 0 elsewhere. */
static int host_side(const char *real, char *virt)
{
	if (real[0] != '/' || ovl_virtual_of(real, virt, OVL_PATH_MAX) != 0)
		return 0;
	for (int i = 0; i < ovl_mount_count(); i++) {
		const struct ovl_layer *up = &ovl_mount_at(i)->layers[0];
		if (!strncmp(real, up->root, up->len) &&
		    (real[up->len] == '/' || !real[up->len]))
			return 2;
	}
	return 1;
}

int ovl_host_place(int dirfd, const char *path, int follow, char *virt)
{
	char real[OVL_PATH_MAX];
	int rc;

	if (!path[0]) { /* dirfd itself (AT_EMPTY_PATH) */
		long n = ovl_fd_readlink(dirfd, real, sizeof real);
		if (n < 0)
			return n == -ENOENT ? -EBADF : (int)n;
		real[n] = '\0';
	} else if ((rc = kernel_path(dirfd, path, follow ? 0 : O_NOFOLLOW, real)) < 0) {
		return rc;
	}
	return host_side(real, virt);
}

/* A host path the lexical walk left outside every mount, for a call that
 * changes what it names: the kernel may still take it into a lower through
 * a symlink ("/tmp/link/f" with /tmp/link -> /src), /proc/self/cwd,
 * /proc/self/fd/N (of a directory, or of a lower file reopened for
 * writing) or /proc/self/root.  Ask the kernel where the object (or, when
 * it is missing, its parent) is; when that is in a lower, the virtual path
 * it shows there goes into out (0), else OVL_PASS. */
static int host_alias(int dirfd, const char *path, int flags, char *out)
{
	char real[OVL_PATH_MAX], dir[OVL_PATH_MAX];
	size_t end, off;
	int rc = kernel_path(dirfd, path, flags & OVL_NOFOLLOW ? O_NOFOLLOW : 0, real);

	if (rc == 0)
		return host_side(real, out) == 1 ? 0 : OVL_PASS;
	/* missing: where its parent is */
	off = ovl_last_name(path, &end);
	if (end == off || off + 2 > sizeof dir)
		return OVL_PASS;
	if (off) {
		memcpy(dir, path, off);
		dir[off] = '\0';
	} else {
		memcpy(dir, ".", 2);
	}
	if (kernel_path(dirfd, dir, O_DIRECTORY, real) < 0 || host_side(real, out) != 1)
		return OVL_PASS;
	size_t olen = strlen(out), nlen = end - off;
	if (olen + 1 + nlen + 1 > OVL_PATH_MAX)
		return -ENAMETOOLONG;
	out[olen] = '/';
	memcpy(out + olen + 1, path + off, nlen);
	out[olen + 1 + nlen] = '\0';
	return 0;
}

size_t ovl_last_name(const char *path, size_t *end)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	*end = n;
	while (n > 0 && path[n - 1] != '/')
		n--;
	return n;
}

int ovl_last_type(const char *path)
{
	size_t e, n = ovl_last_name(path, &e);

	return name_type(path + n, e - n);
}

int ovl_resolve(int dirfd, const char *path, int flags, struct ovl_res *r)
{
	/* outside every mount as written: the kernel's, at the cost of one
	 * prefix test, unless a change there reaches a lower (below) */
	int outside = passes(path);
	/* "x/." and "x/..": the kernel walks to x as a parent, so x must be
	 * a directory that exists (ENOTDIR, ENOENT) whatever the call */
	int dots = !outside && ovl_last_type(path) != OVL_LAST_NAME;
	if (dots)
		flags &= ~OVL_LAST;
	int rc = outside ? OVL_PASS : walk_path(dirfd, path, flags, r);

	if ((flags & OVL_CHANGE) && (rc == OVL_PASS || (rc == 0 && !r->m))) {
		char v[OVL_PATH_MAX];
		/* after leaving a mount, r->real is the host path walked */
		int a = rc == 0 ? host_alias(AT_FDCWD, r->real, flags, v)
				: host_alias(dirfd, path, flags, v);
		if (a < 0)
			return a;
		if (a == 0)
			return walk_path(AT_FDCWD, v, flags, r);
	}

	if ((rc == -ENOENT || (rc == 0 && r->m && r->layer < 0)) && path[0] != '/' &&
	    only_dots(path))
		return ghost_dir(dirfd, r);
	if (rc == 0 && dots && r->m && r->layer < 0 && !r->reserved)
		return -ENOENT;
	return rc;
}

/* A directory shown by two or more layers, or by none (a removed cwd):
 * no layer's link count describes it. */
int ovl_is_merged_dir(const struct ovl_res *r)
{
	return r->m && S_ISDIR(r->type) && r->layer >= 0 &&
	       __builtin_popcountll(r->mask) != 1;
}

/* Identity.  A copied-up object keeps the inode number of its lower
 * origin, recorded with the upper copy when it was made (OVL_ORIGIN_XATTR,
 * copyup.c), as the kernel's overlayfs reports it with all layers on one
 * file system: vim compares the st_ino of the file it stat'ed with the
 * descriptor it then opened for writing, git clone -l the inode numbers of
 * a hard link and its source.  It goes with the inode, so renames and hard
 * links in the upper keep it, and it lasts across processes and runs. */
static uint64_t origin_in(long n, const unsigned char *v)
{
	uint64_t ino = 0;

	if (n != 8)
		return 0;
	for (int i = 7; i >= 0; i--)
		ino = ino << 8 | v[i];
	return ino;
}

uint64_t ovl_origin_at(const char *real)
{
	unsigned char v[8];

	return origin_in(sys_lgetxattr(real, OVL_ORIGIN_XATTR, v, sizeof v), v);
}

uint64_t ovl_origin(const struct ovl_res *r)
{
	return r->m && r->layer == 0 ? ovl_origin_at(r->real) : 0;
}

/* The device of each mount's upper, found once: fstat asks for an origin
 * only of descriptors on those devices. */
static dev_t upper_dev[OVL_MAX_MOUNTS];

uint64_t ovl_fd_origin(int fd, dev_t dev)
{
	unsigned char v[8];
	int on_upper = 0;

	for (int i = 0; i < ovl_mount_count() && !on_upper; i++) {
		dev_t d = __atomic_load_n(&upper_dev[i], __ATOMIC_RELAXED);
		if (!d) {
			struct stat st;
			if (sys_lstat(ovl_mount_at(i)->layers[0].root, &st) < 0)
				continue;
			d = st.st_dev;
			__atomic_store_n(&upper_dev[i], d, __ATOMIC_RELAXED);
		}
		on_upper = d == dev;
	}
	if (!on_upper)
		return 0;
	return origin_in(OVL_SC(SYS_fgetxattr, fd, OVL_ORIGIN_XATTR, v, sizeof v, 0, 0), v);
}

long ovl_xattr_hide(char *list, long n)
{
	long out = 0;

	for (long i = 0; i < n;) {
		size_t len = strnlen(list + i, (size_t)(n - i));
		if (!ovl_xattr_private(list + i)) {
			memmove(list + out, list + i, len + 1 > (size_t)(n - i) ? (size_t)(n - i) : len + 1);
			out += (long)len + 1;
		}
		i += (long)len + 1;
	}
	return out > n ? n : out;
}

void ovl_fix_stat(const struct ovl_res *r, struct stat *st)
{
	uint64_t o = ovl_origin(r);

	if (o)
		st->st_ino = o;
	if (ovl_is_merged_dir(r))
		st->st_nlink = 1;
}

void ovl_fix_statx(const struct ovl_res *r, struct statx *stx)
{
	uint64_t o = ovl_origin(r);

	if (ovl_is_merged_dir(r))
		stx->stx_nlink = 1;
	if (o && (stx->stx_mask & STATX_INO))
		stx->stx_ino = o;
}

void ovl_fstat_fix(int fd, struct stat *st)
{
	struct ovl_res r;
	uint64_t o;

	if (S_ISDIR(st->st_mode)) {
		/* a directory descriptor may be on a layer's directory that a
		 * copy-up (chmod, a new entry) has since put another in front
		 * of: the view's directory is the one stat describes.  One that
		 * a lower holds alone was never copied up (the upper's copy
		 * would be there), so the descriptor is on it already. */
		struct stat now;
		if (ovl_for_read(fd, ".", 0, &r) != 0 || !r.m || r.layer < 0)
			return;
		if (!ovl_dir_plain(&r)) {
			if (sys_lstat(r.real, &now) < 0)
				return;
			*st = now;
		}
		ovl_fix_stat(&r, st);
		return;
	}
	if (S_ISREG(st->st_mode) && (o = ovl_fd_origin(fd, st->st_dev)))
		st->st_ino = o;
}

int ovl_fd_merged_dir(int fd)
{
	char v[OVL_PATH_MAX];
	struct ovl_res r;

	if (!ovl_active() || ovl_fd_virtual(fd, v, sizeof v) != 0)
		return 0;
	if (ovl_resolve(AT_FDCWD, v, OVL_NOFOLLOW, &r) != 0)
		return 0;
	return ovl_is_merged_dir(&r);
}
