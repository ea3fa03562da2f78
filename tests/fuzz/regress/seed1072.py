#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1072, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[1] = os.open('h h/a/f.txt/', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644); r = os.fstat(H[1])
#   kernel: {"errno": "EISDIR"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'h h/a/f.txt', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000871816010884212, 'mode': 0o4755},
]
OPS = [
    (0, "H[1] = os.open('h h/a/f.txt/', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644); r = os.fstat(H[1])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
