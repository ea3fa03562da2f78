#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1008, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.access('../../f.txt', os.X_OK, dir_fd=H[8])
#   kernel: false
#   lib:    true
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'd/c', 'kind': 'file', 'data': 'U:d/c:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000015889411037901, 'mode': 0o755},
    {'layer': 'L2', 'path': 'f.txt/a/b', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000941952103125740, 'mode': 0o644},
]
OPS = [
    (0, "H[8] = os.open(M + '/d/c', os.O_WRONLY, 0o777); r = os.fstat(H[8])"),
    (0, "r = os.access('../../f.txt', os.X_OK, dir_fd=H[8])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
