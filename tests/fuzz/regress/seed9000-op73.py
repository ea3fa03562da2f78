#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9000, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[8] = os.open(M + '/b/.', os.O_WRONLY | os.O_CREAT, 0o600); r = os.fstat(H[8])
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EISDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
]
OPS = [
    (0, "H[8] = os.open(M + '/b/.', os.O_WRONLY | os.O_CREAT, 0o600); r = os.fstat(H[8])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
