#!/usr/bin/env python3
"""One side of a differential run: the engine shared by fuzz.py and by the
reproducers it writes (a reproducer is a copy of this file with its data on
top, so it runs without the fuzzer).

Three roles, chosen by the command line:

  side.py --worker MOUNT   a long-lived executor: reads one JSON line per op
                           ({"code": PYTHON}), runs it, writes one JSON line
                           with the result.  Run under the library (LD_PRELOAD)
                           or inside the kernel mount's namespace.
  side.py --side           reads a job (JSON on stdin: tree, ops, format,
                           root, mount, lib, procs), builds that side's layers,
                           mounts the kernel overlay when format is "kernel"
                           (run it under `unshare -m`), starts the workers,
                           feeds them the ops, takes the merged view from a
                           fresh worker, and prints the outcome as JSON.
  (no option)              reproducer mode: runs both sides of the TREE and
                           OPS defined above this engine and prints both.

Only the standard library: python3 is all CI has.
"""
import ctypes
import errno
import hashlib
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import time

# Times below this (ns since the epoch) were set explicitly (the tree's
# times, utime ops); anything later was set by the clock ("now") and only
# its being later is compared: the two sides run at different moments.
EXPLICIT_TIME_LIMIT = 1_500_000_000 * 10**9
OP_TIMEOUT = 10.0          # seconds for one op before we call it a hang
OPAQUE_XATTR = 'trusted.overlay.opaque'

TYPES = {stat.S_IFREG: 'f', stat.S_IFDIR: 'd', stat.S_IFLNK: 'l',
         stat.S_IFCHR: 'c', stat.S_IFBLK: 'b', stat.S_IFIFO: 'p',
         stat.S_IFSOCK: 's'}


# ---------------------------------------------------------------------------
# Worker helpers: what an op's code can call.  Results must be JSON values.

def mtime(ns):
    return ns if ns < EXPLICIT_TIME_LIMIT else 'now'


def st(s):
    """The stat fields that both sides must agree on (no st_ino/st_dev, no
    atime/ctime; for directories no size, nlink or mtime)."""
    t = stat.S_IFMT(s.st_mode)
    d = {'type': TYPES.get(t, '?'), 'mode': oct(stat.S_IMODE(s.st_mode)),
         'uid': s.st_uid, 'gid': s.st_gid}
    if t != stat.S_IFDIR:
        d.update(size=s.st_size, nlink=s.st_nlink, mtime=mtime(s.st_mtime_ns))
    return d


def data(b):
    return b.decode('latin-1')


def rd(fd, n, off=None):
    return data(os.read(fd, n) if off is None else os.pread(fd, n, off))


def cat(path):
    with open(path, 'rb') as f:
        return data(f.read())


def scan(path):
    """A listing with d_type as scandir reports it (no stat: follow_symlinks
    False answers from d_type)."""
    with os.scandir(path) as it:
        return sorted([e.name, e.is_dir(follow_symlinks=False),
                       e.is_file(follow_symlinks=False), e.is_symlink()]
                      for e in it)


def walk(top):
    # os.walk's visiting order follows the listing order: sort it.
    return sorted([d, sorted(ds), sorted(fs)] for d, ds, fs in os.walk(top))


_libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2


def renameat2(old, new, flags, olddir=AT_FDCWD, newdir=AT_FDCWD):
    """glibc's renameat2 through the dynamic symbol, so the library sees it."""
    rc = _libc.renameat2(olddir, os.fsencode(old), newdir, os.fsencode(new),
                         flags)
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e), old)
    return rc


def entry(path):
    """One entry of a merged-view manifest."""
    s = os.lstat(path)
    d = st(s)
    try:
        if stat.S_ISREG(s.st_mode):
            with open(path, 'rb') as f:
                d['sha'] = hashlib.sha256(f.read()).hexdigest()[:16]
        elif stat.S_ISLNK(s.st_mode):
            d['target'] = os.readlink(path)
    except OSError as e:
        d['read'] = errno.errorcode.get(e.errno, str(e.errno))
    return d


