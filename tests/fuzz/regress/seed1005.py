#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1005, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('g', M + '/h h/f.txt/n10/.')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'h h/f.txt/d', 'kind': 'symlink', 'target': '.', 'uid': 1000, 'gid': 1000, 'mtime': 1000002567816108772, 'mode': 0o0},
]
OPS = [
    (0, "r = os.rename('g', M + '/h h/f.txt/n10/.')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
