#!/usr/bin/env python3
"""Kill harness (issue "Reliability"): SIGKILL at random points of copy-up,
rename, unlink, rmdir and mkdir over opaque directories, then a check that
the merged view is one of the states the operations allow.

    tests/stress/kill.py --lib build/liboverlay.so [--trials N] [--workers 1|2]

Each trial builds a lower of files with self-describing contents (a header
naming the file and its length, then filler), starts workers under the
library (in place, overlay-run's environment set by hand) and kills them all
with SIGKILL after a random delay.  Each worker journals, on the host and
outside the overlay, every operation it completed (after the call returned,
fsync'd): a rename src->dst, an unlink, an append of a numbered line, an
rmdir + mkdir (a directory made again over a removed one).  The check, by a
new process under the library:
  - no partial file: every visible file's content is whole (its header's
    length matches, appended lines are whole lines);
  - nothing resurrected: a name whose removal or rename completed and was
    not made again afterwards is gone, and a renamed file's content is at
    exactly one name;
  - nothing lost: every append that completed is in the file;
  - the lowers are byte for byte unchanged;
  - after a later overlay-run on the same upper, no hidden temporary
    (.wh..wh.copyup.*, .wh..wh.mkdir.* ...) is left.
Ends with 'N passed, N failed' (N counts trials).
"""
import argparse, hashlib, os, random, shutil, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NFILES = 12
BIG = 3 << 20  # big enough that a kill often lands inside a copy-up

WORKER = r'''
import os, random, sys
seed, jpath = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(seed)
j = os.open(jpath, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
def done(line):
    os.write(j, (line + "\n").encode()); os.fsync(j)
n = 0
while True:
    n += 1
    k = rnd.randrange(5)
    a = "f%d" % rnd.randrange(@NFILES@)
    b = "g%d" % rnd.randrange(@NFILES@)
    d = "d%d" % rnd.randrange(3)
    line = "line %d.%d" % (seed, n)
    plan = ["rename %s %s" % (a, b), "unlink %s" % a, "append %s %s" % (a, line),
            "rename %s %s" % (b, a), "remade %s" % d][k]
    done("start " + plan)
    try:
        if k == 0:
            os.rename(a, b)
        elif k == 1:
            os.unlink(a)
        elif k == 2:
            fd = os.open(a, os.O_WRONLY | os.O_APPEND)
            os.write(fd, (line + "\n").encode()); os.close(fd)
        elif k == 3:
            os.rename(b, a)
        else:
            for e in os.listdir(d): os.unlink(d + "/" + e)
            os.rmdir(d); os.mkdir(d)
        done("done")
    except OSError:
        done("failed")
'''


def header(name, size):
    h = ("%s %d\n" % (name, size)).encode()
    return h + b"x" * (size - len(h) - 1) + b"\n"


def build_lower(lower):
    os.makedirs(lower)
    for i in range(NFILES):
        size = BIG if i % 3 == 0 else 4096 + i
        with open(os.path.join(lower, "f%d" % i), "wb") as f:
            f.write(header("f%d" % i, size))
    for d in range(3):
        os.makedirs(os.path.join(lower, "d%d" % d))
        for e in range(4):
            with open(os.path.join(lower, "d%d" % d, "e%d" % e), "w") as f:
                f.write("e\n")


def manifest(tree):
    out = []
    for dp, dns, fns in os.walk(tree):
        dns.sort()
        for n in sorted(fns + dns):
            p = os.path.join(dp, n)
            st = os.lstat(p)
            h = ""
            if os.path.isfile(p) and not os.path.islink(p):
                h = hashlib.sha256(open(p, "rb").read()).hexdigest()
            out.append((os.path.relpath(p, tree), st.st_mode, st.st_size, st.st_ino, h))
    return out


def env_for(lib, upper, lower):
    e = dict(os.environ)
    e.update(LD_PRELOAD=lib, OVERLAY_UPPER=upper, OVERLAY_LOWER=lower, OVERLAY_MOUNT=lower)
    return e


VIEW = r'''
import os, json
view = {}
for n in sorted(os.listdir(".")):
    if os.path.isfile(n):
        view[n] = open(n, "rb").read().decode("latin-1")
print(json.dumps(view))
'''


def check(view, journals):
    """The problems with the merged view, given what the workers journaled."""
    import json
    probs = []
    view = json.loads(view)
    # whole files, and where each original content went
    origin_at = {}
    for name, data in view.items():
        first, _, rest = data.partition("\n")
        parts = first.split()
        if len(parts) != 2 or not parts[1].isdigit():
            probs.append("%s: no header" % name); continue
        size = int(parts[1])
        body = data[:size]
        if len(body) != size or not body.endswith("\n"):
            probs.append("%s: partial content (%d of %d bytes)" % (name, len(data), size)); continue
        tail = data[size:]
        if tail and not tail.endswith("\n"):
            probs.append("%s: partial append" % name)
        origin_at.setdefault(parts[0], []).append(name)
    for o, names in origin_at.items():
        if len(names) > 1:
            probs.append("content of %s at two names: %s" % (o, names))
    if len(journals) == 1:
        probs += replay_check(view, journals[0])
    return probs


