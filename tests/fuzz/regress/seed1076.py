#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1076, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = sorted(os.listdir('a/a'))
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'a/a', 'kind': 'file', 'data': 'U', 'uid': 1000, 'gid': 1000, 'mtime': 1000630084023217131, 'mode': 0o0},
]
OPS = [
    (0, "os.chdir('..'); r = os.getcwd()"),
    (0, "r = sorted(os.listdir('a/a'))"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
