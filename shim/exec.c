/*
 * exec and spawn.  Every entry resolves the program's virtual path, and the
 * child gets the overlay back in its environment even when the caller
 * emptied it (`env -i`, build tools that scrub the environment).
 *
 * glibc's execv, execl*, execvp* and posix_spawnp reach execve inside libc,
 * never through us, so each is rebuilt here on top of our own execve, with
 * glibc's rules.
 *
 * What the kernel is asked to run:
 * - a program outside every mount: as the caller named it;
 * - inside a mount: its real path (the layer that holds it);
 * - a `#!` script inside a mount: the kernel would look for the interpreter
 *   on the host and pass the script's real path as $0, so a script that
 *   finds its siblings from its own name would search one layer only.  We
 *   read the line ourselves and run the interpreter (resolved virtually if
 *   it is inside a mount) with the kernel's argv: interpreter, optional
 *   argument, the script's name as the caller gave it, the caller's
 *   arguments.  The process name (comm) is then the interpreter's, not the
 *   script's.  Where the caller's name already reaches the same file on the
 *   host and the interpreter lies outside every mount, the kernel runs it
 *   itself and nothing differs;
 * - a statically linked program (an ELF file without PT_INTERP), inside a
 *   mount or not, would run without this library: it runs under the
 *   supervisor instead (overlay-supervise beside this library, see
 *   supervisor/), which answers its system calls through the same core.
 *   Where there is no supervisor, and for a program built for another
 *   architecture, the exec fails with ENOEXEC after `liboverlay: <virtual
 *   path> is statically linked and cannot run inside the overlay` (or `...
 *   is built for another architecture ...`) on stderr.  execvp does not
 *   retry such a program with /bin/sh; a shell that retries ENOEXEC itself
 *   (dash does) then complains about the binary as well.  Files we may
 *   execute but not read (mode 0111) are not classified.
 *
 * Exec may run in a vfork child, which shares the parent's memory and may
 * interrupt it anywhere: nothing here allocates with malloc, takes a lock,
 * or uses stdio; small arrays live on the stack, big ones in private
 * mappings.
 *
 * posix_spawn's file actions are run by glibc in the child with its
 * internal calls, which bypass us, and are opaque at spawn time: spawn.c
 * resolves addopen, addchdir_np and addfchdir_np when they are added, and
 * the spawns here call shim_spawn_done afterwards for the creates' own
 * bookkeeping.  Its header says what that leaves out.
 *
 * Limits: a relative program path for posix_spawn is resolved against the
 * parent's cwd, before any addchdir_np.  An exec called before
 * our constructor (from another library's) gets the caller's environment
 * unchanged.
 */
#include "shim.h"

#include <dlfcn.h>
#include <elf.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#include "sys.h"

extern char **environ;

/* ---- memory safe after vfork ------------------------------------------- */

#define SHIM_LOCAL 2048 /* bytes of stack per exec: 256 pointers */
#define SHIM_MAPS 4

struct shim_mem {
	size_t used;
	int nmaps;
	void *map[SHIM_MAPS];
	size_t maplen[SHIM_MAPS];
	_Alignas(void *) char local[SHIM_LOCAL];
};

static void shim_mem_init(struct shim_mem *m)
{
	m->used = 0;
	m->nmaps = 0;
}

/* n bytes, or NULL.  mmap is a plain system call: safe where malloc is not. */
static void *shim_alloc(struct shim_mem *m, size_t n)
{
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	if (n <= SHIM_LOCAL - m->used) {
		p = m->local + m->used;
		m->used += n;
		return p;
	}
	if (m->nmaps == SHIM_MAPS)
		return NULL;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	m->map[m->nmaps] = p;
	m->maplen[m->nmaps++] = n;
	return p;
}

static char **shim_alloc_ptrs(struct shim_mem *m, size_t n)
{
	return n > SIZE_MAX / sizeof(char *) ? NULL : shim_alloc(m, n * sizeof(char *));
}

/* After a failed exec: the caller still sees the exec's errno. */
static void shim_mem_free(struct shim_mem *m)
{
	int save = errno;

	for (int i = 0; i < m->nmaps; i++)
		munmap(m->map[i], m->maplen[i]);
	m->nmaps = 0;
	m->used = 0;
	errno = save;
}

static size_t shim_count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* ---- the environment a child inherits ---------------------------------- */

/* The configuration as the library found it at load time, whatever the
 * program did to its environment since.  Written once by the constructor,
 * read-only afterwards. */
#define SHIM_NKEEP 5
static const char *const shim_keep_name[SHIM_NKEEP] = {
	"OVERLAY_UPPER", "OVERLAY_LOWER", "OVERLAY_MOUNT", "OVERLAY_MOUNTS",
	"OVERLAY_FSYNC",
};
static char *shim_keep[SHIM_NKEEP]; /* "NAME=value", NULL when it was unset */
static char *shim_self;    /* our file, as the loader named it */
static char *shim_sup;     /* the supervisor beside it, for static programs */
static char *shim_preload; /* what a child's LD_PRELOAD must begin with when
			      it lacks us: the load-time value if it names
			      us (an ASan runtime before us stays first) */
static int shim_saved;

