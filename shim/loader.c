/*
 * The dynamic loader.  Its own opens (a program's DT_NEEDED libraries, the
 * search along LD_LIBRARY_PATH and RUNPATH, dlopen of a bare name) are made
 * with internal system calls we never see.  What can be done from here:
 *
 * - dlopen and dlmopen of a path with a '/' in it: resolved in the view,
 *   the loader gets the host path of the layer that holds the file (a name
 *   missing from the view gets the upper's path, which fails as the kernel
 *   would).  The loader then knows the library by that host path
 *   (dladdr, dl_iterate_phdr, /proc/self/maps show it), and its $ORIGIN
 *   is that layer's directory.
 * - a bare name, "$ORIGIN/..." or NULL goes to the loader untouched.  glibc
 *   finds the caller's RUNPATH from the return address of dlopen, so that
 *   call is a tail call: the loader sees the program's address, not ours.
 * - a child's LD_LIBRARY_PATH (shim_ld_path, called by exec.c for every
 *   exec and spawn): each entry that is a directory in a mount becomes the
 *   host directories of every layer that merges into it, upper first, so
 *   the loader finds a library built in the upper as well as one only a
 *   lower has.  When the program itself is a dynamically linked ELF file in
 *   a mount, the entries of its DT_RUNPATH (or DT_RPATH) that lie in a
 *   mount, $ORIGIN read as the program's virtual directory, are added after
 *   the caller's entries the same way: the loader searches LD_LIBRARY_PATH
 *   before RUNPATH, so these come before the host path it would try.  The
 *   child's constructor puts the caller's value back into its environment
 *   (it was kept in OVERLAY_SAVED_LD_LIBRARY_PATH), so the program sees
 *   what its parent set; the loader has read the rewritten one by then.
 *   Limits: a library whited out in the upper is still found in a lower's
 *   directory; the RUNPATH of libraries (not the program) is not read; a
 *   bare-name dlopen searches the rewritten LD_LIBRARY_PATH, the host
 *   RUNPATH; LD_PRELOAD entries in a mount are not translated.
 */
#include "shim.h"

#include <dlfcn.h>
#include <elf.h>
#include <string.h>

#include "sys.h"

/* Whether dlopen(path) is ours to resolve: a path naming a file, with no
 * dynamic string token for the loader to expand. */
static inline int shim_dl_ours(const char *path)
{
	return path && strchr(path, '/') && !strchr(path, '$') && shim_on();
}

/* The host path for the loader, into real; 0, or OVL_PASS to hand the
 * caller's path on as it is. */
static int shim_dl_real(const char *path, char *real, size_t len)
{
	struct ovl_res r;
	int rc = ovl_for_read(AT_FDCWD, path, 0, &r);

	if (rc < 0 && ovl_resolve(AT_FDCWD, path, 0, &r) == 0 && r.layer < 0)
		rc = 0; /* missing from the view: its upper path, which is missing too */
	if (rc != 0 || strlen(r.real) >= len)
		return OVL_PASS;
	memcpy(real, r.real, strlen(r.real) + 1);
	return 0;
}

__attribute__((noinline)) static void *shim_dlopen(const char *path, int flags)
{
	char real[PATH_MAX];

	if (shim_dl_real(path, real, sizeof real) != 0)
		return SHIM_NEXT(dlopen)(path, flags);
	return SHIM_NEXT(dlopen)(real, flags);
}

__attribute__((noinline)) static void *shim_dlmopen(Lmid_t lmid, const char *path, int flags)
{
	char real[PATH_MAX];

	if (shim_dl_real(path, real, sizeof real) != 0)
		return SHIM_NEXT(dlmopen)(lmid, path, flags);
	return SHIM_NEXT(dlmopen)(lmid, real, flags);
}

/* No local of these two may have its address taken: the pass-through must
 * stay a sibling call (checked in tests/integration/t_coverage.sh). */
OVL_EXPORT void *dlopen(const char *path, int flags)
{
	if (!shim_dl_ours(path))
		return SHIM_NEXT(dlopen)(path, flags);
	return shim_dlopen(path, flags);
}

OVL_EXPORT void *dlmopen(Lmid_t lmid, const char *path, int flags)
{
	if (!shim_dl_ours(path))
		return SHIM_NEXT(dlmopen)(lmid, path, flags);
	return shim_dlmopen(lmid, path, flags);
}

/* ---- the loader's search path for a child ------------------------------- */

