#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 16, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M + '/e/d/c', '../../e/d/c/b/', RENAME_NOREPLACE)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EXDEV"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'e/d/h h/f.txt', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 0, 'mtime': 1000745488391227598, 'mode': 0o4755},
]
OPS = [
    (0, "r = renameat2(M + '/e/d/c', '../../e/d/c/b/', RENAME_NOREPLACE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
