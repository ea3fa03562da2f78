#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 5058, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.link(M + '/c/f.txt/c', 'e/g/c/n9/')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'c/f.txt/e/h h', 'kind': 'file', 'data': 'L1:c/f.txt/e', 'uid': 1000, 'gid': 0, 'mtime': 1000537890987939833, 'mode': 0o666},
    {'layer': 'U', 'path': 'e/g/c', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000034457443415266, 'mode': 0o666},
]
OPS = [
    (0, "r = os.link(M + '/c/f.txt/c', 'e/g/c/n9/')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