#define SHIM_LD "LD_PRELOAD="
#define SHIM_LD_LEN (sizeof SHIM_LD - 1)

/* The loader splits LD_PRELOAD at spaces and colons. */
static int shim_preload_has(const char *list, const char *lib)
{
	size_t n = strlen(lib);

	for (const char *p = list; *p;) {
		size_t t = strcspn(p, " :");
		if (t == n && memcmp(p, lib, n) == 0)
			return 1;
		p += t;
		if (*p)
			p++;
	}
	return 0;
}

/* The values kept at start live here while they fit: a process that never
 * calls malloc then never starts it (its set-up costs system calls). */
static char shim_keep_pool[4096];
static size_t shim_keep_used;

static char *shim_concat(const char *a, const char *sep, const char *b)
{
	size_t la = strlen(a), ls = strlen(sep), lb = strlen(b), n = la + ls + lb + 1;
	char *s = n <= sizeof shim_keep_pool - shim_keep_used ? shim_keep_pool + shim_keep_used
							      : malloc(n);

	if (s == shim_keep_pool + shim_keep_used)
		shim_keep_used += n;

	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, sep, ls);
		memcpy(s + la + ls, b, lb + 1);
	}
	return s;
}

__attribute__((constructor)) static void shim_exec_start(void)
{
	const char *pl;
	Dl_info info;

	if (!shim_on())
		return; /* inert: children get exactly what the caller gives */
	/* Before this process can exec anything: a setuid program would
	 * lose LD_PRELOAD, an io_uring would act unseen (core/seccomp.c). */
	ovl_seccomp_io_uring();
	pl = getenv("LD_PRELOAD");
	for (int i = 0; i < SHIM_NKEEP; i++) {
		const char *v = getenv(shim_keep_name[i]);
		if (v)
			shim_keep[i] = shim_concat(shim_keep_name[i], "=", v);
	}
	if (dladdr((void *)shim_exec_start, &info) && info.dli_fname &&
	    info.dli_fname[0])
		shim_self = shim_concat(info.dli_fname, "", "");
	if (shim_self) {
		const char *slash = strrchr(shim_self, '/');
		size_t dir = slash ? (size_t)(slash - shim_self) : 0;
		char sup[PATH_MAX];
		if (dir + sizeof "/overlay-supervise" <= sizeof sup) {
			memcpy(sup, shim_self, dir);
			memcpy(sup + dir, "/overlay-supervise", sizeof "/overlay-supervise");
			shim_sup = shim_concat(slash ? sup : sup + 1, "", "");
		}
	}
	if (pl && *pl && (!shim_self || shim_preload_has(pl, shim_self)))
		shim_preload = shim_concat(pl, "", "");
	else if (shim_self)
		shim_preload = shim_concat(pl && *pl ? pl : "", pl && *pl ? " " : "", shim_self);
	__atomic_store_n(&shim_saved, 1, __ATOMIC_RELEASE);
}

static int shim_is_keep(const char *e)
{
	for (int i = 0; i < SHIM_NKEEP; i++) {
		size_t n = strlen(shim_keep_name[i]);
		if (strncmp(e, shim_keep_name[i], n) == 0 && e[n] == '=')
			return 1;
	}
	return 0;
}

/* LD_PRELOAD is right when it names us. */
static int shim_preload_ok(const char *value)
{
	return !shim_preload || (value && (!shim_self || shim_preload_has(value, shim_self)));
}

/* "LD_PRELOAD=" with our libraries first, then the caller's own. */
static char *shim_preload_fix(const char *value, struct shim_mem *m)
{
	size_t a = strlen(shim_preload), b = value && *value ? strlen(value) + 1 : 0;
	char *s = shim_alloc(m, SHIM_LD_LEN + a + b + 1);

	if (!s)
		return NULL;
	memcpy(s, SHIM_LD, SHIM_LD_LEN);
	memcpy(s + SHIM_LD_LEN, shim_preload, a);
	if (b) {
		s[SHIM_LD_LEN + a] = ' ';
		memcpy(s + SHIM_LD_LEN + a + 1, value, b);
	} else {
		s[SHIM_LD_LEN + a] = '\0';
	}
	return s;
}

static void *shim_ld_alloc(void *m, size_t n)
{
	return shim_alloc(m, n);
}

#define SHIM_LDP "LD_LIBRARY_PATH="
#define SHIM_LDP_LEN (sizeof SHIM_LDP - 1)
#define SHIM_LDP_SAVED "OVERLAY_SAVED_LD_LIBRARY_PATH="

/* The child's environment: the caller's, with OVERLAY_* as they were at
 * load time (differing values replaced, one unset then removed), our
 * library in LD_PRELOAD, and LD_LIBRARY_PATH as the loader must see it
 * (loader.c: shim_ld_path; prog is the host path of a dynamically linked
 * program in a mount, or NULL).  NULL when out of memory. */
