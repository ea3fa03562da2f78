# Files: reading, copy-up, whiteouts, rename, merged listings, stat/find.
# shellcheck shell=bash disable=SC2016,SC2034

test_append_copies_up() {
	put "$L/f" one
	put "$L/d/g" gee
	chmod 640 "$L/f"
	freeze "$L"
	ovl sh -c 'echo two >> f; cat f; echo more >> d/g'
	expect_rc 0
	expect_err_empty
	expect_out one two
	expect_tree "$U" "f f" "d d" "d/g f"
	expect_file "$U/f" one two
	expect_file "$U/d/g" gee more
	expect_eq "mode kept by copy-up" 640 "$(stat -c %a "$U/f")"
	# A later process sees the upper's copy.
	ovl cat f d/g
	expect_out one two gee more
}

test_read_only_access_writes_nothing() {
	put "$L/f" one
	put "$L/d/g" gee
	ln -s f "$L/link"
	freeze "$L"
	ovl sh -c 'cat f d/g link; test -w f && echo writable; readlink link; ls -l f >/dev/null; stat d/g >/dev/null; wc -l < f'
	expect_rc 0
	expect_out one gee one writable f 1
	expect_tree "$U"
}

test_create_and_overwrite() {
	put "$L/f" one
	put "$L/keep" keep
	freeze "$L"
	ovl sh -c 'echo replaced > f; echo new > n; mkdir -p a/b; echo deep > a/b/c; cat f n a/b/c keep'
	expect_rc 0
	expect_err_empty
	expect_out replaced new deep keep
	expect_tree "$U" "f f" "n f" "a d" "a/b d" "a/b/c f"
	expect_file "$U/f" replaced
}

test_ls_merged_dir() {
	put "$L/a" lower-a
	put "$L/b" lower-b
	put "$L/c" lower-c
	put "$L/d/x" x
	ln -s a "$L/e"
	# The upper as a previous run left it: b replaced, c deleted, n added,
	# d merged, and a whiteout of a name no lower has.
	put "$U/b" upper-b
	: >"$U/.wh.c"
	put "$U/n" new
	put "$U/d/y" y
	: >"$U/.wh.zz"
	freeze "$L"
	freeze_upper "$U"
	ovl sh -c 'ls -a; echo --; ls -aF; echo --; ls -a d; echo --; cat b; ls c 2>/dev/null || echo no-c; ls .wh.c 2>/dev/null || echo no-wh'
	expect_rc 0
	expect_out . .. a b d e n -- ./ ../ a b d/ e@ n -- . .. x y -- upper-b no-c no-wh
	# find sees the same names and types.
	ovl find . -mindepth 1 -printf '%p %y\n'
	expect_rc 0
	expect_eq "find" "$(printf '%s\n' "./a f" "./b f" "./d d" "./d/x f" "./d/y f" "./e l" "./n f")" \
		"$(sort <<<"$OUT")"
}

test_rm_makes_whiteouts() {
	put "$L/g" gee
	put "$L/h" aitch
	put "$L/k" kay
	put "$L/d/x" x
	freeze "$L"
	# g: lower only; h: copied up first; n: upper only; d/x: in a lower dir.
	ovl sh -c 'echo more >> h; echo new > n; rm g h n d/x; ls -A; ls -A d; cat g 2>&1 >/dev/null | wc -l'
	expect_rc 0
	expect_out d k 1
	expect_tree "$U" ".wh.g f" ".wh.h f" "d d" "d/.wh.x f"
	# and it stays deleted for the next process.
	ovl ls -A . d
	expect_out .: d k "" d:
}

test_mv_lower_file() {
	put "$L/a" lower-a
	put "$L/c" lower-c
	put "$L/k" kay
	mkdir "$L/d"
	freeze "$L"
	ovl sh -c 'mv a b; mv k c; mv b d/b2; ls -A . d; cat c d/b2'
	expect_rc 0
	expect_err_empty
	expect_out .: c d "" d: b2 kay lower-a
	expect_tree "$U" ".wh.a f" ".wh.k f" "c f" "d d" "d/b2 f"
	expect_file "$U/c" kay
	expect_file "$U/d/b2" lower-a
}

