#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9041, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.unlink(M + '/e/g/d')
#   kernel: {"errno": "ENOENT"}
#   lib:    null
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'e/g/d', 'kind': 'file', 'data': 'L2:e/', 'uid': 1000, 'gid': 0, 'mtime': 1000201443227229267, 'mode': 0o644},
    {'layer': 'L2', 'path': 'e/g/f.txt', 'kind': 'hardlink', 'src': 'e/g/d'},
]
OPS = [
    (0, "r = os.rename(M + '/e/g/d', M + '/e/g/f.txt')"),
    (0, "r = os.unlink(M + '/e/g/d')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
