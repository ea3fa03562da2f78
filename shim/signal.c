/*
 * Signal handlers: whether this process has any.
 *
 * A change holds its directory's lock word (core/lock.c) across a few
 * system calls; a signal handler that ran library code meanwhile on the
 * same thread could wait for the word its own thread holds, and one that
 * longjmp'd out would leave it held.  Blocking every signal around each
 * change costs two system calls per change, which a process without
 * handlers does not need: none can interrupt it with code of its own.  So
 * the calls that install a handler tell core, which blocks signals from
 * then on (the process keeps its handlers until exec, which resets them).
 */
#include "shim.h"

#include <signal.h>

static int is_handler(void (*h)(int))
{
	return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR;
}

OVL_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	/* SA_SIGINFO handlers live in the same union as sa_handler */
	if (act && is_handler(act->sa_handler))
		ovl_lock_handlers_installed();
	return SHIM_NEXT(sigaction)(sig, act, old);
}

#define SHIM_SIGNAL(name)                                                    \
	OVL_EXPORT __sighandler_t name(int sig, __sighandler_t h)            \
	{                                                                    \
		if (is_handler(h))                                           \
			ovl_lock_handlers_installed();                       \
		return SHIM_NEXT(name)(sig, h);                              \
	}

SHIM_SIGNAL(signal)
SHIM_SIGNAL(sysv_signal)
/* obsolete (System V), still exported and still installs handlers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
SHIM_SIGNAL(sigset)
#pragma GCC diagnostic pop
