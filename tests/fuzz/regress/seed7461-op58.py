#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 7461, 2 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 3 (p1) r = os.fstat(H[5])
#   kernel: {"gid": 0, "mode": "0o750", "type": "d", "uid": 1000}
#   lib:    {"gid": 0, "mode": "0o750", "type": "d", "uid": 0}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 2
TREE = [
    {'layer': 'L1', 'path': 'a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000374347270825513, 'mode': 0o750},
]
OPS = [
    (1, "H[5] = os.open(M + '/a', os.O_RDONLY | os.O_DIRECTORY, 0o644); r = os.fstat(H[5])"),
    (1, 'r = os.fchown(H[5], 1000, -1)'),
    (0, "r = shutil.rmtree(M + '/a')"),
    (1, 'r = os.fstat(H[5])'),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
