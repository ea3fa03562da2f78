#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1026, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[1] = os.open('b/e/g/d/c', os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_DIRECTORY, 0o644); r = os.fstat(H[1])
#   kernel: {"errno": "EINVAL"}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'h h/h h/g/g', 'kind': 'symlink', 'target': '../../../b/b', 'uid': 1000, 'gid': 0, 'mtime': 1000024507730175542, 'mode': 0o2750},
]
OPS = [
    (0, "H[1] = os.open('b/e/g/d/c', os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_DIRECTORY, 0o644); r = os.fstat(H[1])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