# stat(p) and what open(p) returns agree, so find's checks and its descent
# through merged directories (st_nlink 1) work.
test_stat_and_find_agree() {
	put "$L/m/sub1/f" 1
	put "$L/m/sub2/deep/f" 2
	put "$L/top" t
	freeze "$L"
	ovl sh -c 'echo n > m/new; mkdir m/sub3; echo x >> m/sub1/f'
	expect_rc 0
	ovl sh -c 'find . -printf "%p %i %y\n" | sort > "$1/a"
		find . -exec stat -c "%n %i %F" {} + | sed "s/ regular file$/ f/; s/ directory$/ d/" | sort > "$1/b"
		cmp "$1/a" "$1/b" && echo same
		find . -type f | sort; stat -c %h m' sh "$T"
	expect_rc 0
	expect_err_empty
	expect_out same ./m/new ./m/sub1/f ./m/sub2/deep/f ./top 1
	expect_tree "$U" "m d" "m/new f" "m/sub3 d" "m/sub1 d" "m/sub1/f f"
	# du and ls -R walk the same merged tree.
	ovl ls -R m
	expect_out m: new sub1 sub2 sub3 "" m/sub1: f "" m/sub2: deep "" m/sub2/deep: f "" m/sub3:
}

# A symlink in the lower is resolved in the virtual namespace: it reaches
# the upper's edited copy of its target.
test_symlink_resolved_virtually() {
	put "$L/common/include/conf.h" '#define V 1'
	mkdir "$L/proj"
	ln -s ../common/include "$L/proj/inc"
	freeze "$L"
	ovl sh -c 'echo "#define V 2" > common/include/conf.h; cat proj/inc/conf.h; readlink proj/inc
		echo "#define W 3" > proj/inc/extra.h; ls common/include'
	expect_rc 0
	expect_err_empty
	expect_out '#define V 2' ../common/include conf.h extra.h
	expect_tree "$U" "common d" "common/include d" "common/include/conf.h f" "common/include/extra.h f"
	# The compiler follows it too.
	put "$T/main.c" '#include "conf.h"' '#include "extra.h"' \
		'#include <stdio.h>' 'int main(void) { printf("%d\n", V + W); return 0; }'
	ovl sh -c "cc -Iproj/inc -o $T/prog $T/main.c && $T/prog"
	expect_rc 0
	expect_out 5
}

# Changing metadata copies up first; the lower keeps its own.
test_metadata_changes_copy_up() {
	put "$L/f" eff
	put "$L/g" gee
	put "$L/h" aitch
	chmod 644 "$L/f"
	freeze "$L"
	ovl sh -c 'chmod 600 f; touch -m -d @1000000000 g; truncate -s 2 h; stat -c "%n %a %s" f h; stat -c %Y g'
	expect_rc 0
	expect_err_empty
	expect_out "f 600 4" "h 644 2" 1000000000
	expect_tree "$U" "f f" "g f" "h f"
	expect_eq "mode in the upper" 600 "$(stat -c %a "$U/f")"
	expect_eq "mtime in the upper" 1000000000 "$(stat -c %Y "$U/g")"
	expect_file "$U/f" eff
	expect_file "$U/g" gee
}

# link copies the source up, then links inside the upper.
test_hard_link() {
	put "$L/f" eff
	freeze "$L"
	ovl sh -c 'ln f f2 && echo more >> f2 && cat f && stat -c %h f2'
	expect_rc 0
	expect_err_empty
	expect_out eff more 2
	expect_tree "$U" "f f" "f2 f"
	expect_eq "f and f2 are one file" "$(stat -c %i "$U/f")" "$(stat -c %i "$U/f2")"
}

# A descriptor opened read-only before a copy-up keeps reading the lower
# copy (documented; the kernel before 4.19 did the same).
test_readonly_fd_before_copy_up() {
	put "$L/f" one
	freeze "$L"
	ovl sh -c 'exec 3< f; echo two >> f; echo "old fd:"; cat <&3; echo "new open:"; cat f'
	expect_rc 0
	expect_err_empty
	expect_out "old fd:" one "new open:" one two
	expect_file "$U/f" one two
}

# sed -i writes a temporary next to the file (mkstemp) and renames it over.
test_sed_in_place() {
	put "$L/f" one
	put "$L/d/g" gee
	freeze "$L"
	ovl sh -c 'sed -i s/one/two/ f && sed -i s/gee/jee/ d/g && cat f d/g && ls -A . d'
	expect_rc 0
	expect_err_empty
	expect_out two jee .: d f "" d: g
	expect_tree "$U" "f f" "d d" "d/g f"
	expect_file "$U/f" two
}

# The Done-when scenario of issue 2.
test_issue_scenario() {
	put "$L/f" eff
	put "$L/g" gee
	put "$L/a" ay
	put "$L/keep" keep
	freeze "$L"
	run_ovl -C "$L" --upper "$U" --lower "$L" -- sh -c 'echo x >> f; rm g; mkdir d; mv a b; ls'
	expect_rc 0
	expect_err_empty
	expect_out b d f keep
	expect_tree "$U" "f f" ".wh.g f" "d d" "b f" ".wh.a f"
	expect_file "$U/f" eff x
	expect_file "$U/b" ay
	ovl sh -c 'ls -A; cat f b'
	expect_out b d f keep eff x ay
}