static char *const *shim_env(char *const *envp, struct shim_mem *m, const char *prog)
{
	const char *pl = NULL, *ldp = NULL;
	char *newldp, *saved;
	size_t k = 0, at = 0;
	char **out;
	int rc;

	if (!__atomic_load_n(&shim_saved, __ATOMIC_ACQUIRE))
		return envp;
	out = shim_alloc_ptrs(m, shim_count(envp) + SHIM_NKEEP + 4);
	if (!out)
		return NULL;
	for (char *const *e = envp; e && *e; e++) {
		if (shim_is_keep(*e))
			continue;
		if (strncmp(*e, SHIM_LD, SHIM_LD_LEN) == 0) {
			if (!pl) /* getenv's answer; further copies dropped */
				pl = *e + SHIM_LD_LEN;
			continue;
		}
		if (strncmp(*e, SHIM_LDP_SAVED, sizeof SHIM_LDP_SAVED - 1) == 0)
			continue; /* a stale one: made anew below when needed */
		if (!ldp && strncmp(*e, SHIM_LDP, SHIM_LDP_LEN) == 0) {
			ldp = *e + SHIM_LDP_LEN;
			at = k;
		}
		out[k++] = *e;
	}
	rc = shim_ld_path(ldp, prog, shim_ld_alloc, m, &newldp, &saved);
	if (rc < 0)
		return NULL;
	if (rc > 0) {
		if (ldp)
			out[at] = newldp;
		else
			out[k++] = newldp;
		out[k++] = saved;
	}
	for (int i = 0; i < SHIM_NKEEP; i++)
		if (shim_keep[i])
			out[k++] = shim_keep[i];
	if (!shim_preload_ok(pl)) {
		if (!(out[k++] = shim_preload_fix(pl, m)))
			return NULL;
	} else if (pl) {
		out[k++] = (char *)pl - SHIM_LD_LEN;
	}
	out[k] = NULL;
	return out;
}

/* system and popen run /bin/sh with the process's own environment from
 * inside glibc: when the program removed the overlay from it, put it back
 * there (setenv; not on the common path, where nothing is missing). */
static void shim_environ_fix(void)
{
	struct shim_mem m;
	const char *pl;
	char *fixed;

	if (!__atomic_load_n(&shim_saved, __ATOMIC_ACQUIRE))
		return;
	for (int i = 0; i < SHIM_NKEEP; i++) {
		const char *v = getenv(shim_keep_name[i]);
		const char *want = shim_keep[i] ? shim_keep[i] + strlen(shim_keep_name[i]) + 1 : NULL;
		if (want && (!v || strcmp(v, want) != 0))
			setenv(shim_keep_name[i], want, 1);
		else if (!want && v)
			unsetenv(shim_keep_name[i]);
	}
	pl = getenv("LD_PRELOAD");
	if (shim_preload_ok(pl))
		return;
	shim_mem_init(&m);
	if ((fixed = shim_preload_fix(pl, &m)))
		setenv("LD_PRELOAD", fixed + SHIM_LD_LEN, 1);
	shim_mem_free(&m);
}

/* ---- what the kernel is asked to run ----------------------------------- */

#define SHIM_DEPTH 4   /* interpreters in a row, as the kernel allows */
#define SHIM_LINE 256  /* the kernel reads this much of a #! line */

struct shim_exec {
	/* in: the program is (dirfd, path), or the descriptor fd when fd >= 0 */
	int dirfd;
	const char *path;
	int fd;
	int probe;        /* posix_spawnp: a missing host program fails here */
	/* out: what to run */
	char *const *argv;
	int resolved;     /* path is now a host path, dirfd AT_FDCWD */
	int interp;       /* path is an interpreter: run it with execve */
	int refused;      /* static or foreign: no /bin/sh retry */
	int elf;          /* path is a dynamically linked program in a mount */
	char **args;      /* argv rewritten for interpreters, from args[head] */
	size_t head;
	struct shim_mem mem;
	struct ovl_res r;
	char line[SHIM_DEPTH][SHIM_LINE];
	char name[PATH_MAX]; /* the first script's name, for its interpreter */
	char prog[PATH_MAX]; /* a supervised program's absolute path */
};

static void shim_exec_init(struct shim_exec *x, int dirfd, const char *path,
			   int fd, char *const argv[])
{
	x->dirfd = dirfd;
	x->path = path;
	x->fd = fd;
	x->probe = 0;
	x->argv = argv;
	x->resolved = 0;
	x->interp = 0;
	x->refused = 0;
	x->elf = 0;
	x->args = NULL;
	shim_mem_init(&x->mem);
}

enum { SHIM_ELF_NOT, SHIM_ELF_OK, SHIM_ELF_STATIC, SHIM_ELF_FOREIGN, SHIM_ELF_GO };

#if defined(__x86_64__)
#define SHIM_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define SHIM_MACHINE EM_AARCH64
#endif

/* A note segment of the program names "Go" (its build ID): Go's runtime
 * makes its own system calls, even in a dynamically linked (cgo) binary. */
static int shim_go_note(int fd, const Elf64_Phdr *ph)
{
	unsigned char b[256];
	size_t len = ph->p_filesz < sizeof b ? (size_t)ph->p_filesz : sizeof b;

	if (sys_pread(fd, b, len, (off_t)ph->p_offset) != (long)len)
		return 0;
	for (size_t at = 0; at + 12 <= len;) {
		uint32_t namesz, descsz;
		memcpy(&namesz, b + at, 4);
		memcpy(&descsz, b + at + 4, 4);
		if ((namesz == 3 || namesz == 4) && at + 15 <= len && memcmp(b + at + 12, "Go", 3) == 0)
			return 1;
		at += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
	}
	return 0;
}

