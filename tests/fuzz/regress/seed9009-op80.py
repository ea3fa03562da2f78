#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9009, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('../../../h h/b/g', M + '/d/a/n13')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'b', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000655634391298912, 'mode': 0o1777},
    {'layer': 'L1', 'path': 'b', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000033297039764644, 'mode': 0o750},
    {'layer': 'U', 'path': 'b', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 100, 'mtime': 1000820548717094023, 'mode': 0o640},
    {'layer': 'L2', 'path': 'b/e', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000966522164555580, 'mode': 0o755},
    {'layer': 'L1', 'path': 'b/e', 'kind': 'symlink', 'target': 'f.txt', 'uid': 0, 'gid': 0, 'mtime': 1000533673729028305, 'mode': 0o600},
    {'layer': 'L2', 'path': 'b/e/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000128914593542033, 'mode': 0o555},
    {'layer': 'L2', 'path': 'b/e/a/g', 'kind': 'file', 'data': 'L2:b/e/a/g:x', 'uid': 65534, 'gid': 65534, 'mtime': 1000166367408121184, 'mode': 0o2750},
    {'layer': 'L2', 'path': 'b/e/a/h h', 'kind': 'file', 'data': 'L', 'uid': 1000, 'gid': 0, 'mtime': 1000233661922171885, 'mode': 0o0},
    {'layer': 'L1', 'path': 'c/h h/a/g', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000440656899212280, 'mode': 0o644},
    {'layer': 'L1', 'path': 'c/h h/a/h h', 'kind': 'file', 'data': 'L1:c/', 'uid': 0, 'gid': 0, 'mtime': 1000473619579558227, 'mode': 0o0},
    {'layer': 'L1', 'path': 'c/h h', 'kind': 'opaque'},
    {'layer': 'L2', 'path': 'd', 'kind': 'file', 'data': 'L2:d:', 'uid': 1000, 'gid': 1000, 'mtime': 1000597221767346929, 'mode': 0o666},
    {'layer': 'L1', 'path': 'd', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000251172786487828, 'mode': 0o1777},
    {'layer': 'U', 'path': 'd', 'kind': 'hardlink', 'src': 'b'},
    {'layer': 'L1', 'path': 'd/a', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000278066295128641, 'mode': 0o755},
    {'layer': 'L1', 'path': 'd/a/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000268974592007165, 'mode': 0o700},
    {'layer': 'L1', 'path': 'h h', 'kind': 'whiteout'},
    {'layer': 'U', 'path': 'h h', 'kind': 'symlink', 'target': '@M@/b/g/e', 'uid': 1000, 'gid': 1000, 'mtime': 1000011595283450566, 'mode': 0o0},
]
OPS = [
    (0, "r = os.rename('../../../h h/b/g', M + '/d/a/n13')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
