#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1002, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.unlink(M + '/c/.')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EISDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'h h/f.txt', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 100, 'mtime': 1000563949835400485, 'mode': 0o644},
]
OPS = [
    (0, "r = os.unlink(M + '/c/.')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
