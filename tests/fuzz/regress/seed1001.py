#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1001, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) H[2] = os.open('../d', os.O_RDWR | os.O_CREAT, 0o777, dir_fd=H[1]); r = os.fstat(H[2])
#   kernel: {"errno": "ENOTDIR"}
#   lib:    {"gid": 0, "mode": "0o755", "mtime": "now", "nlink": 1, "size": 0, "type": "f", "uid": 0}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h', 'kind': 'file', 'data': 'L1:h h:xxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000671817137948051, 'mode': 0o600},
]
OPS = [
    (0, "H[1] = os.open('h h', os.O_WRONLY | os.O_CREAT, 0o644); r = os.fstat(H[1])"),
    (0, "H[2] = os.open('../d', os.O_RDWR | os.O_CREAT, 0o777, dir_fd=H[1]); r = os.fstat(H[2])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
