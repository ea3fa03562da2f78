#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1079, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.chown('../../a/a/f.txt/d', -1, 1000, dir_fd=H[1], follow_symlinks=False)
#   kernel: {"errno": "ENOTDIR"}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'c/d/a', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 0, 'mtime': 1000185582909695257, 'mode': 0o644},
]
OPS = [
    (0, "H[1] = os.open(M + '/c/d/a', os.O_WRONLY | os.O_TRUNC, 0o644); r = os.fstat(H[1])"),
    (0, "r = os.chown('../../a/a/f.txt/d', -1, 1000, dir_fd=H[1], follow_symlinks=False)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
