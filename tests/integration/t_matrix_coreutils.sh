# The matrix, coreutils (with find, tar, sed): each scenario runs on
# liboverlay and on the kernel's overlayfs over copies of the same layers
# (matrix_layers in lib.sh: two lowers, a pre-populated upper, whiteouts and
# opaque directories), and must give the same output, status and merged
# tree, with the lowers unchanged (matrix_run in lib.sh).  find, du, rm -v
# and cp -v print in directory order, which is not the kernel's: their
# output is sorted.
# shellcheck shell=bash disable=SC2016,SC2034

# A tree outside the overlay, for copies and archives into the mount.
ext_tree() {
	put "$EXT/pkg/f1" "f1 from ext"
	put "$EXT/pkg/sub/f2" "f2 from ext"
	put "$EXT/pkg/both.txt" "both from ext"
	ln -s f1 "$EXT/pkg/lf1"
	chmod 600 "$EXT/pkg/f1"
}

test_matrix_layers_view() {
	matrix_layers
	matrix_run 'ls -AR; cat tree/* shared/* link dirlink/*; readlink dangling; cat tree/gone.txt tree/gonedir/x
		cat tree/old/stale.txt opq/stale.txt; ls -A tree/old opq' <<'EOF'
.:
base.txt
bin
dangling
dirlink
empty2
link
opq
shared
tree

./bin:
tool.sh

./empty2:

./opq:
fresh.txt

./shared:
both.txt
only1.txt
upd.txt

./tree:
a.txt
b.txt
c.txt
empty1
old
sub

./tree/empty1:

./tree/old:
new.txt

./tree/sub:
deep.txt
mid.txt
up.txt
a from lower2
b from lower1
c from upper
cat: tree/empty1: Is a directory
cat: tree/old: Is a directory
cat: tree/sub: Is a directory
both from lower1
only1 from lower1
upd from upper
a from lower2
deep from lower2
mid from lower1
up from upper
nowhere
cat: tree/gone.txt: No such file or directory
cat: tree/gonedir/x: No such file or directory
cat: tree/old/stale.txt: No such file or directory
cat: opq/stale.txt: No such file or directory
opq:
fresh.txt

tree/old:
new.txt
EOF
}

test_matrix_cp_a() {
	matrix_layers
	matrix_run 'cp -a tree tree2 && cp -a link link2 && cp -a dangling dangling2 && cp -a shared/both.txt shared/both.copy
		cp -a bin/tool.sh tree/sub/ && cp -a opq tree/opq && cp -a empty2 empty3
		ls -AR tree2 tree/opq; readlink link2 dangling2; cat shared/both.copy tree/sub/tool.sh
		find tree2 empty3 shared/both.copy tree/sub/tool.sh -printf "%p %y %m %T@\n" | sort
		cp -a tree/a.txt tree/b.txt; cat tree/b.txt; cp -a tree/empty1 tree/empty1/x; echo "cp into itself: $?"' <<'EOF'
tree/opq:
fresh.txt

tree2:
a.txt
b.txt
c.txt
empty1
old
sub

tree2/empty1:

tree2/old:
new.txt

tree2/sub:
deep.txt
mid.txt
up.txt
tree/a.txt
nowhere
both from lower1
#!/bin/sh
echo "tool $*"
empty3 d 750 1600000000.0000000000
shared/both.copy f 644 1600000000.0000000000
tree/sub/tool.sh f 755 1600000000.0000000000
tree2 d 755 1600000000.0000000000
tree2/a.txt f 644 1600000000.0000000000
tree2/b.txt f 644 1600000000.0000000000
tree2/c.txt f 644 1600000000.0000000000
tree2/empty1 d 755 1600000000.0000000000
tree2/old d 755 1600000000.0000000000
tree2/old/new.txt f 644 1600000000.0000000000
tree2/sub d 755 1600000000.0000000000
tree2/sub/deep.txt f 644 1600000000.0000000000
tree2/sub/mid.txt f 644 1600000000.0000000000
tree2/sub/up.txt f 644 1600000000.0000000000
a from lower2
cp: cannot copy a directory, 'tree/empty1', into itself, 'tree/empty1/x'
cp into itself: 1
EOF
}

