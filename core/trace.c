/*
 * OVERLAY_TRACE=FILE: what the overlay decided, one line per decision, from
 * every process of a run (strace shows only host paths).
 *
 *   PID CALL VPATH -> LAYER REAL     a call resolved (upper, lowerN, missing)
 *   PID CALL VPATH: ERRNO            a call refused before it reached the host
 *   PID copy-up VPATH: lowerN SRC -> upper DST, BYTES bytes, MS ms
 *   PID whiteout VPATH -> upper REAL
 *   PID opaque REAL
 *   PID refuse VPATH: ERRNO (reason)
 *   PID CALL = 0 | ERRNO             the result of a change core made
 *
 * A line is written with one write() through a descriptor opened with
 * O_APPEND for that line alone: the lines of concurrent processes never
 * interleave (an O_APPEND write of a short line to a local file is one
 * piece), and no descriptor of ours stays open for the program to close,
 * reuse or inherit.  Off, every call site costs one test of ovl_trace_on,
 * a flag set once at configuration.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ovl.h"
#include "sys.h"

int ovl_trace_on;
static char trace_file[PATH_MAX];

int ovl_trace_set(const char *file)
{
	ovl_trace_on = 0;
	if (!file || !*file)
		return 0;
	if (file[0] != '/')
		return -EINVAL;
	size_t n = strlen(file);
	if (n >= sizeof trace_file)
		return -ENAMETOOLONG;
	memcpy(trace_file, file, n + 1);
	ovl_trace_on = 1;
	return 0;
}

const char *ovl_trace_file(void)
{
	return ovl_trace_on ? trace_file : NULL;
}

void ovl_trace(const char *fmt, ...)
{
	char line[2 * PATH_MAX + 256];
	va_list ap;
	int n = snprintf(line, sizeof line, "%d ", sys_getpid()), m;

	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2; /* cut, but still one line */
	line[n++] = '\n';
	int fd = sys_openat(AT_FDCWD, trace_file,
			    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	sys_write(fd, line, (size_t)n);
	sys_close(fd);
}

static const char *err_name(int rc)
{
	const char *s = strerrorname_np(-rc);
	return s ? s : "error";
}

/* "upper", "lower1"..., or "missing" */
static const char *layer_name(const struct ovl_res *r, char *buf, size_t n)
{
	if (r->layer < 0)
		return "missing";
	if (r->layer == 0)
		return "upper";
	snprintf(buf, n, "lower%d", r->layer);
	return buf;
}

void ovl_trace_res(const char *call, const char *path, int rc, const struct ovl_res *r)
{
	char lname[16];

	if (rc == OVL_PASS)
		return; /* outside every mount */
	if (rc < 0) {
		ovl_trace("%s %s: %s", call, path ? path : "", err_name(rc));
		return;
	}
	if (!r || !r->m)
		return;
	ovl_trace("%s %s%s%s -> %s %s", call, r->m->point, r->rel[0] ? "/" : "", r->rel,
		  layer_name(r, lname, sizeof lname), r->real);
}

void ovl_trace_result(const char *call, int rc)
{
	if (rc == OVL_PASS)
		return;
	if (rc < 0)
		ovl_trace("%s = %s", call, err_name(rc));
	else
		ovl_trace("%s = 0", call);
}

void ovl_trace_refuse(const struct ovl_mount *m, const char *rel, int rc, const char *why)
{
	ovl_trace("refuse %s%s%s: %s (%s)", m ? m->point : "", rel[0] ? "/" : "", rel,
		  err_name(rc), why);
}

uint64_t ovl_trace_clock(void)
{
	struct timespec ts;

	if (!ovl_trace_on || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
