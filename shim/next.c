/*
 * Bootstrap: find libc's definitions of the symbols we interpose, and read
 * the configuration, both before main.
 *
 * dlsym may allocate, and an allocator may open files (jemalloc reads
 * /proc), so every symbol is resolved eagerly in the constructor rather
 * than on first use in the middle of some unrelated call.  Libraries whose
 * constructors run before ours can still call us: those get a lazy dlsym of
 * the one symbol and a lazy configuration read.
 */
#include "shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "sys.h"

void *shim_next_tab[SHIM_N_COUNT];

static const char *const shim_names[SHIM_N_COUNT] = {
#define SHIM_NAME(name) #name,
	SHIM_SYMBOLS(SHIM_NAME)
#undef SHIM_NAME
};

static void shim_die(const char *what, const char *detail)
{
	sys_write(2, "liboverlay: ", 12);
	sys_write(2, what, strlen(what));
	sys_write(2, detail, strlen(detail));
	sys_write(2, "\n", 1);
}

void *shim_next_resolve(int idx)
{
	void *p = dlsym(RTLD_NEXT, shim_names[idx]);

	if (!p) {
		/* Only reached by a program that calls a symbol its libc lacks
		 * (it found ours): nothing sensible to forward to. */
		shim_die("no next definition of ", shim_names[idx]);
		_exit(127);
	}
	__atomic_store_n(&shim_next_tab[idx], p, __ATOMIC_RELAXED);
	return p;
}

int shim_ready;
static int shim_started;
static int shim_owner;

int shim_init(void)
{
	int expect = 0;

	if (__atomic_compare_exchange_n(&shim_started, &expect, 1, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		extern char **environ;
		char err[512];

		__atomic_store_n(&shim_owner, sys_gettid(), __ATOMIC_RELEASE);
		if (ovl_config_from_env(environ, err, sizeof err) < 0) {
			/* Fail closed: running on with the real tree writable
			 * is worse than not running. */
			shim_die("", err);
			_exit(125);
		}
		__atomic_store_n(&shim_ready, 1, __ATOMIC_RELEASE);
		return 1;
	}
	while (!__atomic_load_n(&shim_ready, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&shim_owner, __ATOMIC_ACQUIRE) == sys_gettid())
			return 0; /* re-entered from our own configuration read */
		OVL_SC(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
	return 1;
}

__attribute__((constructor)) static void shim_start(void)
{
	/* A symbol this libc lacks stays NULL: only a call to it is fatal. */
	for (int i = 0; i < SHIM_N_COUNT; i++)
		if (!__atomic_load_n(&shim_next_tab[i], __ATOMIC_RELAXED))
			__atomic_store_n(&shim_next_tab[i],
					 dlsym(RTLD_NEXT, shim_names[i]),
					 __ATOMIC_RELAXED);
	if (!__atomic_load_n(&shim_ready, __ATOMIC_ACQUIRE))
		shim_init();
	/* What core remembers (the cwd) belongs to this process, and after a
	 * fork to the child; a vfork child runs no handlers and is refused. */
	ovl_cwd_init();
	pthread_atfork(NULL, NULL, ovl_cwd_init);
}