test_matrix_cp_r_in_and_out() {
	matrix_layers
	ext_tree
	matrix_run 'cp -r "$EXT/pkg" tree/ && cp -r "$EXT/pkg/." shared/ && cp -rv "$EXT/pkg" newpkg | sort
		cp -r tree "$X/out" && cp -r dirlink "$X/dl" && cp -rL dirlink "$X/dlL" && cp link shared/both.txt "$X/"
		cp -r shared "$X/out/" && cp -r tree/gonedir "$X/" ; echo "gonedir: $?"
		ls -AR tree shared newpkg; cat shared/both.txt
		cd "$X" && ls -AR && readlink dl && cat link both.txt out/shared/only1.txt' <<'EOF'
'@T@/ext/pkg' -> 'newpkg'
'@T@/ext/pkg/both.txt' -> 'newpkg/both.txt'
'@T@/ext/pkg/f1' -> 'newpkg/f1'
'@T@/ext/pkg/lf1' -> 'newpkg/lf1'
'@T@/ext/pkg/sub' -> 'newpkg/sub'
'@T@/ext/pkg/sub/f2' -> 'newpkg/sub/f2'
cp: cannot stat 'tree/gonedir': No such file or directory
gonedir: 1
newpkg:
both.txt
f1
lf1
sub

newpkg/sub:
f2

shared:
both.txt
f1
lf1
only1.txt
sub
upd.txt

shared/sub:
f2

tree:
a.txt
b.txt
c.txt
empty1
old
pkg
sub

tree/empty1:

tree/old:
new.txt

tree/pkg:
both.txt
f1
lf1
sub

tree/pkg/sub:
f2

tree/sub:
deep.txt
mid.txt
up.txt
both from ext
.:
both.txt
dl
dlL
link
out

./dlL:
deep.txt
mid.txt
up.txt

./out:
a.txt
b.txt
c.txt
empty1
old
pkg
shared
sub

./out/empty1:

./out/old:
new.txt

./out/pkg:
both.txt
f1
lf1
sub

./out/pkg/sub:
f2

./out/shared:
both.txt
f1
lf1
only1.txt
sub
upd.txt

./out/shared/sub:
f2

./out/sub:
deep.txt
mid.txt
up.txt
tree/sub
a from lower2
both from ext
only1 from lower1
EOF
}

test_matrix_mv() {
	matrix_layers
	MATRIX_RC=1 # the last cat
	matrix_run 'mv -v tree/a.txt tree/a.moved; mv -v shared/upd.txt upd.txt; mv -v base.txt tree/sub/
		mv tree/sub subdir; echo "merged dir: $?"; mv opq opq2; echo "opaque dir: $?"
		mv empty2 tree/e2; echo "lower2 dir: $?"; mkdir newdir && mv -v newdir tree/newdir
		mv -v link tree/link; mv bin/tool.sh "$X/tool.sh"; echo "out: $?"; mv tree/gone.txt x; echo "gone: $?"
		mv shared/both.txt shared/only1.txt; mv -T tree/empty1 subdir/empty1; echo "onto: $?"
		ls -AR; cat subdir/base.txt shared/only1.txt tree/link "$X/tool.sh"' <<'EOF'
renamed 'tree/a.txt' -> 'tree/a.moved'
renamed 'shared/upd.txt' -> 'upd.txt'
renamed 'base.txt' -> 'tree/sub/base.txt'
merged dir: 0
opaque dir: 0
lower2 dir: 0
renamed 'newdir' -> 'tree/newdir'
renamed 'link' -> 'tree/link'
out: 0
mv: cannot stat 'tree/gone.txt': No such file or directory
gone: 1
onto: 0
.:
bin
dangling
dirlink
opq2
shared
subdir
tree
upd.txt

./bin:

./opq2:
fresh.txt

./shared:
only1.txt

./subdir:
base.txt
deep.txt
empty1
mid.txt
up.txt

./subdir/empty1:

./tree:
a.moved
b.txt
c.txt
e2
link
newdir
old

./tree/e2:

./tree/newdir:

./tree/old:
new.txt
base from lower2
second line
both from lower1
cat: tree/link: No such file or directory
#!/bin/sh
echo "tool $*"
EOF
}

