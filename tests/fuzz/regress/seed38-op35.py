#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 38, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M + '/c/b/.', M + '/f.txt', RENAME_NOREPLACE)
#   kernel: {"errno": "ENOTDIR"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'c/b', 'kind': 'file', 'data': 'L1:c/', 'uid': 0, 'gid': 100, 'mtime': 1000674737007322958, 'mode': 0o4755},
]
OPS = [
    (0, "r = renameat2(M + '/c/b/.', M + '/f.txt', RENAME_NOREPLACE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
