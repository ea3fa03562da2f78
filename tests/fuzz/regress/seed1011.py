#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1011, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M + '/e/c', '../../e/n5')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EXDEV"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'e/g', 'kind': 'file', 'data': 'L1:e/g:xxxxx', 'uid': 65534, 'gid': 65534, 'mtime': 1000284782580294571, 'mode': 0o444},
]
OPS = [
    (0, "r = os.rename(M + '/e/c', '../../e/n5')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
