/*
 * Merged directory listings.
 *
 * The layers that hold a directory are read top first.  A name is shown the
 * first time it is met; a whiteout ".wh.NAME" hides NAME in the layers read
 * after it (not in its own layer: there the name wins); opaque markers were
 * already applied by lookup, which leaves the layers below them out of the
 * mask.  Internal names never appear.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovl.h"
#include "sys.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int ovl_dir_each(int fd, int (*fn)(void *ctx, const char *name, unsigned char type,
				    uint64_t ino), void *ctx)
{
	char buf[8192];
	long n;

	while ((n = sys_getdents64(fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			off += d->d_reclen;
			int rc = fn(ctx, d->d_name, d->d_type, d->d_ino);
			if (rc < 0)
				return rc;
		}
	}
	return (int)n;
}

/* Names seen so far, in an open-addressing hash of indexes into ents. */
struct builder {
	struct ovl_dir *d;
	size_t cap, names_len, names_cap;
	size_t *slots;   /* index + 1, 0 = empty */
	unsigned char *hidden;
	unsigned char *from;  /* the layer each entry was found in */
	size_t nslots;
	int layer, dirfd;
	const char *real; /* the layer directory being read */
	int origins;      /* the upper of a merged directory: ask for origins */
	int first_layer; /* the top layer: its "." and ".." are the listing's */
	int dots;        /* entries 0 and 1 are "." and ".." */
	char *wh;        /* this layer's whiteouts, NUL-separated, names only */
	size_t wh_len, wh_cap;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static size_t *slot_of(struct builder *b, const char *name, size_t n)
{
	size_t i = hash(name, n) & (b->nslots - 1);

	for (;; i = (i + 1) & (b->nslots - 1)) {
		size_t k = b->slots[i];
		if (!k)
			return &b->slots[i];
		struct ovl_dirent *e = &b->d->ents[k - 1];
		if (e->namelen == n && memcmp(b->d->names + (size_t)e->name, name, n) == 0)
			return &b->slots[i];
	}
}

static int grow(struct builder *b, size_t namelen)
{
	if (b->d->count + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		void *p = realloc(b->d->ents, cap * sizeof *b->d->ents);
		void *h = realloc(b->hidden, cap);
		void *f = h ? realloc(b->from, cap) : NULL;
		if (p)
			b->d->ents = p;
		if (h)
			b->hidden = h;
		if (f)
			b->from = f;
		if (!p || !h || !f)
			return -ENOMEM;
		b->cap = cap;
	}
	if (b->names_len + namelen + 1 > b->names_cap) {
		size_t cap = b->names_cap ? b->names_cap * 2 : 4096;
		while (cap < b->names_len + namelen + 1)
			cap *= 2;
		char *p = realloc(b->d->names, cap);
		if (!p)
			return -ENOMEM;
		b->d->names = p;
		b->names_cap = cap;
	}
	if ((b->d->count + 1) * 2 > b->nslots) {
		size_t ns = b->nslots ? b->nslots * 2 : 128;
		size_t *s = calloc(ns, sizeof *s);
		if (!s)
			return -ENOMEM;
		free(b->slots);
		b->slots = s;
		b->nslots = ns;
		for (size_t i = 0; i < b->d->count; i++) {
			struct ovl_dirent *e = &b->d->ents[i];
			*slot_of(b, b->d->names + (size_t)e->name, e->namelen) = i + 1;
		}
	}
	return 0;
}

/* Store the name; during the build e->name holds an offset into names,
 * since names moves as it grows. */
static int add(struct builder *b, const char *name, size_t n, unsigned char type,
	       uint64_t ino, int hidden)
{
	int rc = grow(b, n);

	if (rc < 0)
		return rc;
	struct ovl_dirent *e = &b->d->ents[b->d->count];
	memcpy(b->d->names + b->names_len, name, n + 1);
	e->name = (char *)(uintptr_t)b->names_len;
	e->namelen = (unsigned short)n;
	e->type = type;
	e->ino = ino;
	b->hidden[b->d->count] = (unsigned char)hidden;
	b->from[b->d->count] = (unsigned char)b->layer;
	b->names_len += n + 1;
	*slot_of(b, name, n) = ++b->d->count;
	return 0;
}

static unsigned char type_of(int dirfd, const char *name)
{
	struct stat st;

	if (sys_fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	return IFTODT(st.st_mode);
}

/* Whiteouts hide names in the layers below, not in their own: they are
 * kept aside while a layer is read and applied after it. */
static int note_whiteout(struct builder *b, const char *name, size_t n)
{
	if (b->wh_len + n + 1 > b->wh_cap) {
		size_t cap = b->wh_cap ? b->wh_cap * 2 : 1024;
		while (cap < b->wh_len + n + 1)
			cap *= 2;
		char *p = realloc(b->wh, cap);
		if (!p)
			return -ENOMEM;
		b->wh = p;
		b->wh_cap = cap;
	}
	memcpy(b->wh + b->wh_len, name, n + 1);
	b->wh_len += n + 1;
	return 0;
}

/* d_ino as stat gives it: a copied-up entry keeps its origin's number
 * (lookup.c, identity).  Asked only in the upper of a merged directory,
 * where copy-ups land (a copy moved into a directory of the upper alone
 * lists its own number there). */
static uint64_t origin_of(const struct builder *b, const char *name, uint64_t ino)
{
	char p[OVL_PATH_MAX];
	int n = snprintf(p, sizeof p, "%s/%s", b->real, name);
	uint64_t o = n < 0 || (size_t)n >= sizeof p ? 0 : ovl_origin_at(p);

	return o ? o : ino;
}

static int take(void *ctx, const char *name, unsigned char type, uint64_t ino)
{
	struct builder *b = ctx;
	size_t n = strlen(name);

	if (name[0] == '.' && (n == 1 || (n == 2 && name[1] == '.'))) {
		if (b->dots && b->first_layer && !b->d->ents[n - 1].ino)
			b->d->ents[n - 1].ino = ino; /* "." is entry 0, ".." entry 1 */
		return 0;
	}
	if (ovl_reserved(name, n)) {
		/* a whiteout (either form), or one of our markers and
		 * temporaries, which are never shown */
		char hidden[NAME_MAX + 2];
		long hlen = ovl_wh_listed(b->dirfd, name, hidden);
		return hlen > 0 ? note_whiteout(b, hidden, (size_t)hlen) : 0;
	}
	if (b->nslots && *slot_of(b, name, n))
		return 0;
	if (type == DT_UNKNOWN)
		type = type_of(b->dirfd, name);
	if (b->origins && (type == DT_REG || type == DT_DIR))
		ino = origin_of(b, name, ino);
	return add(b, name, n, type, ino, 0);
}

static int impure(const char *real)
{
	char v;
	return sys_lgetxattr(real, OVL_IMPURE_XATTR, &v, 1) > 0;
}

static int read_layer(struct builder *b, const char *real)
{
	int fd = sys_openat(AT_FDCWD, real, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return fd; /* ENOENT: removed meanwhile (the caller decides) */
	b->dirfd = fd;
	b->real = real;
	b->wh_len = 0;
	rc = ovl_dir_each(fd, take, b);
	sys_close(fd);
	for (size_t off = 0; rc == 0 && off < b->wh_len;) {
		const char *name = b->wh + off;
		size_t n = strlen(name);
		off += n + 1;
		if (!b->nslots || !*slot_of(b, name, n))
			rc = add(b, name, n, DT_UNKNOWN, 0, 1);
	}
	return rc;
}

/* "." and ".." first; their inode numbers come from the top layer's own
 * entries as it is read, but the mount root's parent is the mount
 * point's. */
static int add_dots(struct builder *b, const struct ovl_res *r)
{
	char up[OVL_PATH_MAX];
	struct stat pst;
	int rc;

	pst.st_ino = 0;
	if (!r->rel[0]) {
		rc = snprintf(up, sizeof up, "%s/..", r->m->point);
		if (rc < 0 || (size_t)rc >= sizeof up || sys_lstat(up, &pst) < 0)
			pst.st_ino = 0;
	}
	if ((rc = add(b, ".", 1, DT_DIR, 0, 0)) < 0 ||
	    (rc = add(b, "..", 2, DT_DIR, pst.st_ino, 0)) < 0)
		return rc;
	b->dots = 1;
	return 0;
}

/* A full listing answers lookups of its non-directories too (a directory's
 * answer also needs the layers below it and their opaque markers, which a
 * listing does not show): walkers that stat or unlink what they just
 * listed (ls -l, find, rm -rf) then find the answers cached.  It also
 * answers every name it does not hold: "missing" (the complete mark). */
struct where {
	const struct ovl_mount *m;
	const char *rel;
	size_t rlen;
	uint64_t hash;   /* ovl_gen_hash of rel */
};

static void teach_cache(const struct builder *b, const struct where *w,
			size_t first, uint64_t mask, const uint64_t *stamps,
			uint64_t dstamp)
{
	const struct ovl_dir *d = b->d;
	int all = 1;

	for (size_t i = first; i < d->count; i++) {
		const struct ovl_dirent *e = &d->ents[i];
		struct ovl_child c = { .layer = -1 };

		if (b->hidden[i]) {
			c.upper_wh = b->from[i] == 0;
		} else if (e->type == DT_DIR || e->type == DT_UNKNOWN) {
			c.layer = OVL_ASK; /* there, but lookup must say what */
		} else {
			c.layer = b->from[i];
			c.type = DTTOIF(e->type);
		}
		const char *name = d->names + (size_t)e->name;
		uint64_t h = ovl_child_hash(w->hash, w->rlen, name, e->namelen);
		uint64_t stamp = stamps ? stamps[i - first] : 0;
		all &= ovl_cache_put(w->m, w->rel, w->rlen, name, e->namelen, h, mask, stamp, &c);
	}
	/* "not listed means missing" holds only if every name went in */
	if (all)
		ovl_cache_put_complete(w->m, w->rel, w->rlen, w->hash, mask, dstamp);
}

/* The upper counters of the names listed since first.  They are read after
 * the listing and before the directory's counter is read again: a change
 * the listing missed bumped the directory before that second read (the
 * listing is then not steady and teaches nothing), or bumps the name after
 * it, and so after we read the name's counter (the answer is born stale). */
static uint64_t *read_stamps(const struct builder *b, const struct where *w,
			     size_t first, const uint64_t *g)
{
	const struct ovl_dir *d = b->d;
	uint64_t *s = malloc((d->count - first + 1) * sizeof *s);

	if (!s)
		return NULL;
	for (size_t i = first; i < d->count; i++) {
		const struct ovl_dirent *e = &d->ents[i];
		uint64_t h = ovl_child_hash(w->hash, w->rlen, d->names + (size_t)e->name,
					    e->namelen);
		s[i - first] = ovl_gen_name(g, h);
	}
	return s;
}

/* The upper holds no directory at w->rel (nor anything else there). */
static int upper_lacks(const struct where *w)
{
	char real[OVL_PATH_MAX];
	struct stat st;
	int rc = ovl_real_in(w->m, 0, w->rel, real, sizeof real);

	if (rc < 0)
		return 0;
	rc = sys_lstat(real, &st);
	return rc == -ENOENT || rc == -ENOTDIR;
}

/* Read the layers of mask into b, then teach the cache what they say when
 * it is sure to be current.  The directory's counter is read before and
 * after listing: unchanged, no change in it completed meanwhile, and any
 * change still under way bumps its name's counter after we read it (gen.c
 * bumps the directory first, then the name; see read_stamps). */
static int list_layers(struct builder *b, const struct where *w, uint64_t mask)
{
	const uint64_t *g = ovl_gen_map(w->m);
	uint64_t before = g ? ovl_gen_dir(g, w->hash) : 0;
	size_t first = b->d->count;
	char real[OVL_PATH_MAX];
	int rc = 0, gone = 0;
	/* A listing of the lowers alone (the upper has no such directory, or
	 * the caller asked about the lowers only) also answers lookups made
	 * with the upper in the mask, but only while the upper directory is
	 * missing: once made, each entry made in it bumps that name's counter
	 * and the directory's.  An upper directory that exists already may
	 * hold entries and whiteouts this listing does not see. */
	int also_upper = g && !(mask & 1) && upper_lacks(w);

	b->layer = -1;

	for (int i = 0; rc == 0 && i < w->m->nlayers; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		rc = ovl_real_in(w->m, i, w->rel, real, sizeof real);
		if (rc == 0) {
			b->first_layer = b->layer < 0;
			b->layer = i;
			b->origins = i == 0 && ((mask & ~1ULL) || impure(real));
			rc = read_layer(b, real);
		}
		/* A layer's directory removed meanwhile lists nothing; such a
		 * listing is not the directory's, so it teaches nothing. */
		if (rc == -ENOENT || rc == -ENOTDIR) {
			gone = 1;
			rc = 0;
		}
	}
	free(b->slots);
	b->slots = NULL;
	if (rc < 0 || gone)
		return rc;
	if (!(mask & 1))
		teach_cache(b, w, first, mask, NULL, 0); /* lowers only: for good */
	if (!g || (!(mask & 1) && !also_upper))
		return 0;
	uint64_t *stamps = read_stamps(b, w, first, g);
	if (stamps && ovl_gen_dir(g, w->hash) == before)
		teach_cache(b, w, first, mask | 1, stamps, before);
	free(stamps);
	return 0;
}

static void builder_free(struct builder *b)
{
	free(b->wh);
	free(b->slots);
	free(b->hidden);
	free(b->from);
}

void ovl_dir_learn(const struct ovl_mount *m, const char *rel, size_t rlen,
		   uint64_t hash, uint64_t mask)
{
	char dir[OVL_PATH_MAX];
	struct where w = { m, dir, rlen, hash };
	struct builder b = { 0 };

	/* rel may go on past rlen (lookup hands in the path being walked):
	 * the listing needs the directory's own path */
	if (rlen >= sizeof dir)
		return;
	memcpy(dir, rel, rlen);
	dir[rlen] = '\0';
	b.d = calloc(1, sizeof *b.d);
	if (!b.d)
		return;
	list_layers(&b, &w, mask);
	builder_free(&b);
	ovl_dir_free(b.d);
}

/* Drop the whiteout placeholders and turn name offsets into pointers. */
static void finish(struct builder *b)
{
	struct ovl_dir *d = b->d;
	size_t k = 0;

	for (size_t i = 0; i < d->count; i++) {
		if (b->hidden[i])
			continue;
		d->ents[k] = d->ents[i];
		d->ents[k].name = d->names + (size_t)d->ents[i].name;
		k++;
	}
	d->count = k;
	d->pos = 0;
}

int ovl_dir_read(const struct ovl_res *r, struct ovl_dir **out)
{
	struct builder b = { 0 };
	int rc;

	if (!r->m || !S_ISDIR(r->type) || r->layer < 0)
		return r->layer < 0 ? -ENOENT : -ENOTDIR;
	b.d = calloc(1, sizeof *b.d);
	if (!b.d)
		return -ENOMEM;
	size_t rlen = strlen(r->rel);
	struct where w = { r->m, r->rel, rlen, ovl_gen_hash(r->rel, rlen) };
	/* a directory in no layer (removed while in use) lists nothing at
	 * all, not even its dots, as the kernel's does */
	rc = r->mask ? add_dots(&b, r) : 0;
	if (rc == 0)
		rc = list_layers(&b, &w, r->mask);
	if (rc < 0) {
		builder_free(&b);
		ovl_dir_free(b.d);
		return rc;
	}
	finish(&b);
	builder_free(&b);
	*out = b.d;
	return 0;
}

void ovl_dir_free(struct ovl_dir *d)
{
	if (!d)
		return;
	free(d->ents);
	free(d->names);
	free(d);
}

int ovl_dir_plain(const struct ovl_res *r)
{
	return r->m && r->rel[0] && S_ISDIR(r->type) && r->layer > 0 &&
	       r->mask == 1ULL << r->layer;
}

struct ovl_plain {
	const struct ovl_mount *m;
	uint64_t hash, mask; /* of the directory: ovl_gen_hash of rel, 1 << layer */
	int layer;
	int all;             /* every entry since the start was taught, */
	int whole;           /* and the start was the first name */
	const uint64_t *g;   /* also with the upper in the mask (see below), */
	uint64_t before;     /* stamped: the directory's counter at the start */
	int all_up;          /* and every entry so far taught that way too */
	size_t rlen;
	char rel[];
};

struct ovl_plain *ovl_plain_new(const struct ovl_res *r, int whole)
{
	size_t rlen = strlen(r->rel);
	struct ovl_plain *p = malloc(sizeof *p + rlen + 1);

	if (!p)
		return NULL;
	p->m = r->m;
	p->hash = ovl_gen_hash(r->rel, rlen);
	p->mask = r->mask;
	p->layer = r->layer;
	p->all = 1;
	p->whole = whole;
	p->rlen = rlen;
	memcpy(p->rel, r->rel, rlen + 1);
	/* A process that changes things (rm -rf removing what it lists) soon
	 * makes this directory merged; the answers with the upper in the mask
	 * then hold while the upper directory is missing, as in list_layers:
	 * the directory's counter first, then the upper's absence. */
	p->g = ovl_gen_changed() ? ovl_gen_map(r->m) : NULL;
	p->before = p->g ? ovl_gen_dir(p->g, p->hash) : 0;
	if (p->g) {
		struct where w = { r->m, r->rel, rlen, p->hash };
		if (!upper_lacks(&w))
			p->g = NULL;
	}
	p->all_up = p->g != NULL;
	return p;
}

/* In a directory of one lower layer what is there stays there: the answer
 * is taught for good (stamp 0), a child directory with that layer alone;
 * with the upper in the mask it is stamped with the name's counter, read
 * before the directory's is found unchanged (read_stamps' argument). */
int ovl_plain_saw(struct ovl_plain *p, const char *name, unsigned char d_type)
{
	size_t n = strlen(name);

	if (ovl_reserved(name, n))
		return 0; /* a whiteout hides nothing here, and shows nothing */
	if (!p || (name[0] == '.' && (n == 1 || (n == 2 && name[1] == '.'))))
		return 1;
	struct ovl_child c = { .layer = p->layer };
	if (d_type == DT_UNKNOWN) {
		c.layer = OVL_ASK;
	} else {
		c.type = DTTOIF(d_type);
		c.mask = d_type == DT_DIR ? p->mask : 0;
	}
	uint64_t h = ovl_child_hash(p->hash, p->rlen, name, n);
	p->all &= ovl_cache_put(p->m, p->rel, p->rlen, name, n, h, p->mask, 0, &c);
	if (p->all_up) {
		uint64_t stamp = ovl_gen_name(p->g, h);
		p->all_up = ovl_gen_dir(p->g, p->hash) == p->before &&
			    ovl_cache_put(p->m, p->rel, p->rlen, name, n, h, p->mask | 1, stamp, &c);
	}
	return 1;
}

void ovl_plain_end(struct ovl_plain *p)
{
	if (p && !p->whole)
		p->all = p->all_up = 0; /* names were taught, no more */
	if (p && p->all)
		ovl_cache_put_complete(p->m, p->rel, p->rlen, p->hash, p->mask, 0);
	if (p && p->all_up)
		ovl_cache_put_complete(p->m, p->rel, p->rlen, p->hash, p->mask | 1, p->before);
	if (p)
		p->all = p->all_up = 0; /* once */
}

void ovl_plain_seeked(struct ovl_plain *p)
{
	if (p)
		p->all = p->all_up = 0;
}

void ovl_plain_free(struct ovl_plain *p)
{
	free(p);
}

int ovl_fd_dir_read(int fd, struct ovl_dir **out)
{
	struct ovl_res r;
	/* "." relative to fd names fd's directory, even one since removed
	 * from the view (which lists nothing) */
	int rc = ovl_for_read(fd, ".", 0, &r);

	*out = NULL;
	if (rc == OVL_PASS || (rc == 0 && !r.m))
		return OVL_PASS;
	if (rc < 0 && rc != -ENOENT)
		return OVL_PASS; /* for the kernel to refuse */
	return rc == 0 && S_ISDIR(r.type) ? ovl_dir_read(&r, out) : 0;
}

/* Entry e as the kernel's struct linux_dirent64 (or, old, the legacy
 * struct linux_dirent of SYS_getdents) at out; its length, or 0 when it
 * does not fit in room. */
static size_t dirent_put(char *out, size_t room, const struct ovl_dirent *e, uint64_t next,
			 int old)
{
	size_t head = old ? 2 * sizeof(unsigned long) + 2 : 19;
	size_t len = (head + e->namelen + 1 + (old ? 1 : 0) + 7) & ~(size_t)7;
	unsigned short reclen = (unsigned short)len;
	uint64_t ino = e->ino;
	int64_t off = (int64_t)next;

	if (len > room)
		return 0;
	memset(out, 0, len);
	if (old) {
		unsigned long lino = (unsigned long)ino, loff = (unsigned long)off;
		memcpy(out, &lino, sizeof lino);
		memcpy(out + sizeof lino, &loff, sizeof loff);
		memcpy(out + 2 * sizeof lino, &reclen, 2);
		out[len - 1] = (char)e->type;
	} else {
		memcpy(out, &ino, 8);
		memcpy(out + 8, &off, 8);
		memcpy(out + 16, &reclen, 2);
		out[18] = (char)e->type;
	}
	memcpy(out + head, e->name, e->namelen);
	return len;
}

long ovl_dir_fill(const struct ovl_dir *d, size_t *pos, void *buf, size_t n, int old)
{
	size_t count = d ? d->count : 0, used = 0, k = *pos < count ? *pos : count;

	for (; k < count; k++) {
		size_t len = dirent_put((char *)buf + used, n - used, &d->ents[k], k + 1, old);
		if (!len)
			break;
		used += len;
	}
	*pos = k;
	return used == 0 && k < count ? -EINVAL : (long)used;
}
