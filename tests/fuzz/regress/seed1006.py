#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1006, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2('h h/b/c/', M + '/n4/.', RENAME_EXCHANGE)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h/b/f.txt/d', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 0, 'mtime': 1000303847232772005, 'mode': 0o2750},
]
OPS = [
    (0, "r = renameat2('h h/b/c/', M + '/n4/.', RENAME_EXCHANGE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