def manifest(top):
    """The whole merged view under top: {relative path: entry}."""
    out = {'.': entry(top)}

    def visit(rel):
        base = os.path.join(top, rel) if rel else top
        try:
            names = sorted(os.listdir(base))
        except OSError as e:
            out[(rel or '.') + '/'] = errno.errorcode.get(e.errno, '?')
            return
        for n in names:
            r = os.path.join(rel, n) if rel else n
            try:
                out[r] = entry(os.path.join(top, r))
            except OSError as e:
                out[r] = errno.errorcode.get(e.errno, '?')
                continue
            if out[r]['type'] == 'd':
                visit(r)
    visit('')
    return out


def norm(r):
    """Make an op's result JSON-able."""
    if isinstance(r, os.stat_result):
        return st(r)
    if isinstance(r, bytes):
        return data(r)
    if isinstance(r, (list, tuple)):
        return [norm(x) for x in r]
    if isinstance(r, dict):
        return {k: norm(v) for k, v in r.items()}
    return r


def worker(mount):
    os.umask(0o022)
    env = {'os': os, 'shutil': shutil, 'M': mount, 'H': {}, 'st': st,
           'rd': rd, 'cat': cat, 'scan': scan, 'walk': walk,
           'renameat2': renameat2, 'manifest': manifest,
           'RENAME_NOREPLACE': RENAME_NOREPLACE, 'RENAME_EXCHANGE': RENAME_EXCHANGE}
    for line in sys.stdin:
        code = json.loads(line)['code']
        env.pop('r', None)
        try:
            exec(code, env)
            r = norm(env.get('r', 'ok'))
        except OSError as e:
            r = {'errno': errno.errorcode.get(e.errno, str(e.errno))}
        except Exception as e:      # a missing handle, a bad argument
            r = {'exc': type(e).__name__}
        sys.stdout.write(json.dumps(r, sort_keys=True) + '\n')
        sys.stdout.flush()


# ---------------------------------------------------------------------------
# Layers.  A tree is a list of entries {layer, path, kind, ...}; the same
# list is built in the library's format (.wh.NAME files, .wh..wh..opq
# markers) or in the kernel's (0/0 character devices, the opaque xattr).

def build_layers(tree, root, fmt, mount):
    for name in ('L1', 'L2', 'U') + (('W',) if fmt == 'kernel' else ()):
        os.makedirs(os.path.join(root, name))
    dirs = []
    for e in tree:
        base = os.path.join(root, e['layer'])
        p = os.path.join(base, e['path'])
        parent = os.path.dirname(p)
        if e['kind'] != 'opaque':
            # A minimised tree may have lost an entry's parent: make one.
            if os.path.lexists(p) or (os.path.lexists(parent) and not os.path.isdir(parent)):
                continue
            os.makedirs(parent, exist_ok=True)
        make_entry(e, base, p, fmt, mount, dirs)
    for p, t in reversed(dirs):     # after their contents were made
        os.utime(p, ns=(t, t))


def make_entry(e, base, p, fmt, mount, dirs):
    kind = e['kind']
    if kind == 'dir':
        os.mkdir(p)
        dirs.append((p, e['mtime']))
    elif kind == 'file':
        with open(p, 'wb') as f:
            f.write(e['data'].encode('latin-1'))
    elif kind == 'symlink':
        os.symlink(e['target'].replace('@M@', mount), p)
    elif kind == 'hardlink':
        src = os.path.join(base, e['src'])
        if os.path.isfile(src) and not os.path.islink(src):
            os.link(src, p)
        return
    elif kind == 'whiteout':
        if fmt == 'kernel':
            os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(0, 0))
        else:
            d, n = os.path.split(p)
            open(os.path.join(d, '.wh.' + n), 'wb').close()
        return
    elif kind == 'opaque':
        if not os.path.isdir(p) or os.path.islink(p):
            return
        if fmt == 'kernel':
            os.setxattr(p, OPAQUE_XATTR, b'y')
        else:
            open(os.path.join(p, '.wh..wh..opq'), 'wb').close()
        return
    os.chown(p, e['uid'], e['gid'], follow_symlinks=False)
    if kind != 'symlink':
        os.chmod(p, e['mode'])
    if kind != 'dir':
        os.utime(p, ns=(e['mtime'], e['mtime']), follow_symlinks=False)


