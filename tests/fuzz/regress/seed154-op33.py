#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 154, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M + '/b/', M, RENAME_EXCHANGE)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'b', 'kind': 'symlink', 'target': '@M@/nowhere', 'uid': 1000, 'gid': 1000, 'mtime': 1000802551240748087, 'mode': 0o600},
    {'layer': 'L2', 'path': 'b/f.txt/a', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 1000, 'mtime': 1000964888675235214, 'mode': 0o755},
]
OPS = [
    (0, "r = renameat2(M + '/b/', M, RENAME_EXCHANGE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
