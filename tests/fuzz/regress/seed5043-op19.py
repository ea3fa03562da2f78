#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 5043, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = shutil.rmtree('a/')
#   kernel: {"errno": "ENOTDIR"}
#   lib:    null
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'a', 'kind': 'symlink', 'target': '@M@/h h', 'uid': 1000, 'gid': 1000, 'mtime': 1000812599935175734, 'mode': 0o2750},
    {'layer': 'L2', 'path': 'b/f.txt/e', 'kind': 'symlink', 'target': '.', 'uid': 1000, 'gid': 1000, 'mtime': 1000466078385743741, 'mode': 0o2750},
    {'layer': 'L2', 'path': 'h h', 'kind': 'symlink', 'target': 'b/f.txt', 'uid': 0, 'gid': 100, 'mtime': 1000174606829379056, 'mode': 0o2750},
]
OPS = [
    (0, "r = shutil.rmtree('a/')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
