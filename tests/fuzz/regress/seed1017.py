#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1017, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.mkdir('../b/n9', 0o700, dir_fd=H[1])
#   kernel: {"errno": "ENOTDIR"}
#   lib:    null
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'b/d', 'kind': 'file', 'data': 'L1:b/d:xxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000819241027419017, 'mode': 0o0},
    {'layer': 'U', 'path': 'b/d', 'kind': 'file', 'data': 'U:b/d:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000566749126767464, 'mode': 0o4755},
    {'layer': 'L2', 'path': 'g', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000501231127118761, 'mode': 0o555},
    {'layer': 'U', 'path': 'g', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000549025317388838, 'mode': 0o640},
]
OPS = [
    (0, "H[1] = os.open(M + '/g', os.O_WRONLY, 0o644); r = os.fstat(H[1])"),
    (0, "r = os.mkdir('../b/n9', 0o700, dir_fd=H[1])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
