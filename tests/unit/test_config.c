/*
 * Configuration (DESIGN.md section 2 "Environment", ovl.h table.c):
 * validation of ovl_config_add, ovl_config_from_env, in-place mounts and
 * more than one mount.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define CONFIG(name) Test(config, name, .init = fx_setup, .fini = fx_teardown)

static int add(const char *mnt, const char *upper, const char *l1, const char *l2,
	       char *err, size_t errlen)
{
	const char *lowers[2] = { l1, l2 };
	err[0] = 0;
	return ovl_config_add(mnt, upper, lowers, l2 ? 2 : 1, err, errlen);
}

static void expect_rejected(const char *what, const char *mnt, const char *upper,
			    const char *l1, const char *l2)
{
	char err[512];
	ovl_config_reset();
	int rc = add(mnt, upper, l1, l2, err, sizeof err);
	cr_assert_eq(rc, -1, "%s: accepted (rc %d)", what, rc);
	cr_assert_neq(err[0], 0, "%s: no message", what);
	cr_assert_eq(ovl_active(), 0, "%s: a mount stayed configured", what);
}

CONFIG(valid_mount_is_canonical)
{
	char err[512];
	/* Non-canonical spellings of the same directories. */
	cr_assert_eq(add(T.mnt, RP("./upper/"), RP("/lower1"), T.lower2, err, sizeof err), 0,
		     "%s", err);
	cr_assert(ovl_active());
	cr_assert_eq(ovl_mount_count(), 1);
	const struct ovl_mount *m = ovl_mount_at(0);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->point, T.mnt);
	cr_assert_eq(m->point_len, strlen(T.mnt));
	cr_assert_eq(m->nlayers, 3);
	cr_assert_str_eq(m->layers[0].root, T.upper);
	cr_assert_str_eq(m->layers[1].root, T.lower1);
	cr_assert_str_eq(m->layers[2].root, T.lower2);
	cr_assert_eq(m->layers[1].len, strlen(T.lower1));
	cr_assert_eq(ovl_mount_of(MNT("a/b"), strlen(MNT("a/b"))), m);
	cr_assert_eq(ovl_mount_of(T.mnt, strlen(T.mnt)), m);
	cr_assert_null(ovl_mount_of(RP("other"), strlen(RP("other"))));
	cr_assert_null(ovl_mount_of(RP("mntX"), strlen(RP("mntX"))));
	ovl_config_reset();
	cr_assert_eq(ovl_active(), 0);
	cr_assert_eq(ovl_mount_count(), 0);
}

