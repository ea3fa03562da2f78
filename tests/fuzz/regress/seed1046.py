#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1046, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.chmod('../../../a/d/b/a', 0o2750, dir_fd=H[4])
#   kernel: {"errno": "ENOTDIR"}
#   lib:    null
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'a/d/b/a', 'kind': 'symlink', 'target': '..', 'uid': 0, 'gid': 0, 'mtime': 1000369587164633999, 'mode': 0o0},
    {'layer': 'L1', 'path': 'g/h h/h h', 'kind': 'file', 'data': 'L1:g/', 'uid': 0, 'gid': 100, 'mtime': 1000671609150054985, 'mode': 0o0},
]
OPS = [
    (0, "H[4] = os.open('g/h h/h h', os.O_RDONLY, 0o600); r = os.fstat(H[4])"),
    (0, "r = os.chmod('../../../a/d/b/a', 0o2750, dir_fd=H[4])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
