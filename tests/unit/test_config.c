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

/* ---- several mounts checked against each other (README "Several mounts
 * in one run": mount points may not overlap, an upper may not be inside or
 * contain any lower, upper or mount point of any group) ------------------ */

/* The first group from the single-mount variables (T.mnt over T.upper and
 * T.lower1), the others from OVERLAY_MOUNTS=groups.  Returns what
 * ovl_config_from_env returned, err filled. */
static int from_env_groups(const char *groups, char *err, size_t errlen)
{
	char *up = envs("OVERLAY_UPPER", T.upper, NULL);
	char *lo = envs("OVERLAY_LOWER", T.lower1, NULL);
	char *mt = envs("OVERLAY_MOUNT", T.mnt, NULL);
	char *more = envs("OVERLAY_MOUNTS", groups, NULL);
	char *envp[] = { up, lo, mt, more, NULL };
	int rc;

	ovl_config_reset();
	err[0] = 0;
	rc = ovl_config_from_env(envp, err, errlen);
	free(up);
	free(lo);
	free(mt);
	free(more);
	return rc;
}

static void expect_groups_rejected(const char *what, const char *groups, const char *needle)
{
	char err[512];
	int rc = from_env_groups(groups, err, sizeof err);
	cr_assert_eq(rc, -1, "%s: accepted (rc %d): OVERLAY_MOUNTS=%s", what, rc, groups);
	cr_assert_neq(err[0], 0, "%s: no message", what);
	cr_assert(strstr(err, needle), "%s: message '%s' lacks '%s'", what, err, needle);
	cr_assert_eq(ovl_active(), 0, "%s: a mount stayed configured", what);
}

static char *groupf(const char *fmt, const char *a, const char *b, const char *c)
{
	static char buf[4][3 * PATH_MAX + 8];
	static int i;
	char tmp[sizeof buf[0]], *s = buf[i++ % 4];
	snprintf(tmp, sizeof tmp, fmt, a, b, c);
	memcpy(s, tmp, sizeof tmp);
	return s;
}

CONFIG(from_env_group_upper_inside_first_lower_fails)
{
	mkdirs(L1("sub"));
	mkdirs(RP("mntB"));
	mkdirs(RP("lowerB"));
	write_file(L1("sub/x"), "lower");
	snap_lowers();
	/* The case: OVERLAY_MOUNTS=M2:L1/sub:L2. */
	expect_groups_rejected("upper inside the first group's lower",
			       groupf("%s:%s:%s", RP("mntB"), L1("sub"), RP("lowerB")), "inside");
	check_lowers();
	/* Nor inside a second lower of another group, nor equal to it. */
	expect_groups_rejected("upper is the first group's lower",
			       groupf("%s:%s:%s", RP("mntB"), T.lower1, RP("lowerB")), "lower");
}

CONFIG(from_env_group_lower_inside_other_upper_fails)
{
	mkdirs(UP("lo"));
	mkdirs(RP("mntB"));
	mkdirs(RP("upperB"));
	/* a lower inside another group's upper: the upper "contains" it */
	expect_groups_rejected("lower inside the first group's upper",
			       groupf("%s:%s:%s", RP("mntB"), RP("upperB"), UP("lo")), "upper");
	/* the second group's upper contains the first group's lower */
	mkdirs(RP("big/l"));
	mkdirs(RP("big/u"));
	ovl_config_reset();
	char err[512];
	const char *ls[1] = { RP("big/l") };
	cr_assert_eq(ovl_config_add(T.mnt, RP("big/u"), ls, 1, err, sizeof err), 0, "%s", err);
	const char *ls2[1] = { RP("lowerB") };
	mkdirs(RP("lowerB"));
	cr_assert_eq(ovl_config_add(RP("mntB"), RP("big"), ls2, 1, err, sizeof err), -1,
		     "an upper containing another group's lower and upper was accepted");
	cr_assert(strstr(err, "upper"), "%s", err);
	cr_assert_eq(ovl_mount_count(), 1, "the refused mount was added");
}

CONFIG(from_env_groups_sharing_an_upper_fail)
{
	mkdirs(RP("mntB"));
	mkdirs(RP("lowerB"));
	mkdirs(UP("nested"));
	expect_groups_rejected("two groups, one upper",
			       groupf("%s:%s:%s", RP("mntB"), T.upper, RP("lowerB")), "upper");
	expect_groups_rejected("an upper inside another group's upper",
			       groupf("%s:%s:%s", RP("mntB"), UP("nested"), RP("lowerB")), "upper");
	/* two groups of OVERLAY_MOUNTS sharing their upper */
	mkdirs(RP("mntC"));
	mkdirs(RP("lowerC"));
	mkdirs(RP("upperB"));
	expect_groups_rejected("two OVERLAY_MOUNTS groups, one upper",
			       groupf("%s;%s", groupf("%s:%s:%s", RP("mntB"), RP("upperB"), RP("lowerB")),
				      groupf("%s:%s:%s", RP("mntC"), RP("upperB"), RP("lowerC")), NULL),
			       "upper");
}

