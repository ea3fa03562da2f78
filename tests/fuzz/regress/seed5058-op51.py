#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 5058, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M, 'b/b/n8')
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'b/b/g', 'kind': 'file', 'data': 'U:b/b', 'uid': 0, 'gid': 0, 'mtime': 1000518113417853259, 'mode': 0o4755},
]
OPS = [
    (0, "r = os.rename(M, 'b/b/n8')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
