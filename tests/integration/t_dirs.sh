# Directories: mkdir, rmdir, rm -rf, mv, opaque directories, whiteouts in a
# lower, the virtual cwd, a mount point of its own.
# shellcheck shell=bash disable=SC2016,SC2034

test_mkdir() {
	mkdir -p "$L/d/old"
	chmod 750 "$L/d"
	put "$L/f" eff
	freeze "$L"
	ovl sh -c 'mkdir new; mkdir -p a/b/c; mkdir d/sub; mkdir d 2>&1; mkdir f 2>&1; ls -A . d'
	expect_rc 0
	expect_out "mkdir: cannot create directory 'd': File exists" \
		"mkdir: cannot create directory 'f': File exists" \
		.: a d f new "" d: old sub
	expect_tree "$U" "new d" "a d" "a/b d" "a/b/c d" "d d" "d/sub d"
	expect_eq "mode of the copied-up parent" 750 "$(stat -c %a "$U/d")"
	# A .wh. name is reserved.
	ovl mkdir .wh.x
	[[ $RC != 0 ]] || fail "mkdir .wh.x succeeded"
	expect_err_has "Invalid argument"
	expect_missing "$U/.wh.x"
}

test_rmdir() {
	put "$L/full/x" x
	mkdir "$L/empty" "$L/empty2"
	freeze "$L"
	ovl rmdir full
	expect_rc 1
	expect_err_has "Directory not empty"
	expect_tree "$U"
	ovl sh -c 'rmdir empty && ls -A'
	expect_rc 0
	expect_out empty2 full
	expect_tree "$U" ".wh.empty f"
	# Empty once its lower contents are deleted.
	ovl sh -c 'rm full/x; rmdir full empty2 && ls -A'
	expect_rc 0
	expect_err_empty
	expect_out ""
	expect_tree "$U" ".wh.empty f" ".wh.empty2 f" ".wh.full f"
}

test_rm_rf_merged_tree() {
	put "$L/t/a" a
	put "$L/t/b/c" c
	put "$L/t/b/d/e" e
	put "$L/keep" keep
	freeze "$L"
	ovl sh -c 'echo new > t/b/new; mkdir t/up; echo more >> t/a'
	expect_rc 0
	ovl sh -c 'rm -rf t; ls -A; ls t 2>&1 >/dev/null | wc -l; test -e t/b/c || echo no-child'
	expect_rc 0
	expect_err_empty
	expect_out keep 1 no-child
	expect_tree "$U" ".wh.t f"
}

test_mv_lower_dir() {
	put "$L/dir/x" ex
	put "$L/dir/sub/y" why
	ln -s x "$L/dir/lnk"
	put "$L/keep" keep
	freeze "$L"
	ovl sh -c 'mv dir moved && ls -A && find moved | sort && cat moved/x moved/sub/y && readlink moved/lnk'
	expect_rc 0
	expect_err_empty
	expect_out keep moved moved moved/lnk moved/sub moved/sub/y moved/x ex why x
	expect_tree "$U" ".wh.dir f" "moved d" "moved/x f" "moved/sub d" "moved/sub/y f" "moved/lnk l"
	# A directory that exists only in the upper moves with a plain rename.
	ovl sh -c 'mkdir -p fresh/in && echo z > fresh/in/z && mv fresh renamed && cat renamed/in/z'
	expect_rc 0
	expect_out z
	expect_missing "$U/fresh"
	expect_file "$U/renamed/in/z" z
}

# Deleting a lower directory and making it again must not bring its old
# contents back: the new directory is opaque.
test_mkdir_over_deleted_dir_is_opaque() {
	put "$L/d/old1" 1
	put "$L/d/sub/old2" 2
	put "$L/e/olde" 1
	freeze "$L"
	ovl sh -c 'rm -rf d && mkdir d && ls -A d && echo -- && echo new > d/new && ls -A d'
	expect_rc 0
	expect_err_empty
	expect_out -- new
	expect_tree "$U" "d d" "d/.wh..wh..opq f" "d/new f"
	ovl sh -c 'ls -A d; test -e d/sub/old2 || echo gone'
	expect_out new gone
	# Renaming a directory onto a deleted name makes it opaque too.
	ovl sh -c 'rm -r e && mkdir -p f2/in && mv f2 e && ls -A e'
	expect_rc 0
	expect_out in
}

