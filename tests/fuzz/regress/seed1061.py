#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1061, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[6] = os.open(M + '/b', os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_DIRECTORY, 0o600); r = os.fstat(H[6])
#   kernel: {"errno": "EINVAL"}
#   lib:    {"errno": "EEXIST"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'b/h h/f.txt/g', 'kind': 'file', 'data': 'L2:b/', 'uid': 0, 'gid': 100, 'mtime': 1000325156957157668, 'mode': 0o644},
]
OPS = [
    (0, "H[6] = os.open(M + '/b', os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_DIRECTORY, 0o600); r = os.fstat(H[6])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
