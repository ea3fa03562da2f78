# The same scenarios on liboverlay and on the kernel's overlayfs (mounted on
# copies of the same lowers): what the programs print, their status, and the
# merged tree left behind must be identical.  Skipped where the kernel's
# overlayfs cannot be mounted (not root, no overlay support, nested mounts).
# shellcheck shell=bash disable=SC2016,SC2034

test_kernel_issue_scenario() {
	put "$L/f" eff
	put "$L/g" gee
	put "$L/a" ay
	put "$L/keep" keep
	kernel_compare 'echo x >> f; rm g; mkdir d; mv a b; ls'
}

test_kernel_tree_changes() {
	put "$L/t/a" a
	put "$L/t/b/c" c
	put "$L/t/b/d/e" e
	put "$L/dir/x" x
	put "$L/dir/sub/y" y
	put "$L/f" eff
	put "$L/full/x" x
	mkdir "$L/empty"
	ln -s dir/x "$L/lnk"
	chmod 700 "$L/dir/sub"
	kernel_compare 'rm -rf t; mv dir moved; rmdir full; rmdir empty; echo y >> f
		mkdir -p new/deep; mv f new/deep/g; cat lnk; ls -AR; echo; ls -l lnk | cut -c1-10'
}

test_kernel_opaque_dir() {
	put "$L/d/old1" 1
	put "$L/d/sub/old2" 2
	put "$L/e/olde" e
	kernel_compare 'rm -rf d; mkdir d; ls -A d; echo n > d/n; rm -r e; mkdir -p x/in; mv x e; ls -AR'
}

test_kernel_whiteouts_in_lower() {
	put "$L2/gone" gone
	put "$L2/gonedir/child" child
	put "$L2/keep" keep
	put "$L2/d/old1" 1
	put "$L2/sub/x" x
	: >"$L/.wh.gone"
	: >"$L/.wh.gonedir"
	put "$L/d/new" new
	: >"$L/d/.wh..wh..opq"
	put "$L/sub/y" y
	kernel_compare 'ls -AR; cat sub/x; echo again > gone; mkdir gonedir; rm sub/x; ls -AR' "$L2"
}

test_kernel_symlinks() {
	put "$L/common/include/conf.h" '#define V 1'
	mkdir "$L/proj"
	ln -s ../common/include "$L/proj/inc"
	ln -s /nonexistent "$L/dangling"
	kernel_compare 'echo "#define V 2" > common/include/conf.h; cat proj/inc/conf.h
		echo w > proj/inc/extra.h; ls -AR; readlink dangling; rm dangling; ln -s proj/inc newlink; ls newlink/'
}

test_kernel_errors() {
	put "$L/full/x" x
	put "$L/f" eff
	mkdir "$L/dir"
	kernel_compare 'rmdir full; echo $?; mkdir f; echo $?; mkdir dir; echo $?; cat nothing; echo $?
		rm dir; echo $?; rmdir f; echo $?; rmdir dir; mkdir full/sub; rm -r full; echo $?; ls -A'
}
