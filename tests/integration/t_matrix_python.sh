# The matrix, python3: open in every mode, os.walk, os.scandir, pathlib and
# glob, shutil.copytree/rmtree/move, tempfile, an sqlite3 database in a
# lower, compileall writing __pycache__; on liboverlay and on the kernel's
# overlayfs (matrix_run in lib.sh).  The programs live in $EXT, outside the
# overlay.
# shellcheck shell=bash disable=SC2016,SC2034

# py_prog NAME: the program on stdin becomes $EXT/NAME.py.
py_prog() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	mkdir -p "$EXT"
	cat >"$EXT/$1.py"
}

PY_COMMON='import errno, os, sys
def attempt(label, fn):
    try:
        r = fn()
        print(label, "ok", "" if r is None else repr(r))
    except OSError as e:
        print(label, type(e).__name__, errno.errorcode.get(e.errno, e.errno))
def listing(top="."):
    for root, dirs, files in os.walk(top):
        dirs.sort()
        print(root, sorted(dirs), sorted(files))
'

test_matrix_python_open_modes() {
	matrix_layers
	py_prog open_modes <<EOF
$PY_COMMON
def w(p, mode, data):
    with open(p, mode) as f:
        return f.write(data)
def rw(p, mode, data):
    with open(p, mode) as f:
        d = f.read(4)
        f.seek(0)
        f.write(data)
        f.seek(0)
        return d, f.read()
attempt("r lower2", lambda: open("tree/a.txt").read())
attempt("rb upper", lambda: open("tree/c.txt", "rb").read())
attempt("rt link", lambda: open("link", "rt").read())
attempt("r whiteout", lambda: open("tree/gone.txt").read())
attempt("r opaque", lambda: open("tree/old/stale.txt").read())
attempt("r dir", lambda: open("tree").read())
attempt("w lower2", lambda: w("tree/a.txt", "w", "W\n"))
attempt("wb new", lambda: w("tree/new.bin", "wb", b"\x00\x01\n"))
attempt("wt dangling", lambda: w("dangling", "wt", "via dangling\n"))
attempt("a lower1 over lower2", lambda: w("shared/both.txt", "a", "A\n"))
attempt("ab upper", lambda: w("shared/upd.txt", "ab", b"AB\n"))
attempt("a new", lambda: w("tree/sub/new.txt", "a", "new\n"))
attempt("r+ lower1", lambda: rw("tree/b.txt", "r+", "RPLS"))
attempt("rb+ lower2", lambda: rw("tree/sub/deep.txt", "rb+", b"RBPL"))
attempt("r+ missing", lambda: rw("tree/missing", "r+", "x"))
attempt("w+ lower1", lambda: rw("tree/sub/mid.txt", "w+", "wplus\n"))
attempt("a+ lower2", lambda: rw("base.txt", "a+", "aplus\n"))
attempt("x exists", lambda: w("shared/only1.txt", "x", "x"))
attempt("x whiteout", lambda: w("tree/gone.txt", "x", "x\n"))
attempt("x whited-out dir", lambda: w("tree/gonedir", "x", "x\n"))
attempt("xb new", lambda: w("opq/xb", "xb", b"xb\n"))
attempt("x opaque", lambda: w("opq/stale.txt", "x", "stale\n"))
attempt("w missing dir", lambda: w("tree/gonedir/f", "w", "x"))
attempt("w dir", lambda: w("tree/sub", "w", "x"))
attempt("r+ read-only file", lambda: (os.chmod("tree/c.txt", 0o444), rw("tree/c.txt", "r+", "R"))[1])
def osopen():
    fd = os.open("link", os.O_RDWR | os.O_APPEND)
    os.write(fd, b"appended via link\n")
    os.close(fd)
    fd = os.open("tree/old/new.txt", os.O_WRONLY | os.O_TRUNC)
    os.close(fd)
    fd = os.open("shared", os.O_RDONLY | os.O_DIRECTORY)
    fd2 = os.open("only1.txt", os.O_RDWR, dir_fd=fd)
    os.write(fd2, b"DIRFD")
    os.close(fd2)
    os.close(fd)
attempt("os.open", osopen)
attempt("O_CREAT|O_EXCL whiteout", lambda: os.close(os.open("shared/only2.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)))
attempt("O_CREAT|O_EXCL lower", lambda: os.close(os.open("shared/both.txt", os.O_CREAT | os.O_EXCL | os.O_WRONLY)))
for p in sorted(os.listdir("tree")) + ["tree/sub/deep.txt", "tree/sub/mid.txt", "tree/sub/new.txt", "base.txt", "shared/both.txt", "shared/upd.txt", "shared/only1.txt", "nowhere", "opq/xb", "opq/stale.txt", "tree/old/new.txt"]:
    p = p if "/" in p else "tree/" + p
    if os.path.isfile(p):
        print(p, oct(os.stat(p).st_mode), open(p, "rb").read())
EOF
	matrix_run '"$PY" "$EXT/open_modes.py"' <<'EOF'
r lower2 ok 'a from lower2\n'
rb upper ok b'c from upper\n'
rt link ok 'a from lower2\n'
r whiteout FileNotFoundError ENOENT
r opaque FileNotFoundError ENOENT
r dir IsADirectoryError EISDIR
w lower2 ok 2
wb new ok 3
wt dangling ok 13
a lower1 over lower2 ok 2
ab upper ok 3
a new ok 4
r+ lower1 ok ('b fr', 'RPLSom lower1\n')
rb+ lower2 ok (b'deep', b'RBPL from lower2\n')
r+ missing FileNotFoundError ENOENT
w+ lower1 ok ('', 'wplus\n')
a+ lower2 ok ('', 'base from lower2\nsecond line\naplus\n')
x exists FileExistsError EEXIST
x whiteout ok 2
x whited-out dir ok 2
xb new ok 3
x opaque ok 6
w missing dir NotADirectoryError ENOTDIR
w dir IsADirectoryError EISDIR
r+ read-only file ok ('c fr', 'R from upper\n')
os.open ok 
O_CREAT|O_EXCL whiteout ok 
O_CREAT|O_EXCL lower FileExistsError EEXIST
tree/a.txt 0o100644 b'W\nappended via link\n'
tree/b.txt 0o100644 b'RPLSom lower1\n'
tree/c.txt 0o100444 b'R from upper\n'
tree/gone.txt 0o100644 b'x\n'
tree/gonedir 0o100644 b'x\n'
tree/new.bin 0o100644 b'\x00\x01\n'
tree/sub/deep.txt 0o100644 b'RBPL from lower2\n'
tree/sub/mid.txt 0o100644 b'wplus\n'
tree/sub/new.txt 0o100644 b'new\n'
shared/both.txt 0o100644 b'both from lower1\nA\n'
shared/upd.txt 0o100644 b'upd from upper\nAB\n'
shared/only1.txt 0o100644 b'DIRFD from lower1\n'
opq/xb 0o100644 b'xb\n'
opq/stale.txt 0o100644 b'stale\n'
tree/old/new.txt 0o100644 b''
EOF
}

test_matrix_python_walk_scandir_glob() {
	matrix_layers
	py_prog walk <<EOF
$PY_COMMON
import glob, pathlib
listing()
for root, dirs, files in os.walk(".", followlinks=True):
    dirs.sort()
    print("L", root, sorted(dirs), sorted(files))
# Bottom-up: each directory after its subdirectories (the order of
# siblings is the directory order, which is not compared).
seen, lines = [], []
for root, dirs, files in os.walk("tree", topdown=False):
    lines.append(" ".join(map(str, ("bottom-up", root, all(os.path.join(root, d) in seen for d in dirs), sorted(dirs), sorted(files)))))
    seen.append(root)
print("\n".join(sorted(lines)))

def entries(it):
    for e in sorted(it, key=lambda e: e.name):
        print(" ", e.name, e.path, e.is_dir(), e.is_file(), e.is_symlink(), e.is_dir(follow_symlinks=False),
              e.stat(follow_symlinks=False).st_size if e.is_symlink() else e.stat().st_mode)
for d in (".", "tree", "tree/sub", "shared", "opq", "dirlink"):
    print("scandir", d)
    with os.scandir(d) as it:
        entries(it)
fd = os.open("tree/sub", os.O_RDONLY | os.O_DIRECTORY)
print("scandir fd")
with os.scandir(fd) as it:
    for e in sorted(it, key=lambda e: e.name):
        print(" ", e.name, e.is_file())
os.close(fd)
print(sorted(os.listdir("tree")), sorted(os.listdir(b"shared")))
P = pathlib.Path(".")
print([str(p) for p in sorted(P.glob("*/*.txt"))])
print([str(p) for p in sorted(P.rglob("*.txt"))])
print([str(p) for p in sorted(pathlib.Path("tree").glob("**"))])
print([str(p) for p in sorted(P.glob("**/sub/*"))])
print([str(p) for p in sorted(P.glob("tree/gone*"))], [str(p) for p in sorted(P.glob("opq/*"))])
print(pathlib.Path("tree/gone.txt").exists(), pathlib.Path("link").is_file(), pathlib.Path("dangling").exists(),
      pathlib.Path("dangling").is_symlink(), pathlib.Path("dirlink").is_dir(), str(pathlib.Path("dirlink").resolve()))
print(str(pathlib.Path("tree/sub/../a.txt").resolve()), pathlib.Path("tree/a.txt").read_text().strip())
print(sorted(glob.glob("**/*.txt", recursive=True)))
print(sorted(glob.glob("tree/.*")), sorted(glob.glob("*/")), sorted(glob.glob("tree/[ab].txt")))
pathlib.Path("tree/new").mkdir()
pathlib.Path("tree/new/f.txt").write_text("f\n")
pathlib.Path("tree/sub/mid.txt").unlink()
pathlib.Path("shared/both.txt").rename("shared/renamed.txt")
print([str(p) for p in sorted(P.rglob("*.txt"))])
print(os.path.getsize("tree/a.txt"), os.path.isdir("tree/old"), os.path.islink("dirlink"), os.path.lexists("dangling"))
EOF
	matrix_run '"$PY" "$EXT/walk.py"' <<'EOF'
. ['bin', 'dirlink', 'empty2', 'opq', 'shared', 'tree'] ['base.txt', 'dangling', 'link']
./bin [] ['tool.sh']
./empty2 [] []
./opq [] ['fresh.txt']
./shared [] ['both.txt', 'only1.txt', 'upd.txt']
./tree ['empty1', 'old', 'sub'] ['a.txt', 'b.txt', 'c.txt']
./tree/empty1 [] []
./tree/old [] ['new.txt']
./tree/sub [] ['deep.txt', 'mid.txt', 'up.txt']
L . ['bin', 'dirlink', 'empty2', 'opq', 'shared', 'tree'] ['base.txt', 'dangling', 'link']
L ./bin [] ['tool.sh']
L ./dirlink [] ['deep.txt', 'mid.txt', 'up.txt']
L ./empty2 [] []
L ./opq [] ['fresh.txt']
L ./shared [] ['both.txt', 'only1.txt', 'upd.txt']
L ./tree ['empty1', 'old', 'sub'] ['a.txt', 'b.txt', 'c.txt']
L ./tree/empty1 [] []
L ./tree/old [] ['new.txt']
L ./tree/sub [] ['deep.txt', 'mid.txt', 'up.txt']
bottom-up tree True ['empty1', 'old', 'sub'] ['a.txt', 'b.txt', 'c.txt']
bottom-up tree/empty1 True [] []
bottom-up tree/old True [] ['new.txt']
bottom-up tree/sub True [] ['deep.txt', 'mid.txt', 'up.txt']
scandir .
  base.txt ./base.txt False True False False 33188
  bin ./bin True False False True 16877
  dangling ./dangling False False True False 7
  dirlink ./dirlink True False True False 8
  empty2 ./empty2 True False False True 16872
  link ./link False True True False 10
  opq ./opq True False False True 16877
  shared ./shared True False False True 16877
  tree ./tree True False False True 16877
scandir tree
  a.txt tree/a.txt False True False False 33188
  b.txt tree/b.txt False True False False 33188
  c.txt tree/c.txt False True False False 33188
  empty1 tree/empty1 True False False True 16877
  old tree/old True False False True 16877
  sub tree/sub True False False True 16877
scandir tree/sub
  deep.txt tree/sub/deep.txt False True False False 33188
  mid.txt tree/sub/mid.txt False True False False 33188
  up.txt tree/sub/up.txt False True False False 33188
scandir shared
  both.txt shared/both.txt False True False False 33188
  only1.txt shared/only1.txt False True False False 33188
  upd.txt shared/upd.txt False True False False 33188
scandir opq
  fresh.txt opq/fresh.txt False True False False 33188
scandir dirlink
  deep.txt dirlink/deep.txt False True False False 33188
  mid.txt dirlink/mid.txt False True False False 33188
  up.txt dirlink/up.txt False True False False 33188
scandir fd
  deep.txt True
  mid.txt True
  up.txt True
['a.txt', 'b.txt', 'c.txt', 'empty1', 'old', 'sub'] [b'both.txt', b'only1.txt', b'upd.txt']
['dirlink/deep.txt', 'dirlink/mid.txt', 'dirlink/up.txt', 'opq/fresh.txt', 'shared/both.txt', 'shared/only1.txt', 'shared/upd.txt', 'tree/a.txt', 'tree/b.txt', 'tree/c.txt']
['base.txt', 'opq/fresh.txt', 'shared/both.txt', 'shared/only1.txt', 'shared/upd.txt', 'tree/a.txt', 'tree/b.txt', 'tree/c.txt', 'tree/old/new.txt', 'tree/sub/deep.txt', 'tree/sub/mid.txt', 'tree/sub/up.txt']
['tree', 'tree/empty1', 'tree/old', 'tree/sub']
['tree/sub/deep.txt', 'tree/sub/mid.txt', 'tree/sub/up.txt']
[] ['opq/fresh.txt']
False True False True True @T@/lower/tree/sub
@T@/lower/tree/a.txt a from lower2
['base.txt', 'dirlink/deep.txt', 'dirlink/mid.txt', 'dirlink/up.txt', 'opq/fresh.txt', 'shared/both.txt', 'shared/only1.txt', 'shared/upd.txt', 'tree/a.txt', 'tree/b.txt', 'tree/c.txt', 'tree/old/new.txt', 'tree/sub/deep.txt', 'tree/sub/mid.txt', 'tree/sub/up.txt']
[] ['bin/', 'dirlink/', 'empty2/', 'opq/', 'shared/', 'tree/'] ['tree/a.txt', 'tree/b.txt']
['base.txt', 'opq/fresh.txt', 'shared/only1.txt', 'shared/renamed.txt', 'shared/upd.txt', 'tree/a.txt', 'tree/b.txt', 'tree/c.txt', 'tree/new/f.txt', 'tree/old/new.txt', 'tree/sub/deep.txt', 'tree/sub/up.txt']
14 True True True
EOF
}

test_matrix_python_shutil() {
	matrix_layers
	py_prog shutil_ops <<EOF
$PY_COMMON
import shutil
X = os.environ["X"]
attempt("copytree", lambda: shutil.copytree("tree", "tree2", symlinks=True))
attempt("copytree merged into merged", lambda: shutil.copytree("shared", "tree/sub/sharedcopy"))
attempt("copytree exists", lambda: shutil.copytree("opq", "tree"))
attempt("copytree dirs_exist_ok", lambda: shutil.copytree("opq", "tree", dirs_exist_ok=True))
attempt("copy2", lambda: shutil.copy2("base.txt", "tree/base2.txt"))
attempt("copyfile via link", lambda: shutil.copyfile("link", "x.txt"))
attempt("copymode", lambda: shutil.copymode("bin/tool.sh", "tree/c.txt"))
attempt("rmtree merged", lambda: shutil.rmtree("tree/sub"))
attempt("rmtree opaque", lambda: shutil.rmtree("opq"))
attempt("rmtree missing", lambda: shutil.rmtree("tree/gonedir"))
attempt("rmtree missing ignored", lambda: shutil.rmtree("tree/gonedir", ignore_errors=True))
attempt("rmtree symlink", lambda: shutil.rmtree("dirlink"))
attempt("os.rename lower dir", lambda: os.rename("tree", "tree3"))
attempt("os.rename upper dir", lambda: os.rename("tree2", "tree4"))
attempt("os.replace file", lambda: os.replace("base.txt", "tree4/a.txt"))
attempt("move merged dir", lambda: shutil.move("shared", "moved_shared"))
attempt("move file", lambda: shutil.move("tree/b.txt", "tree4/b.moved"))
attempt("move lower2 dir into dir", lambda: shutil.move("empty2", "tree4"))
attempt("move out of the mount", lambda: shutil.move("bin", X + "/bin"))
attempt("move in", lambda: shutil.move(X + "/bin", "bin2"))
attempt("move onto itself", lambda: shutil.move("tree", "tree/inside"))
listing()
for p in ("x.txt", "tree4/a.txt", "tree/base2.txt", "moved_shared/both.txt", "bin2/tool.sh"):
    print(p, oct(os.stat(p).st_mode), open(p).read())
print(os.listdir(X))
EOF
	matrix_run '"$PY" "$EXT/shutil_ops.py"' <<'EOF'
copytree ok 'tree2'
copytree merged into merged ok 'tree/sub/sharedcopy'
copytree exists FileExistsError EEXIST
copytree dirs_exist_ok ok 'tree'
copy2 ok 'tree/base2.txt'
copyfile via link ok 'x.txt'
copymode ok 
rmtree merged ok 
rmtree opaque ok 
rmtree missing FileNotFoundError ENOENT
rmtree missing ignored ok 
rmtree symlink FileNotFoundError ENOENT
os.rename lower dir OSError EXDEV
os.rename upper dir ok 
os.replace file ok 
move merged dir ok 'moved_shared'
move file ok 'tree4/b.moved'
move lower2 dir into dir ok 'tree4/empty2'
move out of the mount ok '@T@/x/bin'
move in ok 'bin2'
move onto itself Error None
. ['bin2', 'moved_shared', 'tree', 'tree4'] ['dangling', 'dirlink', 'link', 'x.txt']
./bin2 [] ['tool.sh']
./moved_shared [] ['both.txt', 'only1.txt', 'upd.txt']
./tree ['empty1', 'old'] ['a.txt', 'base2.txt', 'c.txt', 'fresh.txt']
./tree/empty1 [] []
./tree/old [] ['new.txt']
./tree4 ['empty1', 'empty2', 'old', 'sub'] ['a.txt', 'b.moved', 'b.txt', 'c.txt']
./tree4/empty1 [] []
./tree4/empty2 [] []
./tree4/old [] ['new.txt']
./tree4/sub [] ['deep.txt', 'mid.txt', 'up.txt']
x.txt 0o100644 a from lower2

tree4/a.txt 0o100644 base from lower2
second line

tree/base2.txt 0o100644 base from lower2
second line

moved_shared/both.txt 0o100644 both from lower1

bin2/tool.sh 0o100755 #!/bin/sh
echo "tool $*"

[]
EOF
}

test_matrix_python_tempfile() {
	matrix_layers
	py_prog tempfiles <<EOF
$PY_COMMON
import tempfile
os.environ["TMPDIR"] = os.environ["MNT"] + "/tree"
print(tempfile.gettempdir() == os.environ["MNT"] + "/tree")
fd, p = tempfile.mkstemp(dir="tree", suffix=".tmp")
os.write(fd, b"data\n")
os.close(fd)
print(oct(os.stat(p).st_mode))
os.rename(p, "tree/fixed.tmp")
with tempfile.NamedTemporaryFile(dir="shared") as f:
    f.write(b"x")
    f.flush()
    print("named", os.path.exists(f.name), os.path.dirname(f.name))
with tempfile.NamedTemporaryFile("w", dir="opq", delete=False, prefix="keep") as f:
    f.write("kept\n")
os.rename(f.name, "opq/kept.txt")
with tempfile.TemporaryDirectory(dir="tree/sub") as d:
    open(d + "/in", "w").write("x")
    os.mkdir(d + "/deeper")
    print("tempdir", sorted(os.listdir(d)))
print("tempdir gone", os.path.exists(d))
d = tempfile.mkdtemp(dir="tree/sub", prefix="dir")
print(oct(os.stat(d).st_mode))
os.rename(d, "tree/sub/fixeddir")
with tempfile.TemporaryFile(dir="tree") as f:
    f.write(b"abc")
    f.seek(0)
    print("anonymous", f.read())
with tempfile.TemporaryFile() as f:
    f.write(b"default dir")
    f.seek(0)
    print(f.read())
with tempfile.SpooledTemporaryFile(max_size=4, dir="shared") as f:
    f.write(b"spooled to disk")
    f.seek(0)
    print(f.read())
attempt("mkstemp in a whited-out dir", lambda: tempfile.mkstemp(dir="tree/gonedir"))
listing()
EOF
	matrix_run '"$PY" "$EXT/tempfiles.py"' <<'EOF'
True
0o100600
named True @T@/lower/shared
tempdir ['deeper', 'in']
tempdir gone False
0o40700
anonymous b'abc'
b'default dir'
b'spooled to disk'
mkstemp in a whited-out dir FileNotFoundError ENOENT
. ['bin', 'dirlink', 'empty2', 'opq', 'shared', 'tree'] ['base.txt', 'dangling', 'link']
./bin [] ['tool.sh']
./empty2 [] []
./opq [] ['fresh.txt', 'kept.txt']
./shared [] ['both.txt', 'only1.txt', 'upd.txt']
./tree ['empty1', 'old', 'sub'] ['a.txt', 'b.txt', 'c.txt', 'fixed.tmp']
./tree/empty1 [] []
./tree/old [] ['new.txt']
./tree/sub ['fixeddir'] ['deep.txt', 'mid.txt', 'up.txt']
./tree/sub/fixeddir [] []
EOF
}

# The database is in the second lower; the journal (then the WAL and its
# shared memory file) are created next to it in the upper.
test_matrix_python_sqlite() {
	matrix_layers
	py_prog sqlite_ops <<EOF
import os, sqlite3
con = sqlite3.connect("data/app.db")
print(con.execute("select * from items order by id").fetchall())
con.execute("insert into items(name) values ('three')")
con.commit()
con.execute("create index by_name on items(name)")
con.execute("update items set name = upper(name) where id = 1")
con.commit()
print(con.execute("pragma journal_mode=wal").fetchone())
con.execute("insert into items(name) values ('four')")
con.commit()
con2 = sqlite3.connect("data/app.db")
print(con2.execute("select count(*) from items").fetchone())
con2.close()
print(sorted(os.listdir("data")))
con.execute("pragma wal_checkpoint(truncate)")
print(con.execute("select * from items order by id").fetchall())
print(con.execute("pragma integrity_check").fetchone())
con.close()
print(sorted(os.listdir("data")))
con = sqlite3.connect("data/new.db")
con.execute("create table t(x)")
con.executemany("insert into t values (?)", [(i,) for i in range(100)])
con.commit()
print(con.execute("select sum(x) from t").fetchone())
con.close()
print(sorted(os.listdir("data")))
EOF
	"$(command -v python3)" - "$L2/data/app.db" <<'EOF' || skip "python3 has no sqlite3 module"
import os, sqlite3, sys
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
con = sqlite3.connect(sys.argv[1])
con.execute("create table items(id integer primary key, name text)")
con.executemany("insert into items(name) values (?)", [("one",), ("two",)])
con.commit()
con.close()
EOF
	put "$L/data/README" "the database is in the second lower"
	matrix_run '"$PY" "$EXT/sqlite_ops.py"' <<'EOF'
[(1, 'one'), (2, 'two')]
('wal',)
(4,)
['README', 'app.db', 'app.db-shm', 'app.db-wal']
[(1, 'ONE'), (2, 'two'), (3, 'three'), (4, 'four')]
('ok',)
['README', 'app.db']
(4950,)
['README', 'app.db', 'new.db']
EOF
}

test_matrix_python_compileall() {
	matrix_layers
	put "$L/pkg/__init__.py" "from . import mod"
	put "$L2/pkg/mod.py" "def f():" "    return 'f from mod'"
	put "$L2/pkg/sub/__init__.py" ""
	put "$L/pkg/sub/x.py" "X = 42"
	put "$U/pkg/up.py" "UP = 'up'"
	put "$L2/pkg/bad.py" "def broken(:"
	MATRIX_RC=1 # compileall: bad.py
	matrix_run '"$PY" -m compileall -q pkg; echo "compileall: $?"; ls -R pkg
		"$PY" -c "import pkg, pkg.sub.x, pkg.up; print(pkg.mod.f(), pkg.sub.x.X, pkg.up.UP)"
		echo "def f(): return \"edited\"" > pkg/mod.py && touch -d @1700000000 pkg/mod.py
		"$PY" -c "import pkg; print(pkg.mod.f())"; ls pkg/__pycache__
		rm -r pkg/sub/__pycache__ && "$PY" -m compileall -q --invalidation-mode checked-hash pkg/sub && ls pkg/sub/__pycache__
		"$PY" -m py_compile pkg/bad.py' <<'EOF'
*** Error compiling 'pkg/bad.py'...
  File "pkg/bad.py", line 1
    def broken(:
               ^
SyntaxError: invalid syntax

compileall: 1
pkg:
__init__.py
__pycache__
bad.py
mod.py
sub
up.py

pkg/__pycache__:
__init__.cpython-311.pyc
mod.cpython-311.pyc
up.cpython-311.pyc

pkg/sub:
__init__.py
__pycache__
x.py

pkg/sub/__pycache__:
__init__.cpython-311.pyc
x.cpython-311.pyc
f from mod 42 up
edited
__init__.cpython-311.pyc
mod.cpython-311.pyc
up.cpython-311.pyc
__init__.cpython-311.pyc
x.cpython-311.pyc
  File "pkg/bad.py", line 1
    def broken(:
               ^
SyntaxError: invalid syntax
EOF
}