def replay(ops):
    """The files the ops leave: name -> (origin, appended lines)."""
    state = {"f%d" % i: ("f%d" % i, []) for i in range(NFILES)}
    for op in ops:
        p = op.split(" ", 2)
        if p[0] == "rename" and p[1] in state:
            state[p[2]] = state.pop(p[1])
        elif p[0] == "unlink":
            state.pop(p[1], None)
        elif p[0] == "append" and p[1] in state:
            state[p[1]][1].append(p[2])
    return state


def as_view(state, view):
    """Does the view show exactly these files?"""
    if set(state) != set(view):
        return False
    for n, (origin, lines) in state.items():
        first, _, rest = view[n].partition("\n")
        size = int(first.split()[1])
        if first.split()[0] != origin or view[n][size:] != "".join(l + "\n" for l in lines):
            return False
    return True


def replay_check(view, journal):
    """One worker: the view is what its completed operations made, with or
    without the one it was killed in."""
    done, inflight = [], None
    for ln in journal:
        if ln.startswith("start "):
            inflight = ln[6:]
        elif ln == "done" and inflight:
            done.append(inflight); inflight = None
        elif ln == "failed":
            inflight = None
    if as_view(replay(done), view):
        return []
    if inflight and as_view(replay(done + [inflight]), view):
        return []
    want = replay(done)
    extra = sorted(set(view) - set(want)); missing = sorted(set(want) - set(view))
    return ["view is not what the %d completed operations%s made (extra %s, missing %s)" % (
        len(done), " (+ the one in flight)" if inflight else "", extra[:4], missing[:4])]


def leftovers(upper):
    found = []
    for dp, dns, fns in os.walk(upper):
        for n in dns + fns:
            if n.startswith(".wh..wh.") and not n.startswith(".wh..wh.liboverlay.") \
                    and n != ".wh..wh..opq" and not n.startswith(".wh..wh.lwh."):
                found.append(os.path.relpath(os.path.join(dp, n), upper))
    return found


def trial(args, rnd, work):
    lower, upper, jdir = (os.path.join(work, x) for x in ("lower", "upper", "journal"))
    build_lower(lower)
    os.makedirs(upper); os.makedirs(jdir)
    before = manifest(lower)
    env = env_for(args.lib, upper, lower)
    src = WORKER.replace("@NFILES@", str(NFILES))
    procs, journals = [], []
    for w in range(args.workers):
        jp = os.path.join(jdir, "j%d" % w)
        journals.append(jp)
        procs.append(subprocess.Popen([sys.executable, "-c", src, str(rnd.randrange(1 << 30)), jp],
                                      cwd=lower, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
    time.sleep(rnd.uniform(0.05, args.max_delay))
    for p in procs:
        p.send_signal(signal.SIGKILL)
    for p in procs:
        p.wait()
    js = [open(j).read().splitlines() if os.path.exists(j) else [] for j in journals]
    view = subprocess.run([sys.executable, "-c", VIEW], cwd=lower, env=env,
                          capture_output=True, text=True)
    probs = [] if view.returncode == 0 else ["view failed: %s" % view.stderr[-300:]]
    if view.returncode == 0:
        probs += check(view.stdout, js)
    if manifest(lower) != before:
        probs.append("a lower changed")
    # a later overlay-run on the same upper reclaims what the killed left
    subprocess.run([os.path.join(ROOT, "scripts", "overlay-run"), "--no-verify", "--upper", upper,
                    "--lower", lower, "--", "true"], env=dict(os.environ, OVERLAY_LIB=args.lib),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    left = leftovers(upper)
    if left:
        probs.append("temporaries left after a later run: %s" % left[:5])
    return probs, sum(j.count("done") for j in js)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--trials", type=int, default=int(os.environ.get("KILL_TRIALS", 100)))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-delay", type=float, default=0.4)
    args = ap.parse_args()
    args.lib = os.path.abspath(args.lib)
    rnd = random.Random(args.seed)
    passed = failed = ops = 0
    for t in range(args.trials):
        work = tempfile.mkdtemp(prefix="ovlkill.")
        try:
            probs, n = trial(args, rnd, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        ops += n
        if probs:
            failed += 1
            print("trial %d (seed %d, %d workers): %s" % (t, args.seed, args.workers, "; ".join(probs[:4])))
        else:
            passed += 1
    print("%d trials, %d workers each, %d completed operations journaled" % (args.trials, args.workers, ops))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
