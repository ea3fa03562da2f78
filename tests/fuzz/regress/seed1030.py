#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1030, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.link('../../d/e/e', M + '/g/a/.')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EEXIST"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'g/b', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000989161019089848, 'mode': 0o2750},
]
OPS = [
    (0, "r = os.link('../../d/e/e', M + '/g/a/.')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