/* Can the loader put us into this ELF program, and does the program then
 * call through libc?  Not without PT_INTERP (static, static-pie), nor in
 * another class or machine; a Go program has the loader but not libc's
 * calls.  Anything we cannot read cleanly is left to the kernel. */
static int shim_elf(int fd, const unsigned char *buf, long n)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[16], note[4];
	int interp = 0, notes = 0;

	if (n < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return SHIM_ELF_NOT;
	if (n < (long)sizeof eh)
		return SHIM_ELF_OK;
	/* e_type and e_machine lie at the same offsets in both classes */
	memcpy(&eh, buf, sizeof eh);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return SHIM_ELF_OK;
	if (buf[EI_CLASS] != ELFCLASS64 || eh.e_machine != SHIM_MACHINE)
		return SHIM_ELF_FOREIGN;
	if (eh.e_phentsize != sizeof ph[0] || eh.e_phnum == PN_XNUM)
		return SHIM_ELF_OK;
	for (unsigned i = 0; i < eh.e_phnum;) {
		unsigned k = eh.e_phnum - i < 16 ? eh.e_phnum - i : 16;
		long want = (long)(k * sizeof ph[0]);
		if (sys_pread(fd, ph, (size_t)want, (off_t)(eh.e_phoff + i * sizeof ph[0])) != want)
			return SHIM_ELF_OK;
		for (unsigned j = 0; j < k; j++) {
			interp |= ph[j].p_type == PT_INTERP;
			if (ph[j].p_type == PT_NOTE && notes < 4)
				note[notes++] = ph[j];
		}
		i += k;
	}
	if (!interp)
		return SHIM_ELF_STATIC;
	for (int i = 0; i < notes; i++)
		if (shim_go_note(fd, &note[i]))
			return SHIM_ELF_GO;
	return SHIM_ELF_OK;
}

static void shim_refuse(struct shim_exec *x, int kind)
{
	static const char pre[] = "liboverlay: ";
	const char *why = kind == SHIM_ELF_STATIC
				  ? " is statically linked and cannot run inside the overlay\n"
				  : " is built for another architecture and cannot run inside the overlay\n";
	char virt[PATH_MAX], msg[PATH_MAX + 128];
	const char *name = x->path;
	size_t a, b, c;

	if (x->fd >= 0 && !x->resolved && ovl_fd_virtual(x->fd, virt, sizeof virt) == 0)
		name = virt;
	else if (x->resolved && ovl_virtual_of(x->path, virt, sizeof virt) == 0)
		name = virt;
	a = sizeof pre - 1;
	b = strnlen(name, PATH_MAX);
	c = strlen(why);
	memcpy(msg, pre, a);
	memcpy(msg + a, name, b);
	memcpy(msg + a + b, why, c);
	sys_write(2, msg, a + b + c); /* one write: one line, even among threads */
	x->refused = 1;
}

/* Split a #! line as the kernel's binfmt_script does: the interpreter runs
 * to the first blank, the one optional argument is the rest of the line
 * less surrounding blanks.  0 when the kernel would not take it as a
 * script (it then says ENOEXEC itself). */
