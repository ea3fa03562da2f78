#!/usr/bin/env python3
# liboverlay vs kernel overlayfs (found through the supervisor, FUZZ_SUPERVISE=1): fuzz.py seed 2126, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 3 (p0) r = os.getcwd()
#   kernel: {"errno": "ENOENT"}
#   lib:    "/tmp/ovfuzz.19365/0/1/2/3/4/M/c/d/.wh..wh.removed"
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'c/d/g', 'kind': 'symlink', 'target': '../../d', 'uid': 65534, 'gid': 65534, 'mtime': 1000262080437324464, 'mode': 0o444},
]
OPS = [
    (0, "r = os.mkdir(M + '/c/d/n4/', 0o700)"),
    (0, "os.chdir('c/d/n4/'); r = os.getcwd()"),
    (0, "r = shutil.rmtree('..')"),
    (0, 'r = os.getcwd()'),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