def host_manifest(top):
    """Everything about a host tree that a change would touch (the lowers
    must stay byte for byte, time for time, as they were)."""
    out = {}

    def visit(p):
        s = os.lstat(p)
        rec = [oct(s.st_mode), s.st_uid, s.st_gid, s.st_nlink, s.st_mtime_ns,
               s.st_ctime_ns, s.st_ino]
        if stat.S_ISREG(s.st_mode):
            with open(p, 'rb') as f:
                rec.append(hashlib.sha256(f.read()).hexdigest()[:16])
        elif stat.S_ISLNK(s.st_mode):
            rec.append(os.readlink(p))
        else:
            rec.append(sorted(os.listxattr(p, follow_symlinks=False)))
        out[os.path.relpath(p, top)] = rec
        if stat.S_ISDIR(s.st_mode):
            for n in sorted(os.listdir(p)):
                visit(os.path.join(p, n))
    visit(top)
    return out


# ---------------------------------------------------------------------------
# The side runner.

class Worker:
    def __init__(self, argv, env, cwd):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=env, cwd=cwd)

    def ask(self, code, timeout=OP_TIMEOUT):
        """The op's result, or {"hang": ...} / {"crash": status}."""
        try:
            self.p.stdin.write((json.dumps({'code': code}) + '\n').encode())
            self.p.stdin.flush()
        except BrokenPipeError:
            return {'crash': self.p.wait()}
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not ready:
            self.p.kill()
            self.p.wait()
            return {'hang': timeout}
        line = self.p.stdout.readline()
        if not line:
            return {'crash': self.p.wait()}
        return json.loads(line)

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=OP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def worker_env(job):
    # OVERLAY_PRELOAD_EXTRA: as for overlay-run, e.g. the ASan runtime that a
    # sanitizer build of the library needs loaded first.
    extra = os.environ.get('OVERLAY_PRELOAD_EXTRA', '')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('OVERLAY_') and k != 'LD_PRELOAD'}
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    if job['format'] == 'lib':
        r = job['root']
        env.update(LD_PRELOAD=(extra + ' ' if extra else '') + job['lib'], OVERLAY_UPPER=r + '/U',
                   OVERLAY_LOWER=r + '/L1:' + r + '/L2',
                   OVERLAY_MOUNT=job['mount'])
    return env


def mount_kernel(root, mnt):
    base = 'lowerdir={0}/L1:{0}/L2,upperdir={0}/U,workdir={0}/W'.format(root)
    err = ''
    for opts in (base + ',redirect_dir=off,index=off,metacopy=off', base):
        p = subprocess.run(['mount', '-t', 'overlay', 'overlay', '-o', opts, mnt],
                           stderr=subprocess.PIPE, text=True)
        if p.returncode == 0:
            return None
        err = p.stderr.strip()
    return err or 'mount failed'


def run_side(job):
    root, mnt = job['root'], job['mount']
    build_layers(job['tree'], root, job['format'], mnt)
    out = {'results': []}
    if job['format'] == 'kernel':
        err = mount_kernel(root, mnt)
        if err:
            return {'mount_error': err}
    else:
        before = {L: host_manifest(os.path.join(root, L)) for L in ('L1', 'L2')}
    argv = [sys.executable, os.path.abspath(__file__), '--worker', mnt]
    if job['format'] == 'lib' and job.get('supervise'):
        # the second front end: the supervisor beside the library answers
        # the workers' calls (the library stands aside under it)
        argv = [os.path.join(os.path.dirname(job['lib']), 'overlay-supervise')] + argv
    env = worker_env(job)
    # Workers start in the mount: a relative path must never reach the host.
    workers = [Worker(argv, env, mnt) for _ in range(job['procs'])]
    for proc, code in job['ops']:
        r = workers[proc].ask(code)
        out['results'].append(r)
        if isinstance(r, dict) and ('hang' in r or 'crash' in r):
            break
    for w in workers:
        w.close()
    fresh = Worker(argv, env, mnt)   # the view as a new process sees it
    out['manifest'] = fresh.ask('r = manifest(M)', timeout=60)
    fresh.close()
    if job['format'] == 'kernel':
        subprocess.run(['umount', mnt])
    else:
        out['lowers'] = lower_changes(root, before)
    return out


