# The matrix, shells: bash and dash redirections (>, >>, <>, <, >|, 2>),
# cd and pwd inside merged directories and through symlinks, globbing; on
# liboverlay and on the kernel's overlayfs (matrix_run in lib.sh).
# shellcheck shell=bash disable=SC2016,SC2034

REDIRECTIONS='echo new > tree/a.txt; cat tree/a.txt; echo more >> tree/b.txt; cat tree/b.txt
echo first > tree/gone.txt; cat tree/gone.txt; echo one >> tree/sub/app.new; echo two >> tree/sub/app.new; cat tree/sub/app.new
exec 3<> shared/both.txt; read line <&3; echo "read: $line"; echo OVER >&3; exec 3>&-; cat shared/both.txt
exec 4<> tree/rw.new; echo rw >&4; exec 4>&-; cat tree/rw.new; exec 5<> base.txt; exec 5>&-
cat < base.txt; while read l; do echo "line: $l"; done < tree/sub/deep.txt
set -C; echo x > tree/c.txt; echo "noclobber: $?"; echo z > shared/only2.txt; echo "whited out: $?"
echo forced >| tree/c.txt; set +C; cat tree/c.txt shared/only2.txt
ls nothing 2> tree/err.log; cat tree/err.log; echo x > tree/gonedir/f; echo "gonedir: $?"
echo x > tree; echo "dir: $?"; : > link; cat tree/a.txt; echo via > dirlink/via.txt; cat tree/sub/via.txt
{ echo a; echo b; } > opq/group.txt; cat opq/group.txt; echo x > dangling; cat nowhere
ls -A . tree tree/sub shared opq'

CD_PWD='cd tree/sub && pwd && pwd -P && /bin/pwd && ls && cd .. && pwd && cd ../dirlink && pwd && pwd -P
/bin/pwd; /bin/pwd -L; ls; cd .. && pwd && cd -P dirlink && pwd && cd "$MNT/tree/old" && pwd && ls
cd ../gone.txt; echo "cd gone: $?"; cd ../gonedir; echo "cd gonedir: $?"; pwd
cd "$MNT" && mkdir -p nd/x && cd nd/x && pwd && /bin/pwd && touch here && ls ../.. && cd - && ls nd/x
cd tree/empty1 && echo made > made && cd ../../opq && cat ../tree/empty1/made && cd "$OLDPWD" && pwd
cd "$MNT/tree/sub" && mv ../../shared ../../shared2 && ls ../../shared2 && cd ../.. && ls -A . tree'