static int shim_shebang(char *b, char **interp, char **arg)
{
	char *end = b + SHIM_LINE - 1, *e, *name, *sep;

	if (b[0] != '#' || b[1] != '!')
		return 0;
	e = memchr(b, '\n', SHIM_LINE);
	if (!e) {
		for (e = b + 2; e < end && (*e == ' ' || *e == '\t'); e++)
			;
		if (e == end)
			return 0;
		while (e < end && *e != ' ' && *e != '\t' && *e != '\0')
			e++;
		if (e == end)
			return 0; /* the interpreter's name may be cut short */
		e = end;
	}
	while (e > b + 2 && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (name = b + 2; name < e && (*name == ' ' || *name == '\t'); name++)
		;
	if (name == e)
		return 0;
	for (sep = name; sep < e && *sep != ' ' && *sep != '\t' && *sep != '\0'; sep++)
		;
	*arg = NULL;
	if (sep < e && *sep != '\0') {
		char *a = sep;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		if (a < e)
			*arg = a;
	}
	*e = '\0';
	*sep = '\0';
	*interp = name;
	return 1;
}

/* argv for an interpreter, as the kernel builds it: [interp, arg, name]
 * followed by the current argv less its first entry.  Built from the end of
 * one array, room for every level being made at the first. */
static int shim_push_interp(struct shim_exec *x, const char *interp,
			    const char *arg, const char *name)
{
	if (!x->args) {
		size_t argc = shim_count(x->argv), slots = argc ? argc : 1;
		size_t cap = slots + 2 * SHIM_DEPTH + 1;
		if (!(x->args = shim_alloc_ptrs(&x->mem, cap)))
			return -E2BIG;
		x->head = cap - 1 - slots;
		for (size_t i = 1; i < argc; i++)
			x->args[x->head + i] = x->argv[i];
		x->args[cap - 1] = NULL;
	}
	x->args[x->head] = (char *)name;
	if (arg)
		x->args[--x->head] = (char *)arg;
	x->args[--x->head] = (char *)interp;
	x->argv = x->args + x->head;
	return 0;
}

/* The name a script's interpreter is given for the first script: the
 * caller's, made absolute when it is relative to a directory descriptor
 * (the kernel says /dev/fd/N/NAME, which would leave the overlay). */
static const char *shim_script_name(struct shim_exec *x, int dirfd, const char *path)
{
	if (x->fd >= 0) {
		/* as the kernel, which also needs fd to survive the exec;
		 * formatted by hand: no stdio after vfork */
		char digits[16], *d = digits + sizeof digits;
		unsigned v = (unsigned)x->fd;
		*--d = '\0';
		do
			*--d = (char)('0' + v % 10);
		while ((v /= 10));
		memcpy(x->name, "/dev/fd/", 8);
		memcpy(x->name + 8, d, (size_t)(digits + sizeof digits - d));
		return x->name;
	}
	if (dirfd == AT_FDCWD || path[0] == '/' ||
	    ovl_absolute(dirfd, path, x->name, sizeof x->name) != 0)
		return path;
	return x->name;
}

/* The first bytes of the program, zero-padded; <= 0 when unreadable. */
static long shim_head(struct shim_exec *x, int first, unsigned char *buf, int *fdp)
{
	long n;

	memset(buf, 0, SHIM_LINE);
	*fdp = first && x->fd >= 0 ? x->fd
				   : sys_openat(AT_FDCWD, x->r.real, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
	if (*fdp < 0)
		return -1;
	n = sys_pread(*fdp, buf, SHIM_LINE, 0);
	return n;
}

/* Where (dirfd, path) or fd lies: 0 inside a mount with x->r the object,
 * OVL_PASS elsewhere (run as named), or -errno. */
static int shim_locate(struct shim_exec *x, int flags)
{
	int rc;

	if (x->fd >= 0) {
		rc = ovl_fd_virtual(x->fd, x->name, sizeof x->name);
		if (rc != 0)
			return OVL_PASS; /* outside, or for the kernel to refuse */
		return 0;
	}
	rc = ovl_for_read(x->dirfd, x->path, flags, &x->r);
	if (rc == OVL_PASS && x->probe) {
		struct stat st;
		int e = sys_fstatat(x->dirfd, x->path, &st, 0);
		return e < 0 ? e : OVL_PASS;
	}
	if (rc != 0)
		return rc;
	x->dirfd = AT_FDCWD;
	x->path = x->r.real;
	x->resolved = 1;
	/* a directory, device, or symlink under AT_SYMLINK_NOFOLLOW: the
	 * kernel refuses it, from its real path */
	if (!x->r.m || !S_ISREG(x->r.type))
		return OVL_PASS;
	return 0;
}

/* A statically linked program, or a Go one, runs under the supervisor,
 * which answers its system calls through the same core (supervisor/): x becomes
 * `overlay-supervise --argv0 ARGV0 PROGRAM ARG...`.  0, or -ENOEXEC when
 * there is no supervisor beside the library (the program is refused). */
static int shim_supervise(struct shim_exec *x, int kind)
{
	size_t argc = shim_count(x->argv), len = strlen(x->path);
	struct stat a, b;
	char **v;

	if (shim_sup && sys_fstatat(x->dirfd, x->path, &a, 0) == 0 &&
	    sys_fstatat(AT_FDCWD, shim_sup, &b, 0) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 0; /* the supervisor itself (overlay-run --supervise) */
	if (kind == SHIM_ELF_FOREIGN || !shim_sup || x->fd >= 0 ||
	    OVL_SC(SYS_faccessat, AT_FDCWD, shim_sup, X_OK, 0, 0, 0) != 0)
		goto refuse;
	if (x->path[0] == '/' && x->dirfd == AT_FDCWD && len < sizeof x->prog)
		memcpy(x->prog, x->path, len + 1);
	else if (ovl_absolute(x->dirfd, x->path, x->prog, sizeof x->prog) != 0)
		goto refuse;
	if (!(v = shim_alloc_ptrs(&x->mem, argc + 5)))
		return -E2BIG;
	v[0] = shim_sup;
	v[1] = (char *)"--argv0";
	v[2] = argc ? x->argv[0] : x->prog;
	v[3] = x->prog;
	for (size_t i = 1; i <= argc; i++)
		v[i + 3] = x->argv[i];
	if (argc == 0)
		v[4] = NULL;
	x->argv = v;
	x->path = shim_sup;
	x->dirfd = AT_FDCWD;
	x->resolved = 1;
	x->interp = 1;
	x->elf = 0;
	return 0;
refuse:
	if (kind == SHIM_ELF_GO)
		return 0; /* runs as it is: the loader puts us in, unheard */
	shim_refuse(x, kind);
	return -ENOEXEC;
}

/* What kind of program a host file outside every mount is: a static one
 * must not run unseen wherever it lies (/usr/bin/busybox, Go's tools). */
static int shim_host_kind(struct shim_exec *x)
{
	unsigned char buf[SHIM_LINE];
	int fd = x->fd >= 0 ? x->fd
			    : sys_openat(x->dirfd, x->path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
	long n;

	if (fd < 0)
		return SHIM_ELF_NOT;
	memset(buf, 0, sizeof buf);
	n = sys_pread(fd, buf, sizeof buf, 0);
	int kind = n > 0 ? shim_elf(fd, buf, n) : SHIM_ELF_NOT;
	if (fd != x->fd)
		sys_close(fd);
	return kind;
}

/* Decide what to run.  0 or -errno; a refused program is -ENOEXEC with
 * x->refused set. */
static int shim_plan(struct shim_exec *x, int flags)
{
	int orig_dirfd = x->dirfd;
	const char *orig_path = x->path, *name = NULL;
	unsigned char buf[SHIM_LINE];
	int rc = shim_locate(x, flags);

	if (rc < 0)
		return rc;
	if (rc == OVL_PASS && x->fd < 0) {
		int kind = shim_host_kind(x);
		return kind == SHIM_ELF_STATIC || kind == SHIM_ELF_GO ? shim_supervise(x, kind) : 0;
	}
	for (int depth = 0; rc == 0; depth++) {
		char *interp, *arg;
		int fd, kind, native, err;
		long n = shim_head(x, depth == 0, buf, &fd);

		kind = n > 0 ? shim_elf(fd, buf, n) : SHIM_ELF_NOT;
		if (fd >= 0 && !(depth == 0 && x->fd >= 0))
			sys_close(fd);
		if (kind == SHIM_ELF_STATIC || kind == SHIM_ELF_FOREIGN || kind == SHIM_ELF_GO)
			return shim_supervise(x, kind);
		if (kind == SHIM_ELF_OK && x->resolved && x->r.m)
			x->elf = 1; /* its RUNPATH may point into a mount */
		if (n <= 0 || kind != SHIM_ELF_NOT)
			break;
		if (depth == SHIM_DEPTH) /* the kernel's limit, and answer */
			return buf[0] == '#' && buf[1] == '!' ? -ELOOP : 0;
		memcpy(x->line[depth], buf, SHIM_LINE);
		if (!shim_shebang(x->line[depth], &interp, &arg))
			break; /* not a script: the kernel decides */
		if (depth == 0) {
			name = shim_script_name(x, orig_dirfd, orig_path);
			if (x->fd >= 0 && (fcntl(x->fd, F_GETFD) & FD_CLOEXEC))
				return -ENOENT; /* the kernel's answer: $0 unreachable */
		}
		native = depth == 0 && (x->fd >= 0 || ovl_same_file(orig_dirfd, orig_path, x->r.real));
		rc = ovl_for_read(AT_FDCWD, interp, 0, &x->r);
		if (rc < 0)
			return rc;
		if (rc == OVL_PASS && native) {
			/* nothing of it inside a mount: the kernel does the same */
			x->dirfd = orig_dirfd;
			x->path = orig_path;
			x->resolved = 0;
			break;
		}
		if ((err = shim_push_interp(x, interp, arg, name)) < 0)
			return err;
		name = interp;
		x->interp = 1;
		x->resolved = 1;
		x->dirfd = AT_FDCWD;
		if (rc == OVL_PASS) {
			x->path = interp;
			x->resolved = 0;
			break;
		}
		x->path = x->r.real;
		rc = x->r.m && S_ISREG(x->r.type) ? 0 : OVL_PASS;
	}
	return 0;
}

/* ---- the entries -------------------------------------------------------- */

enum { SHIM_VIA_EXECVE, SHIM_VIA_EXECVEAT, SHIM_VIA_FEXECVE };

/* Plan, then exec.  Returns only on failure, -1 with errno. */
static int shim_exec(struct shim_exec *x, char *const envp[], int via, int flags)
{
	char *const *env;
	int rc = shim_plan(x, flags & AT_SYMLINK_NOFOLLOW ? OVL_NOFOLLOW : 0);

	if (rc < 0) {
		shim_mem_free(&x->mem);
		errno = -rc;
		return -1;
	}
	if (!(env = shim_env(envp, &x->mem, x->elf ? x->path : NULL))) {
		shim_mem_free(&x->mem);
		errno = E2BIG;
		return -1;
	}
	if (x->interp || via == SHIM_VIA_EXECVE)
		SHIM_NEXT(execve)(x->path, x->argv, env);
	else if (x->fd >= 0 && !x->resolved && via == SHIM_VIA_FEXECVE)
		SHIM_NEXT(fexecve)(x->fd, x->argv, env);
	else if (x->fd >= 0 && !x->resolved)
		SHIM_NEXT(execveat)(x->fd, "", x->argv, env, flags);
	else
		SHIM_NEXT(execveat)(x->dirfd, x->path, x->argv, env, flags);
	shim_mem_free(&x->mem);
	return -1;
}

static int shim_execve(const char *path, char *const argv[], char *const envp[])
{
	struct shim_exec x;

	shim_exec_init(&x, AT_FDCWD, path, -1, argv);
	return shim_exec(&x, envp, SHIM_VIA_EXECVE, 0);
}

/* glibc's execvp runs a file the kernel does not know how to run as a
 * shell script: /bin/sh FILE ARGS... */
static void shim_script(const char *file, char *const argv[], char *const envp[])
{
	size_t argc = shim_count(argv);
	struct shim_mem m;
	char **v;

	shim_mem_init(&m);
	if (!(v = shim_alloc_ptrs(&m, argc + 2))) {
		errno = E2BIG;
		return;
	}
	v[0] = (char *)"/bin/sh";
	v[1] = (char *)file;
	for (size_t i = 1; i <= argc; i++)
		v[i + 1] = argv[i];
	if (argc == 0)
		v[2] = NULL;
	shim_execve(v[0], v, envp);
	shim_mem_free(&m);
}

/* Whether a PATH search goes on to the next candidate after error err, by
 * glibc's rules: EACCES goes on but is remembered for the final answer. */
static int shim_search_goes_on(int err, int *eacces)
{
	switch (err) {
	case EACCES:
		*eacces = 1;
		/* fallthrough */
	case ENOENT:
	case ESTALE:
	case ENOTDIR:
	case ENODEV:
	case ETIMEDOUT:
		return 1;
	default:
		return 0;
	}
}

/* Try one name as execvp does: 1 to go on with the next PATH entry. */
static int shim_execvp_try(const char *file, char *const argv[], char *const envp[],
			   int *eacces)
{
	struct shim_exec x;

	shim_exec_init(&x, AT_FDCWD, file, -1, argv);
	shim_exec(&x, envp, SHIM_VIA_EXECVE, 0);
	if (x.refused)
		return 0;
	if (errno == ENOEXEC)
		shim_script(file, argv, envp);
	return shim_search_goes_on(errno, eacces);
}

/* The candidates of a PATH search, as glibc walks them: "/bin:/usr/bin"
 * when PATH is unset, an empty entry for the cwd, entries too long
 * skipped.  try returns 1 to go on, and notes an EACCES on the way.
 * 0 when try stopped the walk, 1 when every entry failed, or -errno. */
static int shim_path_search(const char *file, int *eacces, void *ctx,
			    int (*try)(const char *cand, void *ctx, int *eacces))
{
	const char *path = getenv("PATH");
	size_t flen = strlen(file);
	char cand[PATH_MAX + NAME_MAX + 2];

	if (!path)
		path = "/bin:/usr/bin";
	if (flen > NAME_MAX)
		return -ENAMETOOLONG;
	for (const char *p = path;;) {
		const char *e = strchrnul(p, ':');
		size_t n = (size_t)(e - p);
		if (n < PATH_MAX) {
			memcpy(cand, p, n);
			if (n)
				cand[n++] = '/';
			memcpy(cand + n, file, flen + 1);
			if (!try(cand, ctx, eacces))
				return 0;
		}
		if (!*e)
			return 1;
		p = e + 1;
	}
}

struct shim_vp {
	char *const *argv;
	char *const *envp;
};

static int shim_execvp_cand(const char *cand, void *ctx, int *eacces)
{
	struct shim_vp *vp = ctx;

	return shim_execvp_try(cand, vp->argv, vp->envp, eacces);
}

static int shim_execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct shim_vp vp = { argv, envp };
	int eacces = 0;

	if (!*file) {
		errno = ENOENT;
		return -1;
	}
	int rc;

	if (strchr(file, '/')) {
		shim_execvp_try(file, argv, envp, &eacces);
		return -1;
	}
	rc = shim_path_search(file, &eacces, &vp, shim_execvp_cand);
	if (rc < 0)
		errno = -rc;
	else if (rc == 1 && eacces)
		errno = EACCES; /* else the last one's error */
	return -1;
}

OVL_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	if (!shim_on_path(path))
		return SHIM_NEXT(execve)(path, argv, envp);
	return shim_execve(path, argv, envp);
}

OVL_EXPORT int execveat(int dirfd, const char *path, char *const argv[],
			char *const envp[], int flags)
{
	struct shim_exec x;

	if (!shim_on_path(path))
		return SHIM_NEXT(execveat)(dirfd, path, argv, envp, flags);
	if (shim_fd_form(path, flags))
		shim_exec_init(&x, AT_FDCWD, path, dirfd, argv);
	else
		shim_exec_init(&x, dirfd, path, -1, argv);
	return shim_exec(&x, envp, SHIM_VIA_EXECVEAT, flags);
}

OVL_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	struct shim_exec x;

	if (!shim_on())
		return SHIM_NEXT(fexecve)(fd, argv, envp);
	shim_exec_init(&x, AT_FDCWD, "", fd, argv);
	return shim_exec(&x, envp, SHIM_VIA_FEXECVE, 0);
}

OVL_EXPORT int execv(const char *path, char *const argv[])
{
	if (!shim_on_path(path))
		return SHIM_NEXT(execv)(path, argv);
	return shim_execve(path, argv, environ);
}

OVL_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	if (!shim_on_path(file))
		return SHIM_NEXT(execvpe)(file, argv, envp);
	return shim_execvpe(file, argv, envp);
}

