#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 5058, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# merged view of a fresh process differs:
#   b/g/h h/g
#     kernel: {'gid': 1000, 'mode': '0o600', 'mtime': 1000926638802361996, 'nlink': 2, 'sha': '9be3b71808a4eae2', 'size': 40, 'type': 'f', 'uid': 1000}
#     lib:    {'gid': 1000, 'mode': '0o600', 'mtime': 1000926638802361996, 'nlink': 1, 'sha': '9be3b71808a4eae2', 'size': 40, 'type': 'f', 'uid': 1000}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'b/g/h h/d', 'kind': 'file', 'data': 'L1:b/g/h h/d:xxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000926638802361996, 'mode': 0o600},
    {'layer': 'L1', 'path': 'b/g/h h/g', 'kind': 'hardlink', 'src': 'b/g/h h/d'},
]
OPS = [
    (0, "H[9] = os.open(M + '/b/g/h h/g', os.O_RDWR | os.O_EXCL | os.O_DIRECTORY, 0o644); r = os.fstat(H[9])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