CONFIG(symlinked_layer_path_is_canonicalised)
{
	char err[512];
	make_symlink(T.lower1, RP("l1link"));
	cr_assert_eq(add(T.mnt, T.upper, RP("l1link"), NULL, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(ovl_mount_at(0)->layers[1].root, T.lower1);
}

CONFIG(relative_paths_rejected)
{
	cr_assert_eq(chdir(T.root), 0);
	expect_rejected("relative upper", T.mnt, "upper", T.lower1, NULL);
	expect_rejected("relative lower", T.mnt, T.upper, "lower1", NULL);
	expect_rejected("relative second lower", T.mnt, T.upper, T.lower1, "lower2");
	expect_rejected("relative mount", "mnt", T.upper, T.lower1, NULL);
}

CONFIG(missing_directories_rejected)
{
	expect_rejected("missing lower", T.mnt, T.upper, RP("nolower"), NULL);
	expect_rejected("missing second lower", T.mnt, T.upper, T.lower1, RP("nolower"));
	expect_rejected("missing upper", T.mnt, RP("noupper"), T.lower1, NULL);
	expect_rejected("missing mount", RP("nomount"), T.upper, T.lower1, NULL);
	write_file(RP("afile"), "");
	expect_rejected("lower is a file", T.mnt, T.upper, RP("afile"), NULL);
	expect_rejected("upper is a file", T.mnt, RP("afile"), T.lower1, NULL);
}

CONFIG(overlapping_layers_rejected)
{
	mkdirs(L1("up"));
	mkdirs(UP("lo"));
	expect_rejected("upper inside lower", T.mnt, L1("up"), T.lower1, NULL);
	expect_rejected("upper inside second lower", T.mnt, L1("up"), T.lower2, T.lower1);
	expect_rejected("lower inside upper", T.mnt, T.upper, UP("lo"), NULL);
	expect_rejected("upper equals lower", T.mnt, T.lower1, T.lower1, NULL);
	/* A lower that contains the upper. */
	expect_rejected("lower contains upper", T.mnt, UP(""), T.root, NULL);
}

CONFIG(layer_inside_mount_rejected)
{
	mkdirs(MNT("inner"));
	expect_rejected("lower inside the mount", T.mnt, T.upper, MNT("inner"), NULL);
	expect_rejected("upper inside the mount", T.mnt, MNT("inner"), T.lower1, NULL);
}

CONFIG(sibling_prefix_is_no_overlap)
{
	/* ROOT/upper and ROOT/upper2 share a string prefix only. */
	char err[512];
	mkdirs(RP("upper2"));
	cr_assert_eq(add(T.mnt, T.upper, RP("upper2"), NULL, err, sizeof err), 0, "%s", err);
}

CONFIG(from_env_inert_without_variables)
{
	char err[512] = "";
	char *envp[] = { "PATH=/usr/bin:/bin", "HOME=/root", "OVERLAY=not-ours", NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), 0);
	cr_assert_eq(ovl_active(), 0);
	char *empty[] = { NULL };
	cr_assert_eq(ovl_config_from_env(empty, err, sizeof err), 0);
	cr_assert_eq(ovl_active(), 0);
}

static char *envs(const char *name, const char *a, const char *b)
{
	char *s = NULL;
	cr_assert(asprintf(&s, "%s=%s%s%s", name, a, b ? ":" : "", b ? b : "") > 0);
	return s;
}

CONFIG(from_env_missing_lower_fails)
{
	char err[512] = "";
	char *up = envs("OVERLAY_UPPER", T.upper, NULL);
	char *lo = envs("OVERLAY_LOWER", T.lower1, RP("missing"));
	char *envp[] = { up, lo, NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), -1);
	cr_assert_neq(err[0], 0, "no message");
	cr_assert_eq(ovl_active(), 0);
	free(up);
	free(lo);
}

CONFIG(from_env_relative_upper_fails)
{
	char err[512] = "";
	char *lo = envs("OVERLAY_LOWER", T.lower1, NULL);
	char *envp[] = { "OVERLAY_UPPER=upper", lo, NULL };
	cr_assert_eq(chdir(T.root), 0);
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), -1);
	cr_assert_neq(err[0], 0);
	free(lo);
}

CONFIG(from_env_valid_in_place_and_with_mount)
{
	char err[512] = "";
	char *up = envs("OVERLAY_UPPER", T.upper, NULL);
	char *lo = envs("OVERLAY_LOWER", T.lower1, T.lower2);
	char *envp[] = { "PATH=/bin", up, lo, NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), 1, "%s", err);
	const struct ovl_mount *m = ovl_mount_at(0);
	cr_assert_not_null(m);
	cr_assert_str_eq(m->point, T.lower1, "OVERLAY_MOUNT defaults to the first lower");
	cr_assert_eq(m->nlayers, 3);
	cr_assert_str_eq(m->layers[1].root, T.lower1);
	cr_assert_str_eq(m->layers[2].root, T.lower2);

	ovl_config_reset();
	char *mn = envs("OVERLAY_MOUNT", T.mnt, NULL);
	char *envp2[] = { up, lo, mn, NULL };
	cr_assert_eq(ovl_config_from_env(envp2, err, sizeof err), 1, "%s", err);
	cr_assert_str_eq(ovl_mount_at(0)->point, T.mnt);
	free(up);
	free(lo);
	free(mn);
}