OVL_EXPORT int execvp(const char *file, char *const argv[])
{
	if (!shim_on_path(file))
		return SHIM_NEXT(execvp)(file, argv);
	return shim_execvpe(file, argv, environ);
}

/* The variadic list of execl*, up to its NULL, as an argv in m; for execle
 * also the envp after the NULL. */
static char **shim_va_argv(struct shim_mem *m, const char *arg0, va_list ap,
			   char *const **envp)
{
	size_t n = 0;
	va_list cp;
	char **v;

	va_copy(cp, ap);
	if (arg0)
		for (n = 1; va_arg(cp, char *); n++)
			;
	va_end(cp);
	if (!(v = shim_alloc_ptrs(m, n + 1)))
		return NULL;
	v[0] = (char *)arg0;
	for (size_t i = 1; i <= n; i++)
		v[i] = va_arg(ap, char *); /* v[n] gets the NULL */
	if (envp)
		*envp = va_arg(ap, char *const *);
	return v;
}

/* `run` execs with argv and envp in scope; the list is copied first even
 * when inert, since the next definitions take arrays. */
#define SHIM_EXECL(name, params, want_env, run)                              \
	OVL_EXPORT int name params                                           \
	{                                                                    \
		char *const *envp = environ;                                 \
		struct shim_mem m;                                           \
		char **argv;                                                 \
		va_list ap;                                                  \
		shim_mem_init(&m);                                           \
		va_start(ap, arg);                                           \
		argv = shim_va_argv(&m, arg, ap, want_env ? &envp : NULL);   \
		va_end(ap);                                                  \
		if (!argv) {                                                 \
			errno = E2BIG;                                       \
			return -1;                                           \
		}                                                            \
		run;                                                         \
		shim_mem_free(&m);                                           \
		return -1;                                                   \
	}