CONFIG(from_env_group_upper_and_other_mount_point_fail)
{
	mkdirs(RP("lowerB"));
	mkdirs(MNT("inner"));
	mkdirs(RP("upperB/mntB"));
	/* an upper inside the first group's mount point */
	expect_groups_rejected("upper inside another group's mount point",
			       groupf("%s:%s:%s", RP("other"), MNT("inner"), RP("lowerB")), "mount point");
	/* another group's mount point inside this group's upper (and nothing
	 * else of that group) */
	char err[512];
	mkdirs(RP("wrap/mnt2"));
	ovl_config_reset();
	const char *l1[1] = { T.lower1 };
	cr_assert_eq(ovl_config_add(RP("wrap/mnt2"), T.upper, l1, 1, err, sizeof err), 0, "%s", err);
	const char *lb[1] = { RP("lowerB") };
	cr_assert_eq(ovl_config_add(RP("upperB/mntB"), RP("wrap"), lb, 1, err, sizeof err), -1,
		     "an upper containing another group's mount point was accepted");
	cr_assert(strstr(err, "mount point"), "%s", err);
	cr_assert_eq(ovl_mount_count(), 1);
	/* overlapping mount points */
	expect_groups_rejected("mount point inside another group's mount point",
			       groupf("%s:%s:%s", MNT("inner"), RP("upperB"), RP("lowerB")), "mount point");
}

CONFIG(from_env_valid_groups_still_accepted)
{
	char err[512];
	mkdirs(RP("mntB"));
	mkdirs(RP("upperB"));
	mkdirs(RP("lowerB"));
	mkdirs(RP("upperC"));
	mkdirs(RP("lowerC"));
	/* a lower shared by two groups is fine (both only read it); so is an
	 * in-place group; and an empty entry between two */
	cr_assert_eq(from_env_groups(groupf("%s:%s:%s", RP("mntB"), RP("upperB"), T.lower1),
				     err, sizeof err), 1, "%s", err);
	cr_assert_eq(ovl_mount_count(), 2);
	cr_assert_eq(from_env_groups(groupf(":%s:%s;;%s", RP("upperB"), RP("lowerB"),
					    groupf(":%s:%s", RP("upperC"), RP("lowerC"), NULL)),
				     err, sizeof err), 1, "%s", err);
	cr_assert_eq(ovl_mount_count(), 3);
	cr_assert_str_eq(ovl_mount_at(2)->point, RP("lowerC"));
	cr_assert_str_eq(ovl_mount_at(2)->layers[0].root, RP("upperC"));
}

CONFIG(from_env_mounts_without_entries_fails)
{
	const char *bad[] = { ";;;", ";", ";;" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char err[512] = "";
		char *more = envs("OVERLAY_MOUNTS", bad[i], NULL);
		char *envp[] = { more, NULL };
		ovl_config_reset();
		cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), -1,
			     "OVERLAY_MOUNTS='%s' was accepted", bad[i]);
		cr_assert(strstr(err, "OVERLAY_MOUNTS"), "'%s': message '%s'", bad[i], err);
		cr_assert_eq(ovl_active(), 0);
		free(more);
	}
	/* beside a valid first group too */
	char err[512];
	cr_assert_eq(from_env_groups(";;;", err, sizeof err), -1, "';;;' beside a group was accepted");
	cr_assert(strstr(err, "OVERLAY_MOUNTS"), "%s", err);
	/* an empty OVERLAY_MOUNTS is still unset */
	char *envp[] = { "OVERLAY_MOUNTS=", NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), 0);
}

CONFIG(from_env_fsync_values)
{
	char *up = envs("OVERLAY_UPPER", T.upper, NULL);
	char *lo = envs("OVERLAY_LOWER", T.lower1, NULL);
	const char *good[] = { "OVERLAY_FSYNC=1", "OVERLAY_FSYNC=0", "OVERLAY_FSYNC=", NULL };
	const int want[] = { 1, 0, 0, 0 };
	for (int i = 0; i < 4; i++) {
		char err[512] = "";
		char *envp[] = { up, lo, (char *)good[i], NULL };
		ovl_config_reset();
		ovl_fsync = 7;
		cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), 1, "%s: %s",
			     good[i] ? good[i] : "unset", err);
		cr_assert_eq(ovl_fsync, want[i], "%s", good[i] ? good[i] : "unset");
	}
	const char *bad[] = { "OVERLAY_FSYNC=yes", "OVERLAY_FSYNC=2", "OVERLAY_FSYNC=true",
			      "OVERLAY_FSYNC= 1", "OVERLAY_FSYNC=10", "OVERLAY_FSYNC=on" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char err[512] = "";
		char *envp[] = { up, lo, (char *)bad[i], NULL };
		ovl_config_reset();
		cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), -1, "%s was accepted", bad[i]);
		cr_assert(strstr(err, "OVERLAY_FSYNC"), "%s: message '%s'", bad[i], err);
		cr_assert_eq(ovl_active(), 0);
	}
	ovl_fsync = 0;
	free(up);
	free(lo);
}

