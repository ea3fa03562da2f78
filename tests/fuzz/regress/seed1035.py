#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1035, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('../../../d/b/a/d', M + '/e/c/n7')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'e', 'kind': 'file', 'data': 'U:e:x', 'uid': 0, 'gid': 0, 'mtime': 1000211998348393298, 'mode': 0o600},
]
OPS = [
    (0, "r = os.rename('../../../d/b/a/d', M + '/e/c/n7')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
