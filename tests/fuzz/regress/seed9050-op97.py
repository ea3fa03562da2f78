#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9050, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M + '/h h/a/a', M, 0)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "ENOTEMPTY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'd/h h', 'kind': 'file', 'data': 'L1:d/', 'uid': 0, 'gid': 100, 'mtime': 1000938743205002087, 'mode': 0o444},
    {'layer': 'L1', 'path': 'h h/a/a', 'kind': 'hardlink', 'src': 'd/h h'},
]
OPS = [
    (0, "r = renameat2(M + '/h h/a/a', M, 0)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
