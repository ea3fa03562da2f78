"""Seeded generators: a layered tree (two lowers and a pre-populated upper)
and a sequence of operations on its merged view.

A tree is a list of entries, parents before children, each a dict
  {'layer': 'L1'|'L2'|'U', 'path': 'a/b', 'kind': K, ...}
with K one of dir, file, symlink, hardlink (src: a file of the same layer),
whiteout (hides path in the layers below), opaque (the directory at path
hides the layers below).  Symlink targets use '@M@' for the mount point.

An op is (proc, code): Python source run by worker `proc` (side.py), which
sets `r` to its result; paths are written as M + '/a/b', relative to the
op's cwd, or relative to an open directory descriptor H[n].
"""
import posixpath
import random

NAMES = ['a', 'b', 'c', 'd', 'e', 'f.txt', 'g', 'h h']
FILE_MODES = [0o644, 0o644, 0o600, 0o755, 0o444, 0o640, 0o4755, 0o2750, 0o000, 0o666]
DIR_MODES = [0o755, 0o755, 0o700, 0o775, 0o1777, 0o555, 0o750]
OWNERS = [(0, 0), (0, 0), (1000, 1000), (65534, 65534), (1000, 0), (0, 100)]
T0 = 1_000_000_000 * 10**9      # explicit times: 2001, far below "now"
LAYERS = ('L2', 'L1', 'U')      # bottom first


def rtime(rng):
    return T0 + rng.randrange(10**6) * 10**9 + rng.randrange(10**9)


def join(d, n):
    return n if not d else d + '/' + n


# ---------------------------------------------------------------------------
# Trees

def gen_tree(rng):
    tree = []
    files = {L: [] for L in LAYERS}     # hard link sources, per layer

    def attrs(kind):
        uid, gid = rng.choice(OWNERS)
        return {'uid': uid, 'gid': gid, 'mtime': rtime(rng),
                'mode': rng.choice(DIR_MODES if kind == 'dir' else FILE_MODES)}

    def node(layer, p, depth):
        """One name in one layer; True if it is a directory there."""
        roll = rng.random()
        if roll < 0.3:
            return False
        if roll < (0.7 if depth == 0 else 0.55) and depth < 3:
            tree.append(dict(layer=layer, path=p, kind='dir', **attrs('dir')))
            return True
        if roll < 0.82:
            n = rng.choice([0, 1, 5, 12, 40])
            body = ('%s:%s:' % (layer, p) + 'x' * n)[:n]
            tree.append(dict(layer=layer, path=p, kind='file', data=body, **attrs('file')))
            files[layer].append(p)
        elif roll < 0.9:
            tree.append(dict(layer=layer, path=p, kind='symlink', target=None, **attrs('symlink')))
        elif roll < 0.96 and layer != 'L2':
            tree.append(dict(layer=layer, path=p, kind='whiteout'))
        elif files[layer]:
            tree.append(dict(layer=layer, path=p, kind='hardlink', src=rng.choice(files[layer])))
        return False

    def visit(rel, present, depth):
        k = rng.randint(5, 7) if depth == 0 else rng.randint(2, 4)
        for n in sorted(rng.sample(NAMES, k)):
            p = join(rel, n)
            sub = [L for L in present if node(L, p, depth)]
            if sub:
                visit(p, sub, depth + 1)
        for L in present:
            if rel and L != 'L2' and rng.random() < 0.15:
                tree.append(dict(layer=L, path=rel, kind='opaque'))

    visit('', list(LAYERS), 0)
    fill_symlink_targets(rng, tree)
    return drop_unmerged_whiteouts(tree)


def drop_unmerged_whiteouts(tree):
    """Keep a whiteout only where the kernel merges its directory with the
    layer below.  The kernel lists a directory that lives in one layer
    (or is opaque) straight from that layer, whiteout devices included (it
    never makes such whiteouts itself), where the library hides them: a
    difference of the test set-up, not of behaviour."""
    dirs = {(e['layer'], e['path']) for e in tree if e['kind'] == 'dir'}
    opaque = {(e['layer'], e['path']) for e in tree if e['kind'] == 'opaque'}
    below = {'U': 'L1', 'L1': 'L2'}

    def merged(layer, d):
        if not d:
            return True
        return ((layer, d) in dirs and (layer, d) not in opaque and (below[layer], d) in dirs
                and merged(layer, posixpath.dirname(d)))

    return [e for e in tree if e['kind'] != 'whiteout'
            or merged(e['layer'], posixpath.dirname(e['path']))]


