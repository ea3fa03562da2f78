#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 61, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('../../../../f.txt/b', M + '/h h/c/f.txt/b/')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h/b', 'kind': 'file', 'data': 'L1:h h/b:xxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000260455268467762, 'mode': 0o666},
    {'layer': 'U', 'path': 'h h/b', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000069539953818860, 'mode': 0o775},
    {'layer': 'U', 'path': 'h h/b/a', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 100, 'mtime': 1000368035915525138, 'mode': 0o640},
    {'layer': 'U', 'path': 'h h/b/c', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 1000, 'mtime': 1000066916750754409, 'mode': 0o0},
    {'layer': 'L2', 'path': 'h h/c', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000228537126054170, 'mode': 0o1777},
    {'layer': 'U', 'path': 'h h/c', 'kind': 'hardlink', 'src': 'h h/b/c'},
    {'layer': 'L2', 'path': 'h h/c/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000049110627740709, 'mode': 0o700},
    {'layer': 'L2', 'path': 'h h/c/a/e', 'kind': 'file', 'data': 'L2:h h/c/a/e:xxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 65534, 'gid': 65534, 'mtime': 1000265840427279070, 'mode': 0o666},
]
OPS = [
    (0, "r = os.rename('../../../../f.txt/b', M + '/h h/c/f.txt/b/')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
