# Identity (issue "Identity"): a copied-up file keeps its lower origin's
# inode number, as on the kernel's overlayfs with all layers on one file
# system.  Programs compare st_ino across a copy-up: vim refuses to save
# when the descriptor it opened for writing is another inode than the file
# it stat'ed; git clone -l checks that a hard link has its source's inode.
# shellcheck shell=bash disable=SC2016,SC2034

test_identity_vim_and_ex_save_lower_files() {
	command -v vim >/dev/null || skip "vim is not installed"
	put "$L/a.txt" "aaa" "bab"
	put "$L/b.txt" "one" "two"
	kernel_compare 'vim -u NONE -i NONE -es -c "%s/a/b/g" -c wq a.txt; echo "vim $?";
		ex -u NONE -i NONE -s -c "%s/o/0/g" -c wq b.txt; echo "ex $?"; cat a.txt b.txt'
}

test_identity_git_clone_of_a_local_repository() {
	command -v git >/dev/null || skip "git is not installed"
	mkdir -p "$L/repo"
	git -C "$L/repo" init -q
	put "$L/repo/f" one
	git -C "$L/repo" -c user.name=t -c user.email=t@t add f
	git -C "$L/repo" -c user.name=t -c user.email=t@t commit -qm one
	kernel_compare 'git clone -q repo clone 2>&1; echo "clone $?"; git -C clone fsck 2>&1 | grep -v "^Checking"; echo "fsck $?"; cat clone/f
		rm -rf clone/.git # it holds the paths, times and inode numbers of each side'
}

# stat, fstat and statx agree on st_ino before and after copy-up, rename
# and link, in one process and in the next one.
test_identity_inode_numbers_survive_copy_up() {
	put "$L/f" one
	put "$L/d/g" two
	kernel_compare 'python3 -c "
import os
a = os.stat(\"f\").st_ino
fd = os.open(\"f\", os.O_WRONLY | os.O_APPEND); os.write(fd, b\"x\")
b, c = os.stat(\"f\").st_ino, os.fstat(fd).st_ino
os.rename(\"f\", \"f2\"); d = os.stat(\"f2\").st_ino
os.link(\"d/g\", \"g2\"); e, e2 = os.stat(\"d/g\").st_ino, os.stat(\"g2\").st_ino
print(a == b == c == d, e == e2, os.stat(\"g2\").st_nlink)
open(\"ino\", \"w\").write(\"%d\" % a)
" && python3 -c "import os; print(os.stat(\"f2\").st_ino == int(open(\"ino\").read()))" && rm ino'
}

# The record of a copy-up's origin is the library's own: cp -a of a
# copied-up file makes a file with an inode number of its own, and the
# record shows in no listing of attributes.
test_identity_record_is_hidden() {
	command -v getfattr >/dev/null || skip "getfattr (attr) is not installed"
	put "$L/f" one
	kernel_compare 'echo two >> f && cp -a f g && python3 -c "
import os; print(os.stat(\"f\").st_ino != os.stat(\"g\").st_ino, [x for x in os.listxattr(\"f\") if \"overlay\" in x])
" && getfattr -d -m - f g 2>&1 | grep -c overlay'
}