GLOBS='echo *; echo tree/*; echo */*.txt; echo tree/s*/*; echo shared/only?.txt; echo tree/[ab].txt
echo nomatch*; echo */; echo tree/gone*; echo opq/*; echo tree/old/*; echo tree/*/; echo */*/*.txt
touch tree/.hidden shared/.h2 && echo tree/.[!.]* shared/.h*; rm tree/b.txt; echo tree/*.txt'

test_matrix_bash_redirections() {
	matrix_layers
	MATRIX_SH=bash
	matrix_run "$REDIRECTIONS" <<'EOF'
new
b from lower1
more
first
one
two
read: both from lower1
both from lower1
OVER
rw
base from lower2
second line
line: deep from lower2
bash: line 7: tree/c.txt: cannot overwrite existing file
noclobber: 1
whited out: 0
forced
z
ls: cannot access 'nothing': No such file or directory
bash: line 9: tree/gonedir/f: No such file or directory
gonedir: 1
bash: line 10: tree: Is a directory
dir: 1
via
a
b
x
.:
base.txt
bin
dangling
dirlink
empty2
link
nowhere
opq
shared
tree

opq:
fresh.txt
group.txt

shared:
both.txt
only1.txt
only2.txt
upd.txt

tree:
a.txt
b.txt
c.txt
empty1
err.log
gone.txt
old
rw.new
sub

tree/sub:
app.new
deep.txt
mid.txt
up.txt
via.txt
EOF
}

test_matrix_dash_redirections() {
	matrix_layers
	MATRIX_SH=dash
	matrix_run "$REDIRECTIONS" <<'EOF'
new
b from lower1
more
first
one
two
read: both from lower1
both from lower1
OVER
rw
base from lower2
second line
line: deep from lower2
dash: 7: cannot create tree/c.txt: File exists
noclobber: 2
whited out: 0
forced
z
ls: cannot access 'nothing': No such file or directory
dash: 9: cannot create tree/gonedir/f: Directory nonexistent
gonedir: 2
dash: 10: cannot create tree: Is a directory
dir: 2
via
a
b
x
.:
base.txt
bin
dangling
dirlink
empty2
link
nowhere
opq
shared
tree

opq:
fresh.txt
group.txt

shared:
both.txt
only1.txt
only2.txt
upd.txt

tree:
a.txt
b.txt
c.txt
empty1
err.log
gone.txt
old
rw.new
sub

tree/sub:
app.new
deep.txt
mid.txt
up.txt
via.txt
EOF
}

test_matrix_bash_cd_pwd() {
	matrix_layers
	MATRIX_SH=bash
	matrix_run "$CD_PWD"'
		cd -L dirlink/.. && pwd; cd "$MNT"; x=$(<tree/b.txt); echo "$x"; [[ -d dirlink && -L dirlink && -f link ]] && echo tests' <<'EOF'
@T@/lower/tree/sub
@T@/lower/tree/sub
@T@/lower/tree/sub
deep.txt
mid.txt
up.txt
@T@/lower/tree
@T@/lower/dirlink
@T@/lower/tree/sub
@T@/lower/tree/sub
@T@/lower/dirlink
deep.txt
mid.txt
up.txt
@T@/lower
@T@/lower/tree/sub
@T@/lower/tree/old
new.txt
bash: line 4: cd: ../gone.txt: No such file or directory
cd gone: 1
bash: line 4: cd: ../gonedir: No such file or directory
cd gonedir: 1
@T@/lower/tree/old
@T@/lower/nd/x
@T@/lower/nd/x
base.txt
bin
dangling
dirlink
empty2
link
nd
opq
shared
tree
@T@/lower
here
made
@T@/lower/tree/empty1
both.txt
only1.txt
upd.txt
.:
base.txt
bin
dangling
dirlink
empty2
link
nd
opq
shared2
tree

tree:
a.txt
b.txt
c.txt
empty1
old
sub
@T@/lower
b from lower1
tests
EOF
}

test_matrix_dash_cd_pwd() {
	matrix_layers
	MATRIX_SH=dash
	matrix_run "$CD_PWD"'
		cd -L dirlink/.. && pwd; cd "$MNT"; [ -d dirlink ] && [ -L dirlink ] && [ -f link ] && [ ! -e tree/gone.txt ] && echo tests' <<'EOF'
@T@/lower/tree/sub
@T@/lower/tree/sub
@T@/lower/tree/sub
deep.txt
mid.txt
up.txt
@T@/lower/tree
@T@/lower/dirlink
@T@/lower/tree/sub
@T@/lower/tree/sub
@T@/lower/dirlink
deep.txt
mid.txt
up.txt
@T@/lower
@T@/lower/tree/sub
@T@/lower/tree/old
new.txt
dash: 4: cd: can't cd to ../gone.txt
cd gone: 2
dash: 4: cd: can't cd to ../gonedir
cd gonedir: 2
@T@/lower/tree/old
@T@/lower/nd/x
@T@/lower/nd/x
base.txt
bin
dangling
dirlink
empty2
link
nd
opq
shared
tree
@T@/lower
here
made
@T@/lower/tree/empty1
both.txt
only1.txt
upd.txt
.:
base.txt
bin
dangling
dirlink
empty2
link
nd
opq
shared2
tree

tree:
a.txt
b.txt
c.txt
empty1
old
sub
@T@/lower
tests
EOF
}

# A shell whose cwd is removed under it (rm -rf of a merged directory from
# inside): the kernel keeps the removed directory usable as "." (stat,
# an empty listing, creating in it fails).
test_matrix_removed_cwd() {
	matrix_layers
	matrix_run 'cd tree/sub && rm -rf "$MNT/tree/sub"; pwd; ls -a .; echo "ls: $?"; touch x; echo "touch: $?"
		stat -c "%F %h" .; /bin/pwd; echo "/bin/pwd: $?"; cd ..; pwd; ls -A; cd "$MNT/tree/old"; rm -r ../old
		ls ../old; cd ..; ls -A' <<'EOF'
@T@/lower/tree/sub
ls: 0
touch: cannot touch 'x': No such file or directory
touch: 1
directory 1
/bin/pwd: couldn't find directory entry in '..' with matching i-node
/bin/pwd: 1
@T@/lower/tree
a.txt
b.txt
c.txt
empty1
old
ls: cannot access '../old': No such file or directory
a.txt
b.txt
c.txt
empty1
EOF
}

test_matrix_bash_glob() {
	matrix_layers
	MATRIX_SH=bash
	matrix_run "$GLOBS"'
		shopt -s globstar extglob
		echo **/*.txt; echo tree/**; echo tree/!(a).txt; echo **/
		shopt -s dotglob nullglob; echo tree/*; echo nomatch*; echo tree/.*' <<'EOF'
base.txt bin dangling dirlink empty2 link opq shared tree
tree/a.txt tree/b.txt tree/c.txt tree/empty1 tree/old tree/sub
dirlink/deep.txt dirlink/mid.txt dirlink/up.txt opq/fresh.txt shared/both.txt shared/only1.txt shared/upd.txt tree/a.txt tree/b.txt tree/c.txt
tree/sub/deep.txt tree/sub/mid.txt tree/sub/up.txt
shared/only1.txt
tree/a.txt tree/b.txt
nomatch*
bin/ dirlink/ empty2/ opq/ shared/ tree/
tree/gone*
opq/fresh.txt
tree/old/new.txt
tree/empty1/ tree/old/ tree/sub/
tree/old/new.txt tree/sub/deep.txt tree/sub/mid.txt tree/sub/up.txt
tree/.hidden shared/.h2
tree/a.txt tree/c.txt
base.txt opq/fresh.txt shared/both.txt shared/only1.txt shared/upd.txt tree/a.txt tree/c.txt tree/old/new.txt tree/sub/deep.txt tree/sub/mid.txt tree/sub/up.txt
tree/ tree/a.txt tree/c.txt tree/empty1 tree/old tree/old/new.txt tree/sub tree/sub/deep.txt tree/sub/mid.txt tree/sub/up.txt
tree/c.txt
bin/ dirlink/ empty2/ opq/ shared/ tree/ tree/empty1/ tree/old/ tree/sub/
tree/.hidden tree/a.txt tree/c.txt tree/empty1 tree/old tree/sub

tree/.hidden
EOF
}

test_matrix_dash_glob() {
	matrix_layers
	MATRIX_SH=dash
	matrix_run "$GLOBS"'
		echo tree/.*; for f in shared/*; do [ -f "$f" ] && echo "file $f"; done' <<'EOF'
base.txt bin dangling dirlink empty2 link opq shared tree
tree/a.txt tree/b.txt tree/c.txt tree/empty1 tree/old tree/sub
dirlink/deep.txt dirlink/mid.txt dirlink/up.txt opq/fresh.txt shared/both.txt shared/only1.txt shared/upd.txt tree/a.txt tree/b.txt tree/c.txt
tree/sub/deep.txt tree/sub/mid.txt tree/sub/up.txt
shared/only1.txt
tree/a.txt tree/b.txt
nomatch*
bin/ dirlink/ empty2/ opq/ shared/ tree/
tree/gone*
opq/fresh.txt
tree/old/new.txt
tree/empty1/ tree/old/ tree/sub/
tree/old/new.txt tree/sub/deep.txt tree/sub/mid.txt tree/sub/up.txt
tree/.hidden shared/.h2
tree/a.txt tree/c.txt
tree/. tree/.. tree/.hidden
file shared/both.txt
file shared/only1.txt
file shared/upd.txt
EOF
}
