#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1086, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.chown('../../g/f.txt', 0, 0, dir_fd=H[3])
#   kernel: {"errno": "ENOTDIR"}
#   lib:    null
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'f.txt/f.txt', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 0, 'mtime': 1000355000633007833, 'mode': 0o666},
    {'layer': 'U', 'path': 'g/f.txt', 'kind': 'file', 'data': 'U:g/f.txt:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 0, 'mtime': 1000354338075576377, 'mode': 0o666},
]
OPS = [
    (0, "H[3] = os.open(M + '/f.txt/f.txt', os.O_WRONLY, 0o777); r = os.fstat(H[3])"),
    (0, "r = os.chown('../../g/f.txt', 0, 0, dir_fd=H[3])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
