#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1000, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M + '/a', '../../e/n4', RENAME_EXCHANGE)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EXDEV"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'g/h h/g/c', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 0, 'mtime': 1000721563399805334, 'mode': 0o640},
]
OPS = [
    (0, "r = renameat2(M + '/a', '../../e/n4', RENAME_EXCHANGE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