#define SHIM_LDP "LD_LIBRARY_PATH="
#define SHIM_LDP_LEN (sizeof SHIM_LDP - 1)
#define SHIM_LDP_SAVED "OVERLAY_SAVED_LD_LIBRARY_PATH="
#define SHIM_LDP_SAVED_LEN (sizeof SHIM_LDP_SAVED - 1)

/* A value under construction; buf NULL only counts its length. */
struct shim_ldp {
	char *buf;
	size_t cap;   /* room after "LD_LIBRARY_PATH=" (the count pass's) */
	size_t len;   /* bytes after "LD_LIBRARY_PATH=" */
	int entries;
	int changed;  /* some entry was translated or added */
};

static void shim_ldp_add(struct shim_ldp *b, const char *s, size_t n)
{
	/* the tree may have changed since the count: never past it */
	if (b->buf && b->len + (b->entries ? 1 : 0) + n > b->cap)
		return;
	if (b->entries++) {
		if (b->buf)
			b->buf[SHIM_LDP_LEN + b->len] = ':';
		b->len++;
	}
	if (b->buf)
		memcpy(b->buf + SHIM_LDP_LEN + b->len, s, n);
	b->len += n;
}

/* One directory entry: in a mount, the host directory of each layer that
 * merges into it; elsewhere itself (dropped when only_mounts). */
static void shim_ldp_dir(struct shim_ldp *b, const char *e, size_t n, int only_mounts)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct ovl_res r;
	int rc = OVL_PASS;

	if (n > 0 && n < sizeof path && !memchr(e, '$', n)) {
		memcpy(path, e, n);
		path[n] = '\0';
		rc = ovl_for_read(AT_FDCWD, path, 0, &r);
	}
	if (rc != 0 || (r.m && !S_ISDIR(r.type))) {
		if (!only_mounts)
			shim_ldp_add(b, e, n);
		return;
	}
	b->changed = 1;
	if (!r.m || !(r.mask & ((1ULL << r.m->nlayers) - 1))) {
		shim_ldp_add(b, r.real, strlen(r.real));
		return;
	}
	for (int l = 0; l < r.m->nlayers; l++)
		if (((r.mask >> l) & 1) && ovl_real_in(r.m, l, r.rel, real, sizeof real) == 0)
			shim_ldp_add(b, real, strlen(real));
}

/* DT_RUNPATH (else DT_RPATH) of the ELF file real, into out; 0 when it
 * has none or cannot be read. */
static size_t shim_elf_runpath(const char *real, char *out, size_t outlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[16], load[16];
	Elf64_Dyn dyn[32];
	uint64_t dynoff = 0, dynsz = 0, strtab = 0, str = 0, stroff = 0;
	int nload = 0, have = 0, found = 0;
	long got = 0;
	int fd = sys_openat(AT_FDCWD, real, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (sys_pread(fd, &eh, sizeof eh, 0) != (long)sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof ph[0])
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i += 16) {
		unsigned k = eh.e_phnum - i < 16 ? eh.e_phnum - i : 16;
		long want = (long)(k * sizeof ph[0]);
		if (sys_pread(fd, ph, (size_t)want, (off_t)(eh.e_phoff + i * sizeof ph[0])) != want)
			goto out;
		for (unsigned j = 0; j < k; j++) {
			if (ph[j].p_type == PT_DYNAMIC) {
				dynoff = ph[j].p_offset;
				dynsz = ph[j].p_filesz;
			} else if (ph[j].p_type == PT_LOAD && nload < 16) {
				load[nload++] = ph[j];
			}
		}
	}
	for (uint64_t off = 0; off < dynsz && !found;) {
		long n = sys_pread(fd, dyn, sizeof dyn, (off_t)(dynoff + off));
		if (n < (long)sizeof dyn[0])
			goto out;
		for (long j = 0; j < n / (long)sizeof dyn[0]; j++) {
			if (dyn[j].d_tag == DT_NULL) {
				found = 1;
				break;
			}
			if (dyn[j].d_tag == DT_STRTAB)
				strtab = dyn[j].d_un.d_ptr;
			else if (dyn[j].d_tag == DT_RUNPATH)
				str = dyn[j].d_un.d_val, have = 2;
			else if (dyn[j].d_tag == DT_RPATH && have < 2)
				str = dyn[j].d_un.d_val, have = 1;
		}
		off += (uint64_t)n;
	}
	if (!have || !strtab)
		goto out;
	for (int i = 0; i < nload; i++)
		if (strtab >= load[i].p_vaddr && strtab < load[i].p_vaddr + load[i].p_filesz)
			stroff = strtab - load[i].p_vaddr + load[i].p_offset + 1;
	if (!stroff)
		goto out;
	got = sys_pread(fd, out, outlen - 1, (off_t)(stroff - 1 + str));
	if (got > 0) {
		out[got] = '\0';
		got = (long)strlen(out);
	}
out:
	sys_close(fd);
	return got > 0 ? (size_t)got : 0;
}