CONFIG(in_place_mount_point_is_first_lower)
{
	write_file(L1("f"), "lower");
	snap_lowers();
	mount_inplace(2);
	cr_assert_str_eq(ovl_mount_at(0)->point, T.lower1);
	struct ovl_res r;
	cr_assert_eq(ovl_for_read(AT_FDCWD, L1("f"), 0, &r), 0);
	cr_assert_eq(r.layer, 1);
	cr_assert_eq(v_write(L1("f"), "changed"), 0);
	cr_assert_eq(ovl_for_read(AT_FDCWD, L1("f"), 0, &r), 0);
	cr_assert_eq(r.layer, 0);
	cr_assert_str_eq(r.real, UP("f"));
	cr_assert_eq(v_write(L1("created"), "c"), 0);
	cr_assert(is_file(UP("created")));
	cr_assert(!exists(L1("created")), "in-place create touched the real lower");
	check_lowers();
}

CONFIG(two_mounts_are_independent)
{
	char err[512];
	mkdirs(RP("upperB"));
	mkdirs(RP("lowerB"));
	mkdirs(RP("mntB"));
	write_file(L1("a"), "A");
	write_file(RP("lowerB/b"), "B");
	cr_assert_eq(add(T.mnt, T.upper, T.lower1, NULL, err, sizeof err), 0, "%s", err);
	const char *lb[1] = { RP("lowerB") };
	cr_assert_eq(ovl_config_add(RP("mntB"), RP("upperB"), lb, 1, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ovl_mount_count(), 2);
	cr_assert_eq(v_type(MNT("a")), S_IFREG);
	cr_assert_eq(v_type(MNT("b")), -ENOENT);
	cr_assert_eq(v_type(RP("mntB/b")), S_IFREG);
	cr_assert_eq(v_type(RP("mntB/a")), -ENOENT);
	cr_assert_eq(v_write(RP("mntB/new"), "n"), 0);
	cr_assert(is_file(RP("upperB/new")));
	cr_assert(!exists(UP("new")));
	char out[PATH_MAX];
	cr_assert_eq(ovl_virtual_of(RP("upperB/new"), out, sizeof out), 0);
	cr_assert_str_eq(out, RP("mntB/new"));
}

/* OVERLAY_MOUNTS adds mounts beside the single-mount variables: here the
 * standard mount plus an in-place one of a second tree. */
CONFIG(from_env_several_mounts)
{
	char err[512] = "";
	char *up = envs("OVERLAY_UPPER", T.upper, NULL);
	char *lo = envs("OVERLAY_LOWER", T.lower1, NULL);
	char *mt = envs("OVERLAY_MOUNT", T.mnt, NULL);
	char *more = NULL;
	mkdirs(RP("cache"));
	mkdirs(RP("cache-upper"));
	write_file(RP("cache/c"), "cached");
	write_file(L1("f"), "lower");
	cr_assert(asprintf(&more, "OVERLAY_MOUNTS=:%s:%s", RP("cache-upper"), RP("cache")) > 0);
	char *envp[] = { up, lo, mt, more, NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), 1, "%s", err);
	cr_assert_eq(ovl_mount_count(), 2);
	char *a = v_read(MNT("f"), NULL);
	cr_assert_str_eq(a, "lower");
	cr_assert_eq(v_append(RP("cache/c"), "+"), 0);
	char *b = read_file(RP("cache-upper/c")), *c = read_file(RP("cache/c"));
	cr_assert_str_eq(b, "cached+");
	cr_assert_str_eq(c, "cached");
	free(a);
	free(b);
	free(c);
	free(up);
	free(lo);
	free(mt);
	free(more);
}

CONFIG(from_env_bad_mounts_entry_fails)
{
	char err[512] = "";
	char *more = NULL;
	cr_assert(asprintf(&more, "OVERLAY_MOUNTS=%s:%s", T.mnt, T.upper) > 0);
	char *envp[] = { more, NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), -1);
	cr_assert_neq(err[0], 0, "no message");
	free(more);
}
