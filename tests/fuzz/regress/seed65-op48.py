#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 65, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('../../..', M + '/b/c/n10')
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'b/c/e', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000139225098292920, 'mode': 0o444},
]
OPS = [
    (0, "r = os.rename('../../..', M + '/b/c/n10')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