/* Entries of a RUNPATH, $ORIGIN (or ${ORIGIN}) replaced by origin. */
static void shim_ldp_runpath(struct shim_ldp *b, const char *rp, const char *origin)
{
	char e[PATH_MAX];

	for (const char *p = rp;;) {
		size_t n = strcspn(p, ":"), k = 0;
		int ok = 1;
		for (size_t i = 0; i < n && ok;) {
			const char *src = p + i;
			size_t take = 1;
			if (!strncmp(src, "$ORIGIN", 7) || !strncmp(src, "${ORIGIN}", 9)) {
				take = src[1] == '{' ? 9 : 7;
				src = origin;
				ok = k + strlen(origin) < sizeof e;
				if (ok)
					memcpy(e + k, src, strlen(src));
				k += strlen(origin);
			} else {
				ok = k + 1 < sizeof e;
				if (ok)
					e[k] = *src;
				k++;
			}
			i += take;
		}
		if (ok)
			shim_ldp_dir(b, e, k, 1);
		if (!p[n])
			break;
		p += n + 1;
	}
}

/* One pass over the caller's value and the program's RUNPATH. */
static void shim_ldp_build(struct shim_ldp *b, const char *value, const char *rp,
			   const char *origin)
{
	if (value)
		for (const char *p = value;;) {
			size_t n = strcspn(p, ":;");
			shim_ldp_dir(b, p, n, 0);
			if (!p[n])
				break;
			p += n + 1;
		}
	if (rp)
		shim_ldp_runpath(b, rp, origin);
}

int shim_ld_path(const char *value, const char *prog,
		 void *(*alloc)(void *ctx, size_t n), void *ctx,
		 char **ldp, char **saved)
{
	char rp[4096], origin[PATH_MAX];
	struct shim_ldp b = { 0 };
	const char *rpath = NULL;
	size_t vlen = value ? strlen(value) : 0;
	char *slash;

	if (!value && !prog)
		return 0;
	if (prog && shim_elf_runpath(prog, rp, sizeof rp) &&
	    ovl_virtual_of(prog, origin, sizeof origin) == 0 && (slash = strrchr(origin, '/'))) {
		*(slash == origin ? slash + 1 : slash) = '\0';
		rpath = rp;
	}
	shim_ldp_build(&b, value, rpath, origin);
	if (!b.changed)
		return 0;
	*ldp = alloc(ctx, SHIM_LDP_LEN + b.len + 1);
	*saved = alloc(ctx, SHIM_LDP_SAVED_LEN + 1 + vlen + 1);
	if (!*ldp || !*saved)
		return -ENOMEM;
	b = (struct shim_ldp){ .buf = *ldp, .cap = b.len };
	shim_ldp_build(&b, value, rpath, origin);
	memcpy(*ldp, SHIM_LDP, SHIM_LDP_LEN);
	(*ldp)[SHIM_LDP_LEN + b.len] = '\0';
	memcpy(*saved, SHIM_LDP_SAVED, SHIM_LDP_SAVED_LEN);
	(*saved)[SHIM_LDP_SAVED_LEN] = value ? '+' : '-';
	memcpy(*saved + SHIM_LDP_SAVED_LEN + 1, value ? value : "", vlen + 1);
	return 1;
}

/* The program sees the LD_LIBRARY_PATH its parent set. */
__attribute__((constructor)) static void shim_ld_restore(void)
{
	const char *v;

	if (!shim_on() || !(v = getenv("OVERLAY_SAVED_LD_LIBRARY_PATH")))
		return;
	if (v[0] == '+')
		setenv("LD_LIBRARY_PATH", v + 1, 1);
	else
		unsetenv("LD_LIBRARY_PATH");
	unsetenv("OVERLAY_SAVED_LD_LIBRARY_PATH");
}
