# The matrix, child processes: env -i, sh -c, xargs, make calling make,
# programs that start others with the cwd in a merged directory (find
# -execdir, env -C, timeout, nice, stdbuf) and scripts written into the
# upper; on liboverlay and on the kernel's overlayfs (matrix_run in lib.sh).
# shellcheck shell=bash disable=SC2016,SC2034

test_matrix_env_i() {
	matrix_layers
	matrix_run 'env -i /bin/sh -c "cat tree/a.txt; echo x > tree/envi.txt; /bin/ls tree; rm shared/both.txt; /bin/cat shared/both.txt"
		env -i PATH=/usr/bin:/bin sh -c "cd tree/sub && pwd && mkdir made && echo y >> deep.txt && ls"
		env -i /usr/bin/env -i /bin/sh -c "echo z > opq/twice.txt"; env -i /bin/cat opq/twice.txt
		env -i /bin/bash -c "echo bash >> base.txt; [ -e tree/gone.txt ] || echo gone"; cat base.txt tree/sub/deep.txt
		ls -A . tree shared' <<'EOF'
a from lower2
a.txt
b.txt
c.txt
empty1
envi.txt
old
sub
/bin/cat: shared/both.txt: No such file or directory
@T@/lower/tree/sub
deep.txt
made
mid.txt
up.txt
z
gone
base from lower2
second line
bash
deep from lower2
y
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

shared:
only1.txt
upd.txt

tree:
a.txt
b.txt
c.txt
empty1
envi.txt
old
sub
EOF
}

test_matrix_sh_c() {
	matrix_layers
	matrix_run 'sh -c "cd tree && sh -c \"pwd; echo y >> b.txt; cat b.txt\""; sh -c "exec cat shared/both.txt"
		sh -c "sh -c \"sh -c \\\"echo deep > tree/sub/deeper.txt\\\"\""; cat tree/sub/deeper.txt
		bash -c "cd dirlink && sh -c pwd && cd .. && sh -c pwd"; dash -c "rm -r opq; ls -A"
		sh -c "bin/tool.sh one"; sh -c "cd bin && ./tool.sh two"; sh bin/tool.sh three
		sh -c "echo \"echo sourced\" > tree/inc.sh; . ./tree/inc.sh"; sh -c "exit 3"; echo "status: $?"
		(cd tree/old && sh -c "ls; echo sub > sub.txt"); cat tree/old/sub.txt' <<'EOF'
@T@/lower/tree
b from lower1
y
both from lower1
deep
@T@/lower/dirlink
@T@/lower
base.txt
bin
dangling
dirlink
empty2
link
shared
tree
tool one
tool two
tool three
sourced
status: 3
new.txt
sub
EOF
}

test_matrix_xargs() {
	matrix_layers
	matrix_run 'find tree shared -name "*.txt" -print0 | sort -z | xargs -0 cat
		printf "x1\nx2\n" | xargs -I{} touch tree/sub/{}; ls tree/sub
		find . -name "only*" | xargs rm -v; echo tree/a.txt tree/b.txt tree/c.txt | xargs -n1 -P2 sed -i s/from/by/
		cat tree/a.txt tree/b.txt tree/c.txt; ls tree | xargs -n2 echo; echo shared | xargs -I{} sh -c "cd {} && pwd && ls"
		echo tree/gone.txt | xargs cat; echo "xargs: $?"; echo via-xargs | xargs bin/tool.sh' <<'EOF'
both from lower1
only1 from lower1
upd from upper
a from lower2
b from lower1
c from upper
new from lower1
deep from lower2
mid from lower1
up from upper
deep.txt
mid.txt
up.txt
x1
x2
removed './shared/only1.txt'
a by lower2
b by lower1
c by upper
a.txt b.txt
c.txt empty1
old sub
@T@/lower/shared
both.txt
upd.txt
cat: tree/gone.txt: No such file or directory
xargs: 123
tool via-xargs
EOF
}

