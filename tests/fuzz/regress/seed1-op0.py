#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M, 'd', RENAME_NOREPLACE)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "EEXIST"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'd/h h', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000560285520226541, 'mode': 0o750},
]
OPS = [
    (0, "r = renameat2(M, 'd', RENAME_NOREPLACE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
