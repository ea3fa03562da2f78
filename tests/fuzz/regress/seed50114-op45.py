#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 50114, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.mkdir(M + '/d/a/e', 0o755)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EEXIST"}
# (RENAME_EXCHANGE of a pure upper directory with an opaque one over a
# lower directory: the directory moved onto the lower's name must be made
# opaque, as the kernel does, or the lower's entries show through it.)
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'd/a/e/f.txt', 'kind': 'file', 'data': 'L1:d/', 'uid': 0, 'gid': 0, 'mtime': 1000269436367265276, 'mode': 0o2750},
    {'layer': 'U', 'path': 'd/e/e', 'kind': 'symlink', 'target': '@M@/nowhere', 'uid': 0, 'gid': 0, 'mtime': 1000238200566021626, 'mode': 0o640},
    {'layer': 'U', 'path': 'd', 'kind': 'opaque'},
    {'layer': 'U', 'path': 'f.txt/h h', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000991019658541627, 'mode': 0o755},
]
OPS = [
    (0, "r = renameat2(M + '/f.txt/h h', 'd', RENAME_EXCHANGE)"),
    (0, "r = os.mkdir(M + '/d/a/e', 0o755)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
