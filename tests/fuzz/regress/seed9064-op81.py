#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9064, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2('../../../h h/n16', M + '/e/c/a/n17', RENAME_NOREPLACE)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'e', 'kind': 'file', 'data': 'U:e:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 100, 'mtime': 1000169944231550513, 'mode': 0o666},
]
OPS = [
    (0, "r = renameat2('../../../h h/n16', M + '/e/c/a/n17', RENAME_NOREPLACE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
