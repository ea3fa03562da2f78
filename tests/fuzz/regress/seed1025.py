#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1025, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2('../../a/e/f.txt', M + '/a/f.txt/b/n11', RENAME_EXCHANGE)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'a/f.txt/b', 'kind': 'file', 'data': 'L1:a/f.txt/b', 'uid': 1000, 'gid': 1000, 'mtime': 1000117743585014784, 'mode': 0o666},
]
OPS = [
    (0, "r = renameat2('../../a/e/f.txt', M + '/a/f.txt/b/n11', RENAME_EXCHANGE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