test_matrix_rm_rf() {
	matrix_layers
	matrix_run 'rm -rfv tree | sort; ls -A; rm -rf shared/both.txt dirlink; rm -rf opq; mkdir tree
		echo "-- tree:"; ls -A tree; rm -r empty2; rm -rf tree/nothing; rm -r nothing; echo "rm -r nothing: $?"
		rm -rf shared; ls -A; rm -rf ./*; echo "-- all gone:"; ls -A; mkdir shared; echo "-- shared:"; ls -A shared' <<'EOF'
removed 'tree/a.txt'
removed 'tree/b.txt'
removed 'tree/c.txt'
removed 'tree/old/new.txt'
removed 'tree/sub/deep.txt'
removed 'tree/sub/mid.txt'
removed 'tree/sub/up.txt'
removed directory 'tree'
removed directory 'tree/empty1'
removed directory 'tree/old'
removed directory 'tree/sub'
base.txt
bin
dangling
dirlink
empty2
link
opq
shared
-- tree:
rm: cannot remove 'nothing': No such file or directory
rm -r nothing: 1
base.txt
bin
dangling
link
tree
-- all gone:
-- shared:
EOF
}

test_matrix_ln() {
	matrix_layers
	matrix_run 'ln tree/a.txt hard && stat -c "%n %h %s" hard tree/a.txt; echo more >> hard; cat tree/a.txt
		ln shared/upd.txt shared/upd.hard; stat -c "%n %h" shared/upd.txt; ln tree/empty1 x; echo "dir: $?"
		ln tree/gone.txt h2; echo "gone: $?"; ln link hardlink; readlink hardlink; ln shared/only1.txt tree/sub/
		ln -s tree/sub s && ls s/; ln -s ../shared tree/sharedlink && cat tree/sharedlink/both.txt
		ln -sf tree/b.txt link && readlink link && cat link; ln -s x tree/gone.txt && readlink tree/gone.txt
		ln -sfn tree dirlink && ls dirlink; ln -s y link; echo "exists: $?"; ls -A . tree' <<'EOF'
hard 2 14
tree/a.txt 2 14
a from lower2
more
shared/upd.txt 2
ln: tree/empty1: hard link not allowed for directory
dir: 1
ln: failed to access 'tree/gone.txt': No such file or directory
gone: 1
tree/a.txt
deep.txt
mid.txt
only1.txt
up.txt
both from lower1
tree/b.txt
b from lower1
x
a.txt
b.txt
c.txt
empty1
gone.txt
old
sharedlink
sub
ln: failed to create symbolic link 'link': File exists
exists: 1
.:
base.txt
bin
dangling
dirlink
empty2
hard
hardlink
link
opq
s
shared
tree

tree:
a.txt
b.txt
c.txt
empty1
gone.txt
old
sharedlink
sub
EOF
}

test_matrix_touch() {
	matrix_layers
	matrix_run 'touch new.txt tree/new.txt tree/gone.txt; touch -d @1000000000 tree/a.txt shared/both.txt
		touch -m -d @1100000000 tree/sub; touch -h -d @1200000000 link; touch -c nonexistent; ls nonexistent
		touch -a -d @900000000 base.txt; touch -r tree/a.txt tree/c.txt; touch -d @1300000000 dirlink
		stat -c "%n %Y %X %s" tree/a.txt shared/both.txt tree/sub link base.txt tree/c.txt
		stat -c "%n %Y %s" tree/b.txt tree/sub/deep.txt
		stat -L -c "%n %Y" link dirlink; ls -A tree; cat tree/gone.txt' <<'EOF'
ls: cannot access 'nonexistent': No such file or directory
tree/a.txt 1000000000 1000000000 14
shared/both.txt 1000000000 1000000000 17
tree/sub 1300000000 1300000000 4096
link 1200000000 1200000000 10
base.txt 1600000000 900000000 29
tree/c.txt 1000000000 1000000000 13
tree/b.txt 1600000000 14
tree/sub/deep.txt 1600000000 17
link 1000000000
dirlink 1300000000
a.txt
b.txt
c.txt
empty1
gone.txt
new.txt
old
sub
EOF
}

test_matrix_chmod_R() {
	matrix_layers
	matrix_run 'chmod -R go-w,o-rx tree; chmod 700 shared; chmod 4755 bin/tool.sh; chmod 600 link
		chmod -R a+X empty2; chmod 000 tree/old/new.txt; chmod -v 644 tree/b.txt
		chmod -R u-w opq; chmod 755 nothing; echo "missing: $?"
		find . -path ./dirlink -prune -o -printf "%p %m\n" | sort' <<'EOF'
mode of 'tree/b.txt' changed from 0640 (rw-r-----) to 0644 (rw-r--r--)
chmod: cannot access 'nothing': No such file or directory
missing: 1
. 755
./base.txt 644
./bin 755
./bin/tool.sh 4755
./dangling 777
./empty2 751
./link 777
./opq 555
./opq/fresh.txt 444
./shared 700
./shared/both.txt 644
./shared/only1.txt 644
./shared/upd.txt 644
./tree 750
./tree/a.txt 600
./tree/b.txt 644
./tree/c.txt 640
./tree/empty1 750
./tree/old 750
./tree/old/new.txt 0
./tree/sub 750
./tree/sub/deep.txt 640
./tree/sub/mid.txt 640
./tree/sub/up.txt 640
EOF
}

test_matrix_chown() {
	matrix_layers
	matrix_run 'chown 1234:5678 tree/a.txt; chown -R 65534:65534 tree/sub; chown -h 42:43 link; chown :100 shared
		chmod 6755 bin/tool.sh; chown 7 bin/tool.sh; chown -R 1:1 dirlink; chown -v 0:0 tree/b.txt
		find . -printf "%p %U:%G %m\n" | sort' <<'EOF'
ownership of 'tree/b.txt' retained as root:root
. 0:0 755
./base.txt 0:0 644
./bin 0:0 755
./bin/tool.sh 7:0 755
./dangling 0:0 777
./dirlink 1:1 777
./empty2 0:0 750
./link 42:43 777
./opq 0:0 755
./opq/fresh.txt 0:0 644
./shared 0:100 755
./shared/both.txt 0:0 644
./shared/only1.txt 0:0 644
./shared/upd.txt 0:0 644
./tree 0:0 755
./tree/a.txt 1234:5678 644
./tree/b.txt 0:0 644
./tree/c.txt 0:0 644
./tree/empty1 0:0 755
./tree/old 0:0 755
./tree/old/new.txt 0:0 644
./tree/sub 65534:65534 755
./tree/sub/deep.txt 65534:65534 644
./tree/sub/mid.txt 65534:65534 644
./tree/sub/up.txt 65534:65534 644
EOF
}

test_matrix_mkdir_rmdir() {
	matrix_layers
	matrix_run 'mkdir -p tree/sub/n1/n2 shared/x/y new/a/b && mkdir -p tree && mkdir -m 700 priv
		mkdir tree/gonedir && ls -A tree/gonedir; mkdir tree/gone.txt && ls -A tree/gone.txt; mkdir tree; echo "exists: $?"
		rmdir tree/empty1 empty2; rmdir tree/old; echo "not empty: $?"; rm tree/old/new.txt; rmdir tree/old
		mkdir tree/old && ls -A tree/old; rmdir opq; echo "opaque: $?"; rmdir -p new/a/b; rmdir tree/sub; echo "merged: $?"
		rmdir link; echo "symlink: $?"; rmdir tree/gonedir; ls -A . tree shared' <<'EOF'
mkdir: cannot create directory 'tree': File exists
exists: 1
rmdir: failed to remove 'tree/old': Directory not empty
not empty: 1
rmdir: failed to remove 'opq': Directory not empty
opaque: 1
rmdir: failed to remove 'tree/sub': Directory not empty
merged: 1
rmdir: failed to remove 'link': Not a directory
symlink: 1
.:
base.txt
bin
dangling
dirlink
link
opq
priv
shared
tree

shared:
both.txt
only1.txt
upd.txt
x

tree:
a.txt
b.txt
c.txt
gone.txt
old
sub
EOF
}

test_matrix_find() {
	matrix_layers
	matrix_run 'find . -name "*.txt" | sort; find . -type l | sort; find . -type d -empty | sort
		find -L . -name deep.txt | sort; find . -maxdepth 1 -printf "%f %y\n" | sort
		touch -d @1650000000 ref; touch -d @1700000000 tree/b.txt shared/only1.txt; echo new > tree/sub/new.txt
		find . -newer ref | sort; find . ! -newer ref -type f | sort
		find tree -name "*.txt" -delete; find . -depth -name "only*" -delete; find . -empty -delete
		echo after; find . | sort' <<'EOF'
./base.txt
./opq/fresh.txt
./shared/both.txt
./shared/only1.txt
./shared/upd.txt
./tree/a.txt
./tree/b.txt
./tree/c.txt
./tree/old/new.txt
./tree/sub/deep.txt
./tree/sub/mid.txt
./tree/sub/up.txt
./dangling
./dirlink
./link
./empty2
./tree/empty1
./dirlink/deep.txt
./tree/sub/deep.txt
. d
base.txt f
bin d
dangling l
dirlink l
empty2 d
link l
opq d
shared d
tree d
.
./shared/only1.txt
./tree/b.txt
./tree/sub
./tree/sub/new.txt
./base.txt
./bin/tool.sh
./opq/fresh.txt
./ref
./shared/both.txt
./shared/upd.txt
./tree/a.txt
./tree/c.txt
./tree/old/new.txt
./tree/sub/deep.txt
./tree/sub/mid.txt
./tree/sub/up.txt
after
.
./base.txt
./bin
./bin/tool.sh
./dangling
./dirlink
./link
./opq
./opq/fresh.txt
./shared
./shared/both.txt
./shared/upd.txt
EOF
}

# Block counts of directories are left out (du -b, and blocks only for
# files): the kernel's upper directories hold its own xattrs
# (trusted.overlay.origin, impure), which can take a block of their own.
test_matrix_du() {
	matrix_layers
	matrix_run 'du -ab | sort -k2; find . -type f -exec du {} + | sort -k2; du -s --apparent-size tree shared
		du -sb dirlink; du -sLb dirlink; du -ab link dangling; du -bc tree/a.txt shared/both.txt
		echo 0123456789 >> tree/a.txt; rm shared/both.txt; truncate -s 1M tree/sparse; du -ab tree shared | sort -k2
		du tree/a.txt tree/sparse' <<'EOF'
37114	.
29	./base.txt
4121	./bin
25	./bin/tool.sh
7	./dangling
8	./dirlink
4096	./empty2
10	./link
4113	./opq
17	./opq/fresh.txt
4146	./shared
17	./shared/both.txt
18	./shared/only1.txt
15	./shared/upd.txt
16488	./tree
14	./tree/a.txt
14	./tree/b.txt
13	./tree/c.txt
4096	./tree/empty1
4112	./tree/old
16	./tree/old/new.txt
4143	./tree/sub
17	./tree/sub/deep.txt
16	./tree/sub/mid.txt
14	./tree/sub/up.txt
4	./base.txt
4	./bin/tool.sh
4	./opq/fresh.txt
4	./shared/both.txt
4	./shared/only1.txt
4	./shared/upd.txt
4	./tree/a.txt
4	./tree/b.txt
4	./tree/c.txt
4	./tree/old/new.txt
4	./tree/sub/deep.txt
4	./tree/sub/mid.txt
4	./tree/sub/up.txt
17	tree
5	shared
8	dirlink
4143	dirlink
10	link
7	dangling
14	tree/a.txt
17	shared/both.txt
31	total
4129	shared
18	shared/only1.txt
15	shared/upd.txt
1065075	tree
25	tree/a.txt
14	tree/b.txt
13	tree/c.txt
4096	tree/empty1
4112	tree/old
16	tree/old/new.txt
1048576	tree/sparse
4143	tree/sub
17	tree/sub/deep.txt
16	tree/sub/mid.txt
14	tree/sub/up.txt
4	tree/a.txt
0	tree/sparse
EOF
}

# The "total" lines are left out: they count st_blocks, and the kernel's
# upper directories hold its own xattrs (trusted.overlay.origin, impure),
# which can take a block of their own.
test_matrix_ls_laR() {
	matrix_layers
	matrix_run 'ls -laR --time-style=+%s tree shared opq | grep -v ^total; ls -ld tree tree/sub shared bin empty2
		ls -lL link dirlink; ls -F; ls -la --time-style=+%s dangling link
		echo x > tree/sub/new; rm tree/c.txt; chmod 700 tree/b.txt
		ls -laR --time-style=+ tree | grep -v ^total' <<'EOF'
opq:
drwxr-xr-x 2 root root 4096 1600000000 .
drwxr-xr-x 1 root root 4096 1600000000 ..
-rw-r--r-- 1 root root   17 1600000000 fresh.txt

shared:
drwxr-xr-x 1 root root 4096 1600000000 .
drwxr-xr-x 1 root root 4096 1600000000 ..
-rw-r--r-- 1 root root   17 1600000000 both.txt
-rw-r--r-- 1 root root   18 1600000000 only1.txt
-rw-r--r-- 1 root root   15 1600000000 upd.txt

tree:
drwxr-xr-x 1 root root 4096 1600000000 .
drwxr-xr-x 1 root root 4096 1600000000 ..
-rw-r--r-- 1 root root   14 1600000000 a.txt
-rw-r--r-- 1 root root   14 1600000000 b.txt
-rw-r--r-- 1 root root   13 1600000000 c.txt
drwxr-xr-x 2 root root 4096 1600000000 empty1
drwxr-xr-x 2 root root 4096 1600000000 old
drwxr-xr-x 1 root root 4096 1600000000 sub

tree/empty1:
drwxr-xr-x 2 root root 4096 1600000000 .
drwxr-xr-x 1 root root 4096 1600000000 ..

tree/old:
drwxr-xr-x 2 root root 4096 1600000000 .
drwxr-xr-x 1 root root 4096 1600000000 ..
-rw-r--r-- 1 root root   16 1600000000 new.txt

tree/sub:
drwxr-xr-x 1 root root 4096 1600000000 .
drwxr-xr-x 1 root root 4096 1600000000 ..
-rw-r--r-- 1 root root   17 1600000000 deep.txt
-rw-r--r-- 1 root root   16 1600000000 mid.txt
-rw-r--r-- 1 root root   14 1600000000 up.txt
drwxr-xr-x 2 root root 4096 Sep 13  2020 bin
drwxr-x--- 2 root root 4096 Sep 13  2020 empty2
drwxr-xr-x 1 root root 4096 Sep 13  2020 shared
drwxr-xr-x 1 root root 4096 Sep 13  2020 tree
drwxr-xr-x 1 root root 4096 Sep 13  2020 tree/sub
-rw-r--r-- 1 root root   14 Sep 13  2020 link

dirlink:
total 12
-rw-r--r-- 1 root root 17 Sep 13  2020 deep.txt
-rw-r--r-- 1 root root 16 Sep 13  2020 mid.txt
-rw-r--r-- 1 root root 14 Sep 13  2020 up.txt
base.txt
bin/
dangling@
dirlink@
empty2/
link@
opq/
shared/
tree/
lrwxrwxrwx 1 root root  7 1600000000 dangling -> nowhere
lrwxrwxrwx 1 root root 10 1600000000 link -> tree/a.txt
tree:
drwxr-xr-x 1 root root 4096  .
drwxr-xr-x 1 root root 4096  ..
-rw-r--r-- 1 root root   14  a.txt
-rwx------ 1 root root   14  b.txt
drwxr-xr-x 2 root root 4096  empty1
drwxr-xr-x 2 root root 4096  old
drwxr-xr-x 1 root root 4096  sub

tree/empty1:
drwxr-xr-x 2 root root 4096  .
drwxr-xr-x 1 root root 4096  ..

tree/old:
drwxr-xr-x 2 root root 4096  .
drwxr-xr-x 1 root root 4096  ..
-rw-r--r-- 1 root root   16  new.txt

tree/sub:
drwxr-xr-x 1 root root 4096  .
drwxr-xr-x 1 root root 4096  ..
-rw-r--r-- 1 root root   17  deep.txt
-rw-r--r-- 1 root root   16  mid.txt
-rw-r--r-- 1 root root    2  new
-rw-r--r-- 1 root root   14  up.txt
EOF
}

# Not stat -f: the file system type is overlayfs on the kernel's mount and
# the host's under liboverlay, as intended.
test_matrix_stat() {
	matrix_layers
	matrix_run 'stat -c "%n|%F|%a|%s|%h|%u|%g|%N|%Y" . tree tree/sub tree/a.txt tree/old empty2 link dangling dirlink
		stat -L -c "%n|%F|%s" link dirlink; stat tree/gone.txt; stat -c %n tree/gonedir/x shared/only2.txt
		echo y >> tree/a.txt; stat -c "%n|%s|%h" tree/a.txt; stat -c "%n %h" tree/empty1 tree/sub' <<'EOF'
.|directory|755|4096|1|0|0|'.'|1600000000
tree|directory|755|4096|1|0|0|'tree'|1600000000
tree/sub|directory|755|4096|1|0|0|'tree/sub'|1600000000
tree/a.txt|regular file|644|14|1|0|0|'tree/a.txt'|1600000000
tree/old|directory|755|4096|2|0|0|'tree/old'|1600000000
empty2|directory|750|4096|2|0|0|'empty2'|1600000000
link|symbolic link|777|10|1|0|0|'link' -> 'tree/a.txt'|1600000000
dangling|symbolic link|777|7|1|0|0|'dangling' -> 'nowhere'|1600000000
dirlink|symbolic link|777|8|1|0|0|'dirlink' -> 'tree/sub'|1600000000
link|regular file|14
dirlink|directory|4096
stat: cannot statx 'tree/gone.txt': No such file or directory
stat: cannot statx 'tree/gonedir/x': No such file or directory
stat: cannot statx 'shared/only2.txt': No such file or directory
tree/a.txt|16|1
tree/empty1 2
tree/sub 1
EOF
}

test_matrix_tar() {
	matrix_layers
	ext_tree
	mkdir -p "$T/mk/tree/sub" "$T/mk/shared" "$T/mk/newdir"
	put "$T/mk/tree/sub/deep.txt" "deep from tar"
	put "$T/mk/tree/fromtar" "from tar"
	put "$T/mk/shared/both.txt" "both from tar"
	put "$T/mk/newdir/n" "n from tar"
	ln -s fromtar "$T/mk/tree/lnk"
	ln "$T/mk/newdir/n" "$T/mk/newdir/hard"
	chmod 711 "$T/mk/tree"
	tar -C "$T/mk" -cf "$EXT/in.tar" --sort=name --mtime=@1500000000 tree shared newdir
	matrix_run 'tar -cf "$X/c.tar" --sort=name tree shared link dirlink opq && tar -tvf "$X/c.tar"
		tar -xf "$EXT/in.tar" && tar -xf "$EXT/in.tar" -C tree/sub && tar -xvf "$EXT/in.tar" -C opq shared/both.txt
		ls -AR tree shared newdir opq; cat shared/both.txt tree/sub/deep.txt; stat -c "%n %h %a %Y" newdir/n tree
		tar -cf - tree | tar -tf - | sort' <<'EOF'
drwxr-xr-x root/root         0 2020-09-13 12:26 tree/
-rw-r--r-- root/root        14 2020-09-13 12:26 tree/a.txt
-rw-r--r-- root/root        14 2020-09-13 12:26 tree/b.txt
-rw-r--r-- root/root        13 2020-09-13 12:26 tree/c.txt
drwxr-xr-x root/root         0 2020-09-13 12:26 tree/empty1/
drwxr-xr-x root/root         0 2020-09-13 12:26 tree/old/
-rw-r--r-- root/root        16 2020-09-13 12:26 tree/old/new.txt
drwxr-xr-x root/root         0 2020-09-13 12:26 tree/sub/
-rw-r--r-- root/root        17 2020-09-13 12:26 tree/sub/deep.txt
-rw-r--r-- root/root        16 2020-09-13 12:26 tree/sub/mid.txt
-rw-r--r-- root/root        14 2020-09-13 12:26 tree/sub/up.txt
drwxr-xr-x root/root         0 2020-09-13 12:26 shared/
-rw-r--r-- root/root        17 2020-09-13 12:26 shared/both.txt
-rw-r--r-- root/root        18 2020-09-13 12:26 shared/only1.txt
-rw-r--r-- root/root        15 2020-09-13 12:26 shared/upd.txt
lrwxrwxrwx root/root         0 2020-09-13 12:26 link -> tree/a.txt
lrwxrwxrwx root/root         0 2020-09-13 12:26 dirlink -> tree/sub
drwxr-xr-x root/root         0 2020-09-13 12:26 opq/
-rw-r--r-- root/root        17 2020-09-13 12:26 opq/fresh.txt
shared/both.txt
newdir:
hard
n

opq:
fresh.txt
shared

opq/shared:
both.txt

shared:
both.txt
only1.txt
upd.txt

tree:
a.txt
b.txt
c.txt
empty1
fromtar
lnk
old
sub

tree/empty1:

tree/old:
new.txt

tree/sub:
deep.txt
mid.txt
newdir
shared
tree
up.txt

tree/sub/newdir:
hard
n

tree/sub/shared:
both.txt

tree/sub/tree:
fromtar
lnk
sub

tree/sub/tree/sub:
deep.txt
both from tar
deep from tar
newdir/n 2 644 1500000000
tree 1 711 1500000000
tree/
tree/a.txt
tree/b.txt
tree/c.txt
tree/empty1/
tree/fromtar
tree/lnk
tree/old/
tree/old/new.txt
tree/sub/
tree/sub/deep.txt
tree/sub/mid.txt
tree/sub/newdir/
tree/sub/newdir/hard
tree/sub/newdir/n
tree/sub/shared/
tree/sub/shared/both.txt
tree/sub/tree/
tree/sub/tree/fromtar
tree/sub/tree/lnk
tree/sub/tree/sub/
tree/sub/tree/sub/deep.txt
tree/sub/up.txt
EOF
}

test_matrix_sed_i() {
	matrix_layers
	matrix_run 'sed -i "s/from/FROM/" tree/a.txt shared/both.txt tree/c.txt && sed -i.bak 1d base.txt
		sed -i --follow-symlinks "s/a/A/" link && sed -i "s/sub/SUB/" dirlink/../link; echo $?
		cat tree/a.txt shared/both.txt tree/c.txt base.txt base.txt.bak; ls -l link | cut -c1; readlink link
		sed -i s/x/y/ tree/gone.txt; echo "gone: $?"; ls -A . tree shared' <<'EOF'
sed: can't read dirlink/../link: No such file or directory
2
A FROM lower2
both FROM lower1
c FROM upper
second line
base from lower2
second line
l
tree/a.txt
sed: can't read tree/gone.txt: No such file or directory
gone: 2
.:
base.txt
base.txt.bak
bin
dangling
dirlink
empty2
link
opq
shared
tree

shared:
both.txt
only1.txt
upd.txt

tree:
a.txt
b.txt
c.txt
empty1
old
sub
EOF
}

test_matrix_sort_o() {
	matrix_layers
	matrix_run 'sort -r -o base.txt base.txt && sort -o tree/sorted.txt tree/*.txt shared/*.txt && sort -u -o link link
		cat base.txt tree/sorted.txt tree/a.txt; ls -l link | cut -c1' <<'EOF'
second line
base from lower2
a from lower2
b from lower1
both from lower1
c from upper
only1 from lower1
upd from upper
a from lower2
l
EOF
}

test_matrix_install() {
	matrix_layers
	ext_tree
	matrix_run 'install -m 640 tree/a.txt tree/sub/inst.txt && install -D -m 755 bin/tool.sh newbin/deep/tool
		install -d -m 700 shared/dd tree/old/d2 && install -m 644 "$EXT/pkg/f1" tree/b.txt && install -v link shared/
		install -m 600 -t tree/gonedir "$EXT/pkg/f1" "$EXT/pkg/sub/f2"; echo "-t: $?"
		newbin/deep/tool ran; cat tree/b.txt shared/link
		find tree shared newbin -printf "%p %y %m\n" | sort' <<'EOF'
'link' -> 'shared/link'
install: failed to access 'tree/gonedir': No such file or directory
-t: 1
tool ran
f1 from ext
a from lower2
newbin d 755
newbin/deep d 755
newbin/deep/tool f 755
shared d 755
shared/both.txt f 644
shared/dd d 700
shared/link f 755
shared/only1.txt f 644
shared/upd.txt f 644
tree d 755
tree/a.txt f 644
tree/b.txt f 644
tree/c.txt f 644
tree/empty1 d 755
tree/old d 755
tree/old/d2 d 700
tree/old/new.txt f 644
tree/sub d 755
tree/sub/deep.txt f 644
tree/sub/inst.txt f 640
tree/sub/mid.txt f 644
tree/sub/up.txt f 644
EOF
}

test_matrix_mktemp() {
	matrix_layers
	matrix_run 'f=$(mktemp -p tree tmp.XXXXXX) && echo data > "$f" && case $f in tree/tmp.??????) echo named;; esac && mv "$f" tree/fixed
		d=$(mktemp -d -p shared) && touch "$d/in" && mv "$d" shared/fixeddir
		u=$(mktemp -u -p .) && [ ! -e "$u" ] && echo dry-run; g=$(TMPDIR=$MNT/tree/sub mktemp) && rm "$g" && echo removed
		s=$(mktemp --suffix=.c -p opq XXXX) && mv "$s" opq/s.c
		h=$(mktemp -p tree/gonedir); echo "gonedir: $?"; ls -AR tree shared opq; stat -c "%n %a" tree/fixed shared/fixeddir' <<'EOF'
named
dry-run
removed
mktemp: failed to create file via template 'tree/gonedir/tmp.XXXXXXXXXX': No such file or directory
gonedir: 1
opq:
fresh.txt
s.c

shared:
both.txt
fixeddir
only1.txt
upd.txt

shared/fixeddir:
in

tree:
a.txt
b.txt
c.txt
empty1
fixed
old
sub

tree/empty1:

tree/old:
new.txt

tree/sub:
deep.txt
mid.txt
up.txt
tree/fixed 600
shared/fixeddir 700
EOF
}

test_matrix_truncate() {
	matrix_layers
	matrix_run 'truncate -s 5 tree/a.txt && truncate -s +3 shared/both.txt && truncate -s 0 base.txt && truncate -s 10 new.bin
		truncate -c -s 4 nonexistent && truncate -s 2 link && truncate -s 1M tree/sub/big && truncate -s 3 tree/gonedir/x
		echo "gonedir: $?"; wc -c tree/a.txt shared/both.txt base.txt new.bin tree/sub/big; ls nonexistent
		od -c shared/both.txt | head -3; cat tree/a.txt; echo' <<'EOF'
truncate: cannot open 'tree/gonedir/x' for writing: No such file or directory
gonedir: 1
      2 tree/a.txt
     20 shared/both.txt
      0 base.txt
     10 new.bin
1048576 tree/sub/big
1048608 total
ls: cannot access 'nonexistent': No such file or directory
0000000   b   o   t   h       f   r   o   m       l   o   w   e   r   1
0000020  \n  \0  \0  \0
0000024
a 
EOF
}

test_matrix_realpath() {
	matrix_layers
	matrix_run 'realpath link dirlink tree/../shared tree/sub/../old dangling . tree/sub
		realpath -e dangling; realpath -e tree/gone.txt; realpath -m x/y/../z; realpath --relative-to=tree shared
		realpath -s dirlink/deep.txt; readlink -f dirlink/deep.txt; readlink -e dangling; echo "readlink -e: $?"
		cd tree/sub && realpath ../../link . && pwd && cd ../../dirlink && pwd && realpath .' <<'EOF'
@T@/lower/tree/a.txt
@T@/lower/tree/sub
@T@/lower/shared
@T@/lower/tree/old
@T@/lower/nowhere
@T@/lower
@T@/lower/tree/sub
realpath: dangling: No such file or directory
realpath: tree/gone.txt: No such file or directory
@T@/lower/x/z
../shared
@T@/lower/dirlink/deep.txt
@T@/lower/tree/sub/deep.txt
readlink -e: 1
@T@/lower/tree/a.txt
@T@/lower/tree/sub
@T@/lower/tree/sub
@T@/lower/dirlink
@T@/lower/tree/sub
EOF
}

# Two names of one lower inode: the copy-up of one breaks the link (the
# kernel without index=on does the same), the other keeps the lower data.
test_matrix_lower_hardlinks() {
	matrix_layers
	put "$L/h1" "linked"
	ln "$L/h1" "$L/h2"
	ln "$L/tree/b.txt" "$L/shared/b.hard"
	matrix_run 'stat -c "%n %h" h1 h2 tree/b.txt shared/b.hard; echo more >> h1; cat h1 h2; stat -c "%n %h" h1 h2
		chmod 600 shared/b.hard; stat -c "%n %a %h" tree/b.txt shared/b.hard; rm h2; ln h1 h3; stat -c "%n %h" h1 h3' <<'EOF'
h1 2
h2 2
tree/b.txt 2
shared/b.hard 2
linked
more
linked
h1 1
h2 2
tree/b.txt 644 2
shared/b.hard 600 1
h1 2
h3 2
EOF
}

# A sparse lower file written through the overlay: its size and contents
# after the copy-up.  Not its blocks: how many holes a copy-up keeps is the
# implementation's choice (6.18's overlayfs fills some, liboverlay keeps
# them all).
test_matrix_sparse_copy_up() {
	matrix_layers
	truncate -s 4M "$L2/sparse"
	printf 'head' | dd of="$L2/sparse" conv=notrunc status=none
	printf 'tail' | dd of="$L2/sparse" bs=1 seek=$((3 * 1024 * 1024)) conv=notrunc status=none
	matrix_run 'du sparse; echo end >> sparse; stat -c "%n %s" sparse; cmp -l sparse "$X/../lower2/sparse" | wc -l
		head -c $((3 * 1024 * 1024 + 4)) sparse | tail -c 4; echo' <<'EOF'
8	sparse
sparse 4194308
cmp: EOF on @T@/x/../lower2/sparse after byte 4194304
0
tail
EOF
}

# FIFOs and device nodes: created in the mount, in a lower, removed.
test_matrix_special_files() {
	matrix_layers
	mkfifo "$L/tree/lowerfifo"
	matrix_run 'mkfifo tree/fifo shared/only2.txt && mknod tree/null c 1 3 && ls -l tree/fifo tree/null shared/only2.txt | cut -c1-10
		echo x > tree/null; (echo through > tree/fifo &) ; cat tree/fifo; (echo lower > tree/lowerfifo &); cat tree/lowerfifo
		stat -c "%n %F %a" tree/lowerfifo tree/null; rm tree/lowerfifo tree/fifo; mkfifo tree/fifo; ls -A tree' <<'EOF'
prw-r--r--
prw-r--r--
crw-r--r--
through
lower
tree/lowerfifo fifo 644
tree/null character special file 644
a.txt
b.txt
c.txt
empty1
fifo
null
old
sub
EOF
}