# make -C into a directory of the second lower, a sub-make with -f, a
# recursive make under -j2 (the jobserver), and a sub-make that builds and
# runs a program in the upper.
test_matrix_make_recursive() {
	matrix_layers
	command -v make >/dev/null || skip "make is not installed"
	command -v cc >/dev/null || skip "cc is not installed"
	cat >"$L/Makefile" <<'EOF'
all:
	$(MAKE) -C sub
	$(MAKE) -C tree -f ../other.mk OUT=fromtop
	cd sub && $(MAKE) hello && ./hello
par:
	$(MAKE) -j2 -C sub one two
EOF
	put "$L/other.mk" 'all:' '	echo $(OUT) > made-$(OUT).txt' '	ls'
	mkdir -p "$L2/sub"
	cat >"$L2/sub/Makefile" <<'EOF'
all: one two
one:
	echo one > one.txt
two:
	echo two > two.txt
	cat ../tree/a.txt
hello: hello.c
	$(CC) -o $@ $<
EOF
	put "$L2/sub/hello.c" '#include <stdio.h>' 'int main(void) { puts("hello from sub"); return 0; }'
	matrix_run 'make; echo "make: $?"; make par | sort; make -s -C sub -q one; echo "-q: $?"; ls -A sub tree' <<'EOF'
make -C sub
make[1]: Entering directory '@T@/lower/sub'
echo one > one.txt
echo two > two.txt
cat ../tree/a.txt
a from lower2
make[1]: Leaving directory '@T@/lower/sub'
make -C tree -f ../other.mk OUT=fromtop
make[1]: Entering directory '@T@/lower/tree'
echo fromtop > made-fromtop.txt
ls
a.txt
b.txt
c.txt
empty1
made-fromtop.txt
old
sub
make[1]: Leaving directory '@T@/lower/tree'
cd sub && make hello && ./hello
make[1]: Entering directory '@T@/lower/sub'
cc -o hello hello.c
make[1]: Leaving directory '@T@/lower/sub'
hello from sub
make: 0
a from lower2
cat ../tree/a.txt
echo one > one.txt
echo two > two.txt
make -j2 -C sub one two
make[1]: Entering directory '@T@/lower/sub'
make[1]: Leaving directory '@T@/lower/sub'
-q: 1
sub:
Makefile
hello
hello.c
one.txt
two.txt

tree:
a.txt
b.txt
c.txt
empty1
made-fromtop.txt
old
sub
EOF
}

test_matrix_exec_cwd() {
	matrix_layers
	command -v stdbuf >/dev/null || skip "stdbuf is not installed"
	matrix_run 'find tree -name "*.txt" -execdir pwd \; | sort; find tree/sub -type f -execdir sh -c "echo \$1: \$(cat \$1)" sh {} \; | sort
		env -C tree/sub pwd; env -C tree/old ls; timeout 10 sh -c "echo t > tree/t.txt"; nice -n 1 cat tree/t.txt
		stdbuf -oL sh -c "cat shared/both.txt; echo sb > shared/sb.txt"; cat shared/sb.txt
		printf "#!/bin/sh\necho \"made in the upper: \$*\"\n" > tree/run.sh && chmod +x tree/run.sh && tree/run.sh a
		cd tree && ./run.sh b && PATH=$MNT/tree:$PATH run.sh c && sh -c "exec ./run.sh d" && cd sub && ../run.sh e
		printf "#!$MNT/bin/tool.sh\n" > ../interp && chmod +x ../interp && ../interp f' <<'EOF'
@T@/lower/tree
@T@/lower/tree
@T@/lower/tree
@T@/lower/tree/old
@T@/lower/tree/sub
@T@/lower/tree/sub
@T@/lower/tree/sub
./deep.txt: deep from lower2
./mid.txt: mid from lower1
./up.txt: up from upper
@T@/lower/tree/sub
new.txt
t
both from lower1
sb
made in the upper: a
made in the upper: b
made in the upper: c
made in the upper: d
made in the upper: e
tool ../interp f
EOF
}
