#!/usr/bin/env python3
"""Differential fuzzer: liboverlay against the kernel's overlayfs.

Each sequence (one seed) is a random layered tree (gen.gen_tree) and a
random list of operations on its merged view (gen.OpGen), run by one or two
long-lived worker processes on each side (side.py):

  lib     the workers run under LD_PRELOAD=liboverlay.so with OVERLAY_UPPER,
          OVERLAY_LOWER and OVERLAY_MOUNT set, on the library's format of
          the layers (.wh.NAME whiteouts, .wh..wh..opq markers);
  kernel  the side runner runs under `unshare -m`, mounts the kernel's
          overlayfs of the kernel's format of the same layers (0/0
          character devices, trusted.overlay.opaque) on the same mount
          path, then starts the workers in that namespace.

Both sides must give the same result for every op, the same merged view to
a fresh process at the end, and the library must leave the lowers as they
were.  A difference prints the seed; with --minimize, ddmin shrinks the ops
and then the tree, and a reproducer program is written (and printed).

  fuzz.py --lib PATH [--seeds N | --seed S] [--ops N] [--procs 1|2]
          [--max-time SEC] [--minimize] [--budget OPS]

FUZZ_SUPERVISE=1 runs the library's side through the supervisor instead
(overlay-supervise beside --lib: the second front end, against the same
oracle).

Without --seeds/--seed/--budget (and FUZZ_OPS unset) it runs the bounded set
for `make test`.  The last line is always `N passed, N failed[, N skipped]`,
N counting sequences; the exit status is 1 if any failed.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # no __pycache__ in the source tree
import gen       # noqa: E402
import side      # noqa: E402
from accepted import accepted   # noqa: E402

# The bounded run of `make test`: these seeds, this many ops each, 1 and 2
# processes alternating; stops starting new seeds after TEST_TIME seconds.
TEST_SEEDS = range(1, 41)
TEST_OPS = 40
TEST_TIME = 75


# ---------------------------------------------------------------------------
# Running and comparing

class Run:
    """Where one fuzzer instance keeps its layers: a private directory, so
    that two instances (make test while a campaign runs) never meet."""

    def __init__(self, lib):
        self.lib = lib
        self.root = '/tmp/ovfuzz.%d' % os.getpid()
        self.mount = side.mount_of(self.root)

    def both(self, tree, ops, procs):
        side.fresh_root(self.root)
        job = {'tree': tree, 'ops': ops, 'procs': procs, 'lib': self.lib,
               'root': self.root, 'mount': self.mount,
               'supervise': bool(os.environ.get('FUZZ_SUPERVISE'))}
        k = side.run_job(job, 'kernel')
        l = side.run_job(job, 'lib')
        return k, l

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def op_name(code):
    """A short name of an op for grouping: 'os.rename', 'os.open(O_RDWR|O_CREAT)'..."""
    m = re.search(r'r = (?:sorted\()?([\w.]+)\(', code) or re.search(r'([\w.]+)\(', code)
    name = m.group(1) if m else code[:20]
    if 'os.open(' in code:
        flags = re.findall(r'os\.(O_\w+)', code)
        name = 'os.open(%s)' % '|'.join(flags)
    elif 'os.chdir' in code or 'os.fchdir' in code:
        name = 'os.fchdir' if 'fchdir' in code else 'os.chdir'
    if 'follow_symlinks=False' in code:
        name += '(nofollow)'
    if 'dir_fd' in code:
        name += '(dir_fd)'
    for f in ('RENAME_NOREPLACE', 'RENAME_EXCHANGE'):
        if f in code:
            name += '(%s)' % f
    return name


def result_class(r):
    if isinstance(r, dict):
        for k in ('errno', 'exc', 'hang', 'crash'):
            if k in r:
                return '%s:%s' % (k, r[k]) if k in ('errno', 'exc') else k
    return 'ok'


def value_diff(a, b):
    """Which fields of two successful results differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return ','.join(sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
    return 'value'


class Diff:
    def __init__(self, sig, text, index=None):
        self.sig = sig          # what ddmin keeps: the kind of difference
        self.text = text        # what we print
        self.index = index      # the op's index, for an op difference

    def __str__(self):
        return self.text


def compare(k, l, ops, strict=False):
    """The differences not accepted, and how many were accepted.

    An op where both sides failed, with different errors, changed nothing on
    either side (presumably), so the comparison goes on past it; the first
    other difference ends it, as the two views may differ from there on.
    The final view is compared only when no op diverged that way."""
    if 'mount_error' in k:
        raise SkipAll('mount -t overlay failed here: ' + k['mount_error'])
    if 'side_error' in k:
        return [Diff(('kernel side failed',), 'kernel side failed: ' + k['side_error'])], 0
    if 'side_error' in l:
        return [Diff(('lib side failed',), 'library side failed: ' + l['side_error'])], 0
    diffs, nacc = [], 0
    kr, lr = k['results'], l['results']
    for i in range(max(len(kr), len(lr))):
        a = kr[i] if i < len(kr) else None
        b = lr[i] if i < len(lr) else None
        if a == b:
            continue
        if not strict and accepted(ops[i][1], a, b, ops[:i]):
            nacc += 1
            continue
        ca, cb = result_class(a), result_class(b)
        sig = ('op', op_name(ops[i][1]), ca, cb, value_diff(a, b) if ca == cb == 'ok' else '')
        diffs.append(Diff(sig, 'op %d (p%d) %s\n  kernel: %s\n  lib:    %s'
                          % (i, ops[i][0], ops[i][1], json.dumps(a), json.dumps(b)), i))
        if not (ca.startswith('errno') and cb.startswith('errno')):
            return diffs, nacc
    d, n = compare_views(k['manifest'], l['manifest'], strict)
    diffs += d
    nacc += n
    if l.get('lowers'):
        diffs.append(Diff(('lowers',), 'a lower changed:\n  ' + '\n  '.join(l['lowers'][:12])))
    return diffs, nacc


def compare_views(km, lm, strict):
    if km == lm:
        return [], 0
    if not (isinstance(km, dict) and isinstance(lm, dict)) or 'errno' in km or 'errno' in lm:
        return [Diff(('view', 'unreadable'), 'merged view: kernel %s, lib %s' % (km, lm))], 0
    lines, fields, nacc = [], set(), 0
    for p in sorted(set(km) | set(lm)):
        a, b = km.get(p), lm.get(p)
        if a == b:
            continue
        if not strict and accepted('view:' + p, a, b, []):
            nacc += 1
            continue
        fields.add('missing' if a is None else 'extra' if b is None else value_diff(a, b))
        lines.append('  %s\n    kernel: %s\n    lib:    %s' % (p, a, b))
    if not lines:
        return [], nacc
    return [Diff(('view',) + tuple(sorted(fields)),
                 'merged view of a fresh process differs:\n' + '\n'.join(lines[:12]))], nacc


class SkipAll(Exception):
    pass


def check(run, tree, ops, procs, strict=False):
    k, l = run.both(tree, ops, procs)
    return compare(k, l, ops, strict)


# ---------------------------------------------------------------------------
# Minimising: ddmin (Zeller) over the ops, then over the tree's entries,
# keeping the same kind of difference (its signature).

def ddmin(items, fails, deadline):
    if items and fails([]):
        return []
    n = 2
    while len(items) >= 2 and time.time() < deadline:
        chunk = max(1, len(items) // n)
        parts = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        for i in range(len(parts)):
            rest = [x for j, p in enumerate(parts) if j != i for x in p]
            if fails(rest):
                items, n = rest, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    return items


def minimize(run, tree, ops, procs, diff, budget, strict):
    deadline = time.time() + budget
    if diff.index is not None:      # later ops cannot matter to an op's result
        ops = ops[:diff.index + 1]
    tries = [0]

    def same(t, o, p=procs):
        tries[0] += 1
        diffs, _ = check(run, t, o, p, strict)
        return any(d.sig == diff.sig for d in diffs)

    ops = ddmin(ops, lambda o: same(tree, o), deadline)
    # (a smaller tree keeps only the whiteouts the kernel can honour)
    tree = gen.drop_unmerged_whiteouts(
        ddmin(tree, lambda t: same(gen.drop_unmerged_whiteouts(t), ops), deadline))
    ops = ddmin(ops, lambda o: same(tree, o), deadline)
    if procs == 2 and len({p for p, _ in ops}) == 1:     # one process is enough?
        one = [(0, c) for _, c in ops]
        if same(tree, one, 1):
            ops, procs = one, 1
    diffs, _ = check(run, tree, ops, procs, strict)
    final = [d for d in diffs if d.sig == diff.sig]
    return tree, ops, procs, final[0] if final else None, tries[0]


# ---------------------------------------------------------------------------
# Reproducers

def fmt_entry(e):
    parts = []
    for k, v in e.items():
        parts.append('%r: %s' % (k, oct(v) if k == 'mode' else repr(v)))
    return '    {' + ', '.join(parts) + '},'


def reproducer(tree, ops, procs, lib, seed, diff, standalone):
    """A program that builds the tree on both sides, runs the ops, and
    prints both results; standalone: with the engine (side.py) inside."""
    head = ['#!/usr/bin/env python3',
            '# liboverlay vs kernel overlayfs: fuzz.py seed %s, %d process(es).' % (seed, procs),
            '# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.']
    head += ['# ' + line for line in str(diff).splitlines()]
    head += ['LIB = %r' % lib, 'PROCS = %d' % procs, 'TREE = [']
    head += [fmt_entry(e) for e in tree] + [']', 'OPS = [']
    head += ['    (%d, %r),' % (p, c) for p, c in ops] + [']', '']
    if standalone:
        with open(os.path.join(HERE, 'side.py')) as f:
            return '\n'.join(head) + '\n' + f.read()
    return '\n'.join(head + [
        'import sys',
        'sys.path.insert(0, %r)' % HERE,
        'from side import repro_main',
        'sys.exit(repro_main(TREE, OPS, PROCS, LIB))', ''])


# ---------------------------------------------------------------------------
# The campaign

def kernel_usable(run):
    if os.geteuid() != 0:
        return "mounting the kernel's overlayfs needs root"
    if not shutil.which('unshare'):
        return 'unshare(1) is not installed'
    side.fresh_root(run.root)
    k = side.run_job({'tree': [], 'ops': [], 'procs': 1, 'lib': run.lib,
                      'root': run.root, 'mount': run.mount}, 'kernel', timeout=60)
    if 'mount_error' in k:
        return 'mount -t overlay failed here: ' + k['mount_error']
    if 'side_error' in k:
        return 'cannot run the kernel side: ' + k['side_error'].strip().splitlines()[-1]
    return None


def plan(args):
    """The (seed, procs) sequences to run, lazily, and the op budget."""
    def procs_of(i):
        return args.procs or (1 + i % 2)
    if args.seed is not None:
        return [(args.seed, procs_of(0))], None
    if args.seeds is not None:
        return [(args.seed_base + i, procs_of(i)) for i in range(args.seeds)], None
    if args.budget:
        base = args.seed_base if args.seed_base else random.randrange(10**6)
        return ((base + i, procs_of(i)) for i in range(10**9)), args.budget
    return [(s, procs_of(s)) for s in TEST_SEEDS], None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lib', required=True, help='liboverlay.so to test')
    ap.add_argument('--seeds', type=int, help='run N seeds (from --seed-base)')
    ap.add_argument('--seed', type=int, help='run this one seed')
    ap.add_argument('--seed-base', type=int, default=1)
    ap.add_argument('--ops', type=int, help='ops per sequence')
    ap.add_argument('--procs', type=int, choices=(1, 2), help='default: 1 and 2 alternating')
    ap.add_argument('--max-time', type=float, help='start no sequence after SEC seconds')
    ap.add_argument('--minimize', action='store_true', help='ddmin each new kind of difference')
    ap.add_argument('--min-time', type=float, default=180, help='seconds per minimisation')
    ap.add_argument('--budget', type=int, default=int(os.environ.get('FUZZ_OPS', 0)) or None,
                    help='total ops of a campaign (default $FUZZ_OPS)')
    ap.add_argument('--out', default='/tmp/ovfuzz-repro', help='where reproducers are written')
    ap.add_argument('--all', action='store_true', help='report every difference, not one per kind')
    ap.add_argument('--strict', action='store_true', default=bool(os.environ.get('FUZZ_STRICT')),
                    help='ignore accepted.py: report accepted differences too ($FUZZ_STRICT)')
    args = ap.parse_args()
    bounded = args.seed is None and args.seeds is None and not args.budget
    nops = args.ops or (TEST_OPS if bounded else 60)
    max_time = args.max_time or (TEST_TIME if bounded else None)
    lib = os.path.abspath(args.lib)
    if not os.path.isfile(lib):
        sys.exit('fuzz.py: no library at %s' % lib)

    run = Run(lib)
    why = kernel_usable(run)
    if why:
        run.cleanup()
        print('SKIP: ' + why)
        print('0 passed, 0 failed, 1 skipped')
        return 0
    seqs, budget = plan(args)
    try:
        return campaign(run, seqs, budget, nops, max_time, args)
    except SkipAll as e:
        print('SKIP: %s' % e)
        print('0 passed, 0 failed, 1 skipped')
        return 0
    finally:
        run.cleanup()


def campaign(run, seqs, budget, nops, max_time, args):
    start = time.time()
    passed = failed = total_ops = nacc = 0
    seen = {}
    for seed, procs in seqs:
        if max_time and time.time() - start > max_time:
            break
        if budget and total_ops >= budget:
            break
        tree, ops = gen.generate(seed, nops, procs)
        total_ops += len(ops)
        diffs, acc = check(run, tree, ops, procs, args.strict)
        nacc += acc
        if not diffs:
            passed += 1
            continue
        failed += 1
        for diff in diffs:
            first = diff.sig not in seen
            seen.setdefault(diff.sig, []).append(seed)
            print('FAIL seed %d procs %d: %s' % (seed, procs, diff), flush=True)
            if not first and not args.all:
                print('  (same kind as seed %d)' % seen[diff.sig][0])
            elif args.minimize:
                report_minimized(run, tree, ops, procs, seed, diff, args)
        if not args.minimize:
            print('  reproduce: %s --lib %s --seed %d --procs %d --ops %d --minimize'
                  % (sys.argv[0], run.lib, seed, procs, nops))
    took = time.time() - start
    print('%d ops in %d sequences, %.0f s; %d accepted differences; %d kinds of difference'
          % (total_ops, passed + failed, took, nacc, len(seen)))
    for sig, seeds in seen.items():
        print('  %s: seeds %s' % (' '.join(s for s in sig if s), ' '.join(map(str, seeds[:8]))))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


def report_minimized(run, tree, ops, procs, seed, diff, args):
    t0 = time.time()
    tree, ops, procs, final, tries = minimize(run, tree, ops, procs, diff, args.min_time, args.strict)
    if final is None:
        print('  (did not reproduce while minimising: flaky?)')
        final = diff
    os.makedirs(args.out, exist_ok=True)
    name = os.path.join(args.out, 'seed%d-%s' % (seed, 'op%d' % diff.index if diff.index is not None else diff.sig[0]))
    with open(name + '.py', 'w') as f:
        f.write(reproducer(tree, ops, procs, run.lib, seed, final, False))
    with open(name + '-standalone.py', 'w') as f:
        f.write(reproducer(tree, ops, procs, run.lib, seed, final, True))
    print('  minimised in %.0f s (%d runs) to %d ops, %d tree entries; %s.py (and -standalone.py):'
          % (time.time() - t0, tries, len(ops), len(tree), name))
    print('  ' + reproducer(tree, ops, procs, run.lib, seed, final, False).replace('\n', '\n  '))
    sys.stdout.flush()


if __name__ == '__main__':
    sys.exit(main())
