#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1051, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.unlink('.', dir_fd=H[1])
#   kernel: {"errno": "ENOTDIR"}
#   lib:    {"errno": "EISDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'g', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 1000, 'mtime': 1000487445317856541, 'mode': 0o600},
]
OPS = [
    (0, "H[1] = os.open(M + '/g', os.O_WRONLY, 0o600); r = os.fstat(H[1])"),
    (0, "r = os.unlink('.', dir_fd=H[1])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
