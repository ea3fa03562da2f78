#!/usr/bin/env python3
# liboverlay vs kernel overlayfs (found through the supervisor, FUZZ_SUPERVISE=1): fuzz.py seed 144, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = shutil.rmtree('a')
#   kernel: null
#   lib:    {"errno": "None"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'a/e', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000518846582496961, 'mode': 0o775},
]
OPS = [
    (0, "r = os.mkdir(M + '/a/n1', 0o666)"),
    (0, "r = shutil.rmtree('a')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