SHIM_EXECL(execl, (const char *path, const char *arg, ...), 0, shim_on_path(path) ? shim_execve(path, argv, envp) : SHIM_NEXT(execv)(path, argv))
SHIM_EXECL(execle, (const char *path, const char *arg, ...), 1, shim_on_path(path) ? shim_execve(path, argv, envp) : SHIM_NEXT(execve)(path, argv, envp))
SHIM_EXECL(execlp, (const char *file, const char *arg, ...), 0, shim_on_path(file) ? shim_execvpe(file, argv, envp) : SHIM_NEXT(execvp)(file, argv))

/* posix_spawn with the planned program and the fixed environment; glibc's
 * own returns the child's exec error. */
static int shim_spawn(pid_t *pid, const char *path, int probe,
		      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		      char *const argv[], char *const envp[], int *refused)
{
	struct shim_exec x;
	char *const *env;
	int rc;

	shim_exec_init(&x, AT_FDCWD, path, -1, argv);
	x.probe = probe;
	rc = shim_plan(&x, 0);
	*refused = x.refused;
	if (rc < 0)
		rc = -rc;
	else if (!(env = shim_env(envp, &x.mem, x.elf ? x.path : NULL)))
		rc = E2BIG;
	else
		rc = SHIM_NEXT(posix_spawn)(pid, x.path, fa, attr, x.argv, env);
	shim_mem_free(&x.mem);
	return rc;
}