def fill_symlink_targets(rng, tree):
    paths = sorted({e['path'] for e in tree if e['kind'] not in ('opaque', 'whiteout')})
    dirs = sorted({e['path'] for e in tree if e['kind'] == 'dir'})
    for e in tree:
        if e['kind'] == 'symlink':
            e['target'] = symlink_target(rng, e['path'], paths, dirs)


def symlink_target(rng, at, paths, dirs):
    """Relative, absolute into the mount, dangling, to a directory; never
    out of the mount (a write through it would reach the host)."""
    here = posixpath.dirname(at) or '.'
    roll = rng.random()
    if roll < 0.3 and paths:
        return posixpath.relpath(rng.choice(paths), here)
    if roll < 0.45 and dirs:
        return posixpath.relpath(rng.choice(dirs), here)
    if roll < 0.6 and paths:
        return '@M@/' + rng.choice(paths)
    if roll < 0.7 and dirs:
        return '@M@/' + rng.choice(dirs)
    if roll < 0.8:
        return rng.choice(['missing', 'missing/x', '@M@/nowhere'])
    if roll < 0.85 and here != '.':
        return '..'
    return rng.choice(['.', 'f.txt', 'a/b', 'new0'])


# ---------------------------------------------------------------------------
# Operations

LOOKS = ['stat', 'lstat', 'access', 'readlink', 'listdir', 'scandir',
         'walk', 'cat', 'getcwd', 'fstat', 'read', 'scandir_fd']
CHANGES = ['open', 'open', 'open', 'write', 'write', 'ftruncate', 'fchmod',
           'fchown', 'futime', 'close', 'unlink', 'unlink', 'rmdir', 'mkdir',
           'mkdir', 'rename', 'rename', 'renameat2', 'link', 'symlink',
           'chmod', 'chown', 'utime', 'truncate', 'chdir', 'opendir', 'rmtree']


class NeedOpen(Exception):
    pass


