#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1020, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[6] = os.open(M + '/b/a/', os.O_RDONLY | os.O_CREAT, 0o644); r = os.fstat(H[6])
#   kernel: {"errno": "EISDIR"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'b/a', 'kind': 'file', 'data': 'L', 'uid': 65534, 'gid': 65534, 'mtime': 1000614555703388135, 'mode': 0o644},
]
OPS = [
    (0, "H[6] = os.open(M + '/b/a/', os.O_RDONLY | os.O_CREAT, 0o644); r = os.fstat(H[6])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