/* The first group's upper lies in the second group's lower: refused before
 * anything is written there (every process creates the change counters
 * file in each upper, which must wait until every group is checked). */
CONFIG(from_env_refused_groups_write_nothing)
{
	char err[512] = "";
	mkdirs(RP("lowerB/sub"));
	mkdirs(RP("mntB"));
	mkdirs(RP("upperB"));
	char *up = envs("OVERLAY_UPPER", RP("lowerB/sub"), NULL);
	char *lo = envs("OVERLAY_LOWER", T.lower1, NULL);
	char *mt = envs("OVERLAY_MOUNT", T.mnt, NULL);
	char *more = NULL;
	cr_assert(asprintf(&more, "OVERLAY_MOUNTS=%s:%s:%s", RP("mntB"), RP("upperB"),
			   RP("lowerB")) > 0);
	char *envp[] = { up, lo, mt, more, NULL };
	cr_assert_eq(ovl_config_from_env(envp, err, sizeof err), -1, "accepted");
	cr_assert(strstr(err, "inside"), "%s", err);
	char *names = tree_names(RP("lowerB"));
	cr_assert_str_eq(names, "sub", "the refused configuration wrote into a lower: %s", names);
	free(names);
	names = tree_names(RP("upperB"));
	cr_assert_str_eq(names, "", "the refused configuration wrote into an upper: %s", names);
	free(names);
	free(up);
	free(lo);
	free(mt);
	free(more);
}

/* A lower named through a symlink (in place): the kernel follows the link
 * into a mount on the canonical directory, so the spelling is the mount's
 * alias.  Without keep_alias, ovl_outside said such paths pass through
 * untouched, and reads through them saw the lower, not the view. */
CONFIG(mount_spelled_through_a_symlink_is_an_alias)
{
	char err[512], alias[PATH_MAX], buf[2 * PATH_MAX];
	snprintf(alias, sizeof alias, "%s", RP("alias"));
	make_symlink(T.lower1, alias);
	write_file(L1("f"), "lower");
	write_file(UP("f"), "upper");
	cr_assert_eq(add(NULL, T.upper, alias, NULL, err, sizeof err), 0, "%s", err);
	const struct ovl_mount *m = ovl_mount_at(0);
	cr_assert_str_eq(m->point, T.lower1);
	cr_assert_str_eq(m->alias, alias);
	cr_assert(m->alias_link);

	snprintf(buf, sizeof buf, "%s/f", alias);
	cr_assert_eq(ovl_outside(buf), 0, "a path through the alias is not outside");
	cr_assert_eq(ovl_unalias(buf, sizeof buf, 0), 0);
	cr_assert_str_eq(buf, L1("f"));
	struct ovl_res r;
	snprintf(buf, sizeof buf, "%s/./f", alias);
	cr_assert_eq(ovl_resolve(AT_FDCWD, buf, 0, &r), 0);
	cr_assert_eq(r.m, m);
	cr_assert_eq(r.layer, 0, "the upper's f, as the kernel's mount shows it");

	/* the link itself, unless followed (a trailing '/') */
	snprintf(buf, sizeof buf, "%s", alias);
	cr_assert_eq(ovl_unalias(buf, sizeof buf, 1), 0);
	cr_assert_str_eq(buf, alias);
	cr_assert_eq(ovl_unalias(buf, sizeof buf, 0), 0);
	cr_assert_str_eq(buf, T.lower1);
	snprintf(buf, sizeof buf, "%s/", alias);
	cr_assert_eq(ovl_unalias(buf, sizeof buf, 1), 0);
	cr_assert_eq(strncmp(buf, T.lower1, strlen(T.lower1)), 0);
	cr_assert_str_eq(buf + strlen(T.lower1), "/");
	/* a longer name is not the alias */
	snprintf(buf, sizeof buf, "%sX/f", alias);
	cr_assert_eq(ovl_unalias(buf, sizeof buf, 0), 0);
	cr_assert(strncmp(buf, alias, strlen(alias)) == 0);
	ovl_config_reset();
}

/* No alias for the canonical spelling, nor for one with "..", which the
 * kernel walks from a link's target, not lexically. */
CONFIG(canonical_or_dotdot_spelling_keeps_no_alias)
{
	char err[512], spelled[3 * PATH_MAX];
	cr_assert_eq(add(NULL, T.upper, T.lower1, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_null(ovl_mount_at(0)->alias);
	ovl_config_reset();
	snprintf(spelled, sizeof spelled, "%s//", T.lower1);
	cr_assert_eq(add(NULL, T.upper, spelled, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_null(ovl_mount_at(0)->alias);
	ovl_config_reset();
	snprintf(spelled, sizeof spelled, "%s/../%s", T.mnt, strrchr(T.lower1, '/') + 1);
	cr_assert_eq(add(NULL, T.upper, spelled, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(ovl_mount_at(0)->point, T.lower1);
	cr_assert_null(ovl_mount_at(0)->alias);
	ovl_config_reset();
}