class OpGen:
    def __init__(self, rng, tree, procs):
        self.rng = rng
        self.procs = procs
        self.paths = sorted({e['path'] for e in tree})
        self.dirs = sorted({e['path'] for e in tree if e['kind'] == 'dir'})
        self.links = {e['path']: e['target'] for e in tree if e['kind'] == 'symlink'}
        self.fresh = 0
        self.next_handle = 0
        self.handles = []       # (id, proc, virtual path, is a directory)
        self.cwd = [''] * procs     # the workers start at the mount's root

    # -- names
    def new_name(self):
        self.fresh += 1
        return 'n%d' % self.fresh

    def pick_path(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            return join(rng.choice([''] + self.dirs), self.new_name())
        if roll < 0.2 and self.links:
            return self.through_symlink()
        if roll < 0.23:
            return ''
        return rng.choice(self.paths)

    def through_symlink(self):
        """A path whose middle is a symlink (to a directory, or not)."""
        s = self.rng.choice(sorted(self.links))
        t = self.links[s].replace('@M@/', '')
        kids = [p for p in self.paths if p.startswith(t + '/')]
        if kids:
            return s + self.rng.choice(kids)[len(t):]
        return s + '/' + self.rng.choice(NAMES)

    def decorate(self, p):
        """Trailing slashes, '.', '..' and '//' that must resolve the same."""
        rng = self.rng
        roll = rng.random()
        if p and roll < 0.1:
            return p + '/'
        if '/' in p and roll < 0.14:
            first = p.split('/')[0]
            return first + '/../' + p
        if '/' in p and roll < 0.17:
            return p.replace('/', '//', 1)
        if p and roll < 0.2:
            return p + '/.'
        return p

    def where(self, proc, p, allow_fd=True):
        """Render path p (virtual, relative to the mount) for proc: returns
        (expression, dir_fd handle or None)."""
        rng = self.rng
        p = self.decorate(p)
        bare = p.rstrip('/')
        tail = p[len(bare):]
        fds = [h for h in self.handles if h[1] == proc and h[3]]
        roll = rng.random()
        if allow_fd and fds and roll < 0.2:
            h = rng.choice(fds)
            rel = posixpath.relpath(bare or '.', h[2] or '.')
            if self.climb_ok(rel):
                return repr(rel + tail), h[0]
        elif roll < 0.45:
            rel = posixpath.relpath(bare or '.', self.cwd[proc] or '.')
            if self.climb_ok(rel):
                return repr(rel + tail), None
        return ("M + %r" % ('/' + p) if p else 'M'), None

    def climb_ok(self, rel):
        """A relative path that climbs with '..' is used less often: where
        the model's cwd (or directory descriptor) is wrong, a failed chdir,
        an open of a non-directory, it leaves the mount (into the padding
        directories, see side.PADDING)."""
        return not rel.startswith('..') or self.rng.random() < 0.25

    def path_arg(self, proc, p, kw='dir_fd'):
        e, h = self.where(proc, p)
        return e + (', %s=H[%d]' % (kw, h) if h is not None else '')

    def handle(self, proc, want_dir=None):
        hs = [h for h in self.handles if h[1] == proc and (want_dir is None or h[3] == want_dir)]
        if not hs:
            raise NeedOpen(want_dir)
        return self.rng.choice(hs)[0]

    def add(self, p):
        p = posixpath.normpath(p) if p else p
        if p and p not in self.paths and not p.startswith('..'):
            self.paths.append(p)

    # -- ops
    def gen(self, n):
        ops = []
        for _ in range(n):
            change = self.rng.random() < 0.55
            kind = self.rng.choice(CHANGES if change else LOOKS)
            proc = 0
            if self.procs == 2:     # mostly: one changes, the other looks
                proc = (0 if change else 1) if self.rng.random() < 0.75 else self.rng.randint(0, 1)
            try:
                code = getattr(self, 'op_' + kind)(proc)
            except NeedOpen as e:   # a descriptor op, and none is open yet
                code = self.op_opendir(proc) if e.args[0] else self.op_open(proc)
            ops.append((proc, code))
        return ops

    def op_stat(self, proc):
        return 'r = os.stat(%s)' % self.path_arg(proc, self.pick_path())

    def op_lstat(self, proc):
        return 'r = os.lstat(%s)' % self.path_arg(proc, self.pick_path())

    def op_access(self, proc):
        mode = self.rng.choice(['os.F_OK', 'os.R_OK', 'os.W_OK', 'os.X_OK', 'os.R_OK | os.W_OK'])
        e, h = self.where(proc, self.pick_path())
        return 'r = os.access(%s, %s%s)' % (e, mode, ', dir_fd=H[%d]' % h if h is not None else '')

    def op_readlink(self, proc):
        p = self.rng.choice(sorted(self.links)) if self.links and self.rng.random() < 0.6 else self.pick_path()
        return 'r = os.readlink(%s)' % self.path_arg(proc, p)

    def op_listdir(self, proc):
        return 'r = sorted(os.listdir(%s))' % self.where(proc, self.pick_dir(), False)[0]

    def op_scandir(self, proc):
        return 'r = scan(%s)' % self.where(proc, self.pick_dir(), False)[0]

    def op_scandir_fd(self, proc):
        return 'r = scan(H[%d])' % self.handle(proc, True)

    def op_walk(self, proc):
        return 'r = walk(%s)' % self.where(proc, self.pick_dir(), False)[0]

    def op_cat(self, proc):
        return 'r = cat(%s)' % self.where(proc, self.pick_path(), False)[0]

    def op_getcwd(self, proc):
        return 'r = os.getcwd()'

    def op_fstat(self, proc):
        return 'r = os.fstat(H[%d])' % self.handle(proc)

    def op_read(self, proc):
        n = self.rng.choice([1, 4, 100])
        off = self.rng.choice([None, None, 0, 2, 30])
        return 'r = rd(H[%d], %d%s)' % (self.handle(proc, False), n, '' if off is None else ', %d' % off)

    def pick_dir(self):
        return self.rng.choice([''] + self.dirs) if self.rng.random() < 0.8 else self.pick_path()

    def open_flags(self):
        rng = self.rng
        f = [rng.choice(['os.O_RDONLY', 'os.O_WRONLY', 'os.O_RDWR'])]
        for flag, prob in (('os.O_CREAT', 0.35), ('os.O_EXCL', 0.1), ('os.O_TRUNC', 0.2),
                           ('os.O_APPEND', 0.15), ('os.O_DIRECTORY', 0.08), ('os.O_NOFOLLOW', 0.1)):
            if rng.random() < prob:
                f.append(flag)
        return f

    def op_open(self, proc):
        p = self.pick_path()
        flags = self.open_flags()
        if 'os.O_CREAT' in flags:
            self.add(p)
        return self.opened(proc, p, ' | '.join(flags), p in self.dirs or p == '')

    def op_opendir(self, proc):
        p = self.pick_dir()
        return self.opened(proc, p, 'os.O_RDONLY | os.O_DIRECTORY', True)

    def opened(self, proc, p, flags, isdir):
        e, hd = self.where(proc, p)
        self.next_handle += 1
        h = self.next_handle
        self.handles.append((h, proc, posixpath.normpath(p) if p else '', isdir))
        mode = self.rng.choice(['0o644', '0o600', '0o777'])
        fd = ', dir_fd=H[%d]' % hd if hd is not None else ''
        return 'H[%d] = os.open(%s, %s, %s%s); r = os.fstat(H[%d])' % (h, e, flags, mode, fd, h)

    def blob(self):
        self.fresh += 1
        return repr(('W%d-' % self.fresh + 'y' * self.rng.choice([0, 3, 20])).encode())

    def op_write(self, proc):
        h = self.handle(proc, False)
        if self.rng.random() < 0.4:
            return 'r = os.pwrite(H[%d], %s, %d)' % (h, self.blob(), self.rng.choice([0, 3, 50]))
        return 'r = os.write(H[%d], %s)' % (h, self.blob())

    def op_ftruncate(self, proc):
        return 'r = os.ftruncate(H[%d], %d)' % (self.handle(proc, False), self.rng.choice([0, 2, 100]))

    def mode(self):
        return oct(self.rng.choice(FILE_MODES + DIR_MODES))

    def owner(self):
        u, g = self.rng.choice(OWNERS + [(-1, 1000), (1000, -1)])
        return '%d, %d' % (u, g)

    def times(self):
        return 'ns=(%d, %d)' % (rtime(self.rng), rtime(self.rng))

    def op_fchmod(self, proc):
        return 'r = os.fchmod(H[%d], %s)' % (self.handle(proc), self.mode())

    def op_fchown(self, proc):
        return 'r = os.fchown(H[%d], %s)' % (self.handle(proc), self.owner())

    def op_futime(self, proc):
        return 'r = os.utime(H[%d], %s)' % (self.handle(proc), self.times())

    def op_close(self, proc):
        h = self.handle(proc)
        self.handles = [x for x in self.handles if x[0] != h]
        return 'r = os.close(H.pop(%d))' % h

    def op_unlink(self, proc):
        return 'r = os.unlink(%s)' % self.path_arg(proc, self.pick_path())

    def op_rmdir(self, proc):
        return 'r = os.rmdir(%s)' % self.path_arg(proc, self.pick_dir())

    def op_rmtree(self, proc):
        return 'r = shutil.rmtree(%s)' % self.where(proc, self.pick_dir() or 'a', False)[0]

    def op_mkdir(self, proc):
        p = self.pick_path() if self.rng.random() < 0.5 else join(self.pick_dir(), self.new_name())
        self.add(p)
        if p and posixpath.normpath(p) not in self.dirs:
            self.dirs.append(posixpath.normpath(p))
        e, h = self.where(proc, p)
        return 'r = os.mkdir(%s, %s%s)' % (e, self.mode(), ', dir_fd=H[%d]' % h if h is not None else '')

    def two_paths(self, proc):
        a = self.pick_path()
        b = self.pick_path() if self.rng.random() < 0.5 else join(self.pick_dir(), self.new_name())
        self.add(b)
        fds = [h for h in self.handles if h[1] == proc and h[3]]
        if fds and self.rng.random() < 0.2:      # both relative to one directory fd
            h = self.rng.choice(fds)
            ra = posixpath.relpath(a or '.', h[2] or '.')
            rb = posixpath.relpath(b or '.', h[2] or '.')
            return repr(ra), repr(rb), h[0]
        return self.where(proc, a, False)[0], self.where(proc, b, False)[0], None

    def op_rename(self, proc):
        a, b, h = self.two_paths(proc)
        if h is not None:
            return 'r = os.rename(%s, %s, src_dir_fd=H[%d], dst_dir_fd=H[%d])' % (a, b, h, h)
        return 'r = os.rename(%s, %s)' % (a, b)

    def op_renameat2(self, proc):
        a, b, h = self.two_paths(proc)
        flag = self.rng.choice(['RENAME_NOREPLACE', 'RENAME_EXCHANGE', '0'])
        if h is not None:
            return 'r = renameat2(%s, %s, %s, H[%d], H[%d])' % (a, b, flag, h, h)
        return 'r = renameat2(%s, %s, %s)' % (a, b, flag)

    def op_link(self, proc):
        a, b, h = self.two_paths(proc)
        fl = ', follow_symlinks=False' if self.rng.random() < 0.3 else ''
        if h is not None:
            return 'r = os.link(%s, %s, src_dir_fd=H[%d], dst_dir_fd=H[%d]%s)' % (a, b, h, h, fl)
        return 'r = os.link(%s, %s%s)' % (a, b, fl)

    def op_symlink(self, proc):
        p = self.pick_path() if self.rng.random() < 0.3 else join(self.pick_dir(), self.new_name())
        self.add(p)
        t = symlink_target(self.rng, p, self.paths, self.dirs)
        if p:
            self.links[posixpath.normpath(p)] = t
        target = 'M + %r' % t[3:] if t.startswith('@M@') else repr(t)
        return 'r = os.symlink(%s, %s)' % (target, self.path_arg(proc, p))

    def op_chmod(self, proc):
        e, h = self.where(proc, self.pick_path())
        return 'r = os.chmod(%s, %s%s)' % (e, self.mode(), ', dir_fd=H[%d]' % h if h is not None else '')

    def op_chown(self, proc):
        e, h = self.where(proc, self.pick_path())
        fl = ', follow_symlinks=False' if self.rng.random() < 0.4 else ''
        return 'r = os.chown(%s, %s%s%s)' % (e, self.owner(), ', dir_fd=H[%d]' % h if h is not None else '', fl)

    def op_utime(self, proc):
        e, h = self.where(proc, self.pick_path())
        fl = ', follow_symlinks=False' if self.rng.random() < 0.4 else ''
        return 'r = os.utime(%s, %s%s%s)' % (e, self.times(), ', dir_fd=H[%d]' % h if h is not None else '', fl)

    def op_truncate(self, proc):
        return 'r = os.truncate(%s, %d)' % (self.where(proc, self.pick_path(), False)[0],
                                            self.rng.choice([0, 3, 64]))

    def op_chdir(self, proc):
        if self.rng.random() < 0.2:
            h = self.handle(proc, True)
            for x in self.handles:
                if x[0] == h:
                    self.cwd[proc] = x[2]
            return 'os.fchdir(H[%d]); r = os.getcwd()' % h
        p = self.pick_dir()
        code = 'os.chdir(%s); r = os.getcwd()' % self.where(proc, p, False)[0]
        if p in self.dirs or p == '':
            self.cwd[proc] = p
        return code


def generate(seed, nops, procs):
    """The (tree, ops) of one seed."""
    rng = random.Random(seed)
    tree = gen_tree(rng)
    ops = OpGen(rng, tree, procs).gen(nops)
    return tree, ops