def lower_changes(root, before):
    changed = []
    for L, old in before.items():
        new = host_manifest(os.path.join(root, L))
        for p in sorted(set(old) | set(new)):
            if old.get(p) != new.get(p):
                changed.append('%s/%s: %s -> %s' % (L, p, old.get(p), new.get(p)))
    return changed


def side_main():
    job = json.load(sys.stdin)
    out = run_side(job)
    sys.stdout.write(json.dumps(out) + '\n')


# ---------------------------------------------------------------------------
# Running a whole job on both sides (used by fuzz.py and by reproducers).

def run_job(job, fmt, timeout=300):
    """Run one side in a child process (under `unshare -m` for the kernel);
    returns its outcome dict."""
    fresh_padding(job['root'])
    j = dict(job, format=fmt, root=job['root'] + '/' + fmt)
    argv = [sys.executable, os.path.abspath(__file__), '--side']
    if fmt == 'kernel':
        argv = ['unshare', '-m'] + argv
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        o, e = p.communicate(json.dumps(j).encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        p.communicate()
        return {'side_error': 'timeout after %ds' % timeout}
    if p.returncode != 0 or not o.strip():
        return {'side_error': 'status %d: %s' % (p.returncode, e.decode()[-2000:])}
    return json.loads(o)


# The mount point sits this deep in the run's directory, so that a path that
# climbs out of the mount with "..", through a symlink moved to a shallower
# place, lands in these padding directories, never in /tmp or /.
PADDING = '/0/1/2/3/4'


def mount_of(root):
    return root + PADDING + '/M'


def fresh_root(root):
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(mount_of(root))


def fresh_padding(root):
    """What one side left in the padding must not be seen by the other."""
    shutil.rmtree(root + '/' + PADDING.split('/')[1], ignore_errors=True)
    os.makedirs(mount_of(root))


def repro_main(tree, ops, procs, lib, root='/tmp/ovrepro'):
    """Reproducer mode: run TREE and OPS on both sides, print every op with
    both results, and the differences of the final view."""
    lib = os.environ.get('LIB', lib)
    mount = mount_of(root)
    fresh_root(root)
    job = {'tree': tree, 'ops': ops, 'procs': procs, 'lib': lib,
           'root': root, 'mount': mount}
    k, l = run_job(job, 'kernel'), run_job(job, 'lib')
    for side, o in (('kernel', k), ('lib', l)):
        for key in ('side_error', 'mount_error'):
            if key in o:
                print('%s: %s: %s' % (side, key, o[key]))
    differ = 0
    kr, lr = k.get('results', []), l.get('results', [])
    for i, (proc, code) in enumerate(ops):
        a = kr[i] if i < len(kr) else None
        b = lr[i] if i < len(lr) else None
        mark = '  ' if a == b else '!!'
        differ += a != b
        print('%s p%d %s\n     kernel: %s\n     lib:    %s' % (mark, proc, code, a, b))
    km, lm = k.get('manifest') or {}, l.get('manifest') or {}
    if isinstance(km, dict) and isinstance(lm, dict):
        for p in sorted(set(km) | set(lm)):
            if km.get(p) != lm.get(p):
                differ += 1
                print('!! view %s\n     kernel: %s\n     lib:    %s' % (p, km.get(p), lm.get(p)))
    for c in l.get('lowers', []):
        differ += 1
        print('!! lower changed: ' + c)
    print('DIFFERENT' if differ else 'SAME')
    shutil.rmtree(root, ignore_errors=True)
    return 1 if differ else 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--worker']:
        worker(sys.argv[2])
    elif sys.argv[1:2] == ['--side']:
        side_main()
    elif 'TREE' in globals():
        sys.exit(repro_main(TREE, OPS, PROCS, LIB))  # noqa: F821 (reproducer data)
    else:
        sys.exit(__doc__)