OVL_EXPORT int posix_spawn(pid_t *pid, const char *path,
			   const posix_spawn_file_actions_t *fa,
			   const posix_spawnattr_t *attr, char *const argv[],
			   char *const envp[])
{
	int refused, rc;

	if (!shim_on_path(path))
		rc = SHIM_NEXT(posix_spawn)(pid, path, fa, attr, argv, envp);
	else
		rc = shim_spawn(pid, path, 0, fa, attr, argv, envp, &refused);
	/* the child has run fa's actions (spawn.c) by now */
	shim_spawn_done(fa);
	return rc;
}

struct shim_sp {
	pid_t *pid;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
	char *const *argv;
	char *const *envp;
	int rc;
};

/* As glibc's posix_spawnp: execvp's walk without the /bin/sh retry.  Names
 * outside the mounts are looked at first, so that a missing one costs a
 * stat, not a child. */
static int shim_spawnp_cand(const char *cand, void *ctx, int *eacces)
{
	struct shim_sp *sp = ctx;
	int refused;

	sp->rc = shim_spawn(sp->pid, cand, 1, sp->fa, sp->attr, sp->argv, sp->envp, &refused);
	return shim_search_goes_on(refused ? 0 : sp->rc, eacces);
}

static int shim_spawnp(pid_t *pid, const char *file,
		       const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *attr, char *const argv[],
		       char *const envp[])
{
	struct shim_sp sp = { pid, fa, attr, argv, envp, ENOENT };
	int refused, eacces = 0, rc;

	if (!shim_on_path(file))
		return SHIM_NEXT(posix_spawnp)(pid, file, fa, attr, argv, envp);
	if (strchr(file, '/'))
		return shim_spawn(pid, file, 0, fa, attr, argv, envp, &refused);
	if (!*file)
		return ENOENT;
	rc = shim_path_search(file, &eacces, &sp, shim_spawnp_cand);
	if (rc < 0)
		return -rc;
	return rc == 1 && eacces ? EACCES : sp.rc;
}

OVL_EXPORT int posix_spawnp(pid_t *pid, const char *file,
			    const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[],
			    char *const envp[])
{
	int rc = shim_spawnp(pid, file, fa, attr, argv, envp);

	shim_spawn_done(fa);
	return rc;
}

OVL_EXPORT int system(const char *command)
{
	if (shim_on())
		shim_environ_fix();
	return SHIM_NEXT(system)(command);
}

OVL_EXPORT FILE *popen(const char *command, const char *type)
{
	if (shim_on())
		shim_environ_fix();
	return SHIM_NEXT(popen)(command, type);
}
