#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 546, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M, M, RENAME_EXCHANGE)
#   kernel: 0
#   lib:    {"errno": "EBUSY"}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
]
OPS = [
    (0, 'r = renameat2(M, M, RENAME_EXCHANGE)'),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