# Whiteouts and opaque markers inside a lower hide what the layers below
# hold (a stack of extracted OCI layers).
test_whiteouts_in_lower() {
	put "$L2/gone" gone
	put "$L2/gonedir/child" child
	put "$L2/keep" keep
	put "$L2/d/old1" 1
	put "$L2/d/old2" 2
	put "$L2/sub/x" x
	: >"$L/.wh.gone"
	: >"$L/.wh.gonedir"
	put "$L/d/new" new
	: >"$L/d/.wh..wh..opq"
	put "$L/sub/y" y
	freeze "$L" "$L2"
	run_ovl -C "$L" --upper "$U" --lower "$L" --lower "$L2" -- sh -c 'ls -A; echo --; ls -A d; echo --; ls -A sub
		test -e gone || echo no-gone; test -e gonedir/child || echo no-child; cat sub/x'
	expect_rc 0
	expect_err_empty
	expect_out d keep sub -- new -- x y no-gone no-child x
	expect_tree "$U"
	# Making the name again shows only the new one.
	run_ovl -C "$L" --upper "$U" --lower "$L" --lower "$L2" -- sh -c 'echo again > gone; mkdir gonedir; ls -A . gonedir; cat gone'
	expect_rc 0
	expect_out .: d gone gonedir keep sub "" gonedir: again
}

# The cwd is virtual: inside the mount, getcwd names the mount's path even
# in a directory that exists only in the upper.
test_cwd_is_virtual() {
	put "$L/d/f" f
	freeze "$L"
	ovl sh -c 'mkdir -p newd/in && cd newd/in && /bin/pwd -P && cd ../../d && /bin/pwd -P && cat f && cd .. && ls -d newd'
	expect_rc 0
	expect_err_empty
	expect_out "$L/newd/in" "$L/d" f newd
	expect_tree "$U" "newd d" "newd/in d"
}

# fchdir into a merged directory: relative names, listings and getcwd are
# those of the merged view.
test_fchdir_into_merged_dir() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	put "$L/m/low" low
	freeze "$L"
	ovl sh -c 'echo up > m/up && mkdir m/new'
	expect_rc 0
	ovl python3 -c 'import os
fd = os.open("m", os.O_RDONLY | os.O_DIRECTORY)
os.fchdir(fd)
print(os.getcwd())
print(" ".join(sorted(os.listdir("."))))
print(open("low").read().strip(), open("up").read().strip())
os.chdir("new")
print(os.getcwd())
os.chdir("..")
print(" ".join(sorted(os.listdir("."))))'
	expect_rc 0
	expect_err_empty
	expect_out "$L/m" "low new up" "low up" "$L/m/new" "low new up"
	expect_tree "$U" "m d" "m/up f" "m/new d"
}

# --mount at a separate directory: its own contents are hidden, the merged
# tree appears there, writes land in the upper, and the mount point, like
# the lower, stays unchanged.
test_separate_mount_point() {
	put "$L/f" eff
	put "$L/d/g" gee
	mkdir "$M"
	put "$M/hidden" hidden
	freeze "$L" "$M"
	run_ovl -C "$M" --upper "$U" --lower "$L" --mount "$M" -- sh -c "ls -A; cat f; echo x >> f; echo n > $M/d/new
		cd d && /bin/pwd -P; ls -A $M/d; test -e $M/hidden || echo no-hidden"
	expect_rc 0
	expect_err_empty
	expect_out d f eff "$M/d" g new no-hidden
	expect_tree "$U" "f f" "d d" "d/new f"
	expect_file "$U/f" eff x
	# An empty mount point, named by a relative path.
	mkdir "$T/empty"
	freeze "$T/empty"
	run_ovl -C "$T" --upper "$U" --lower "$L" --mount empty -- sh -c 'cd empty && ls -A && cat f d/new'
	expect_rc 0
	expect_out d f eff x n
}
