/*
 * statwalk: the stat workloads of bench/run.sh.
 *
 *   statwalk [-l] [-n PASSES] [-m METRICS] LIST
 *       stat() (lstat() with -l) every path listed in LIST, one a line,
 *       PASSES times (default 1).  Prints "found F missing M" on stdout,
 *       summed over all passes.
 *
 *   statwalk -L COUNT [-m METRICS] PATH
 *       stat() PATH COUNT times; prints "found F missing M" likewise.
 *
 * With -m, appends "maxrss_kb N" (peak resident set, getrusage) and
 * "ns_per_call X" (time spent in the stat loop only, divided by the number
 * of calls) to the file METRICS.
 *
 * Dynamically linked on purpose: under liboverlay the calls are intercepted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: statwalk [-l] [-n PASSES] [-m METRICS] LIST\n"
			"       statwalk -L COUNT [-m METRICS] PATH\n");
	exit(2);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Reads LIST into memory and splits it into lines. */
static char **read_list(const char *file, size_t *n)
{
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "statwalk: %s: %s\n", file, strerror(errno));
		exit(1);
	}
	size_t cap = 1024, len = 0;
	char **v = malloc(cap * sizeof *v);
	char *line = NULL;
	size_t lcap = 0;
	ssize_t r;
	while ((r = getline(&line, &lcap, f)) > 0) {
		if (line[r - 1] == '\n')
			line[--r] = '\0';
		if (r == 0)
			continue;
		if (len == cap)
			v = realloc(v, (cap *= 2) * sizeof *v);
		v[len++] = strdup(line);
	}
	free(line);
	fclose(f);
	*n = len;
	return v;
}

int main(int argc, char **argv)
{
	int use_lstat = 0, opt;
	long passes = 1, loop = 0;
	const char *metrics = NULL;

	while ((opt = getopt(argc, argv, "ln:L:m:")) != -1) {
		switch (opt) {
		case 'l': use_lstat = 1; break;
		case 'n': passes = atol(optarg); break;
		case 'L': loop = atol(optarg); break;
		case 'm': metrics = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || passes < 1 || loop < 0)
		usage();

	size_t n;
	char **paths;
	if (loop) {
		paths = &argv[optind];
		n = 1;
		passes = loop;
	} else {
		paths = read_list(argv[optind], &n);
	}

	long found = 0, missing = 0;
	struct stat st;
	double t0 = now_ns();
	for (long p = 0; p < passes; p++) {
		for (size_t i = 0; i < n; i++) {
			int r = use_lstat ? lstat(paths[i], &st) : stat(paths[i], &st);
			if (r == 0)
				found++;
			else
				missing++;
		}
	}
	double t1 = now_ns();

	printf("found %ld missing %ld\n", found, missing);
	if (metrics) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		FILE *m = fopen(metrics, "a");
		if (!m) {
			fprintf(stderr, "statwalk: %s: %s\n", metrics, strerror(errno));
			return 1;
		}
		long calls = found + missing;
		fprintf(m, "maxrss_kb %ld\nns_per_call %.1f\n", ru.ru_maxrss,
			calls ? (t1 - t0) / calls : 0.0);
		fclose(m);
	}
	return 0;
}
