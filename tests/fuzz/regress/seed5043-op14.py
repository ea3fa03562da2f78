#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 5043, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('b/d/b', M + '/g/.')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'b/d/h h', 'kind': 'file', 'data': 'L2:b/', 'uid': 65534, 'gid': 65534, 'mtime': 1000693482913231742, 'mode': 0o444},
]
OPS = [
    (0, "r = os.rename('b/d/b', M + '/g/.')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
