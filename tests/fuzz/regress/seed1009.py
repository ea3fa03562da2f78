#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1009, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.link('h h/h h', 'h h/f.txt/n5')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ELOOP"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h/f.txt', 'kind': 'symlink', 'target': 'f.txt', 'uid': 65534, 'gid': 65534, 'mtime': 1000660656226761096, 'mode': 0o4755},
]
OPS = [
    (0, "r = os.link('h h/h h', 'h h/f.txt/n5')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
