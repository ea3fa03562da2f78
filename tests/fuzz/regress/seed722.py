#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 722, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2('d/n13', '.', RENAME_NOREPLACE)
#   kernel: {"errno": "EEXIST"}
#   lib:    {"errno": "EBUSY"}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'd/g', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 1000, 'mtime': 1000947106974096048, 'mode': 0o444},
]
OPS = [
    (0, "r = renameat2('d/n13', '.', RENAME_NOREPLACE)"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
