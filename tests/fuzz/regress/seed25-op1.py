#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 25, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M, 'd/a/c/e')
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'd/a/c/e', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000480999574271728, 'mode': 0o0},
]
OPS = [
    (0, "r = os.rename(M, 'd/a/c/e')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
