#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1071, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = renameat2('.', 'f.txt/g/f.txt/', 0)
#   kernel: {"errno": "EBUSY"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h/f.txt/g/f.txt', 'kind': 'file', 'data': 'L', 'uid': 1000, 'gid': 0, 'mtime': 1000850770100321741, 'mode': 0o600},
]
OPS = [
    (0, "os.chdir(M + '/h h'); r = os.getcwd()"),
    (0, "r = renameat2('.', 'f.txt/g/f.txt/', 0)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
