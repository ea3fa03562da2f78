/*
 * Signal handlers: whether this process has any.
 *
 * A change holds its directory's lock word (core/lock.c) across a few
 * system calls; a signal handler that ran library code meanwhile on the
 * same thread could wait for the word its own thread holds, and one that
 * longjmp'd out would leave it held.  Blocking every signal around each
 * change costs two system calls per change, which a process without
 * handlers does not need: none can interrupt it with code of its own.  So
 * the calls that install a handler tell core (ovl_handlers_installed),
 * which blocks signals from then on (handlers last until exec resets them).
 *
 * The sanitizer runtimes install their handlers while they start, through
 * the next sigaction, which may be this one, before they can take an
 * instrumented call: these wrappers are left uninstrumented and call
 * nothing that is, so they look the next symbol up themselves.
 */
#include "shim.h"

#include <dlfcn.h>
#include <signal.h>

#define SHIM_PLAIN __attribute__((no_sanitize("address", "thread", "undefined")))

SHIM_PLAIN static void *next_of(int idx, const char *name)
{
	void *p = __atomic_load_n(&shim_next_tab[idx], __ATOMIC_RELAXED);

	return p ? p : dlsym(RTLD_NEXT, name);
}

SHIM_PLAIN static void note(void (*h)(int))
{
	if (h != SIG_DFL && h != SIG_IGN && h != SIG_ERR)
		__atomic_store_n(&ovl_handlers_installed, 1, __ATOMIC_RELAXED);
}

SHIM_PLAIN OVL_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	int (*next)(int, const struct sigaction *, struct sigaction *) =
		next_of(SHIM_N_sigaction, "sigaction");

	/* SA_SIGINFO handlers share the union with sa_handler */
	if (act)
		note(act->sa_handler);
	return next(sig, act, old);
}

#define SHIM_SIGNAL(name)                                                    \
	SHIM_PLAIN OVL_EXPORT __sighandler_t name(int sig, __sighandler_t h) \
	{                                                                    \
		__sighandler_t (*next)(int, __sighandler_t) =                \
			next_of(SHIM_N_##name, #name);                       \
		note(h);                                                     \
		return next(sig, h);                                         \
	}

SHIM_SIGNAL(signal)
SHIM_SIGNAL(sysv_signal)
/* obsolete (System V), still exported and still installs handlers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
SHIM_SIGNAL(sigset)
#pragma GCC diagnostic pop
