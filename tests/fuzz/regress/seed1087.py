#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1087, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[3] = os.open(M + '/a/b', os.O_WRONLY | os.O_CREAT | os.O_DIRECTORY, 0o644); r = os.fstat(H[3])
#   kernel: {"errno": "EINVAL"}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'g/h h', 'kind': 'file', 'data': 'L2:g/', 'uid': 1000, 'gid': 1000, 'mtime': 1000676099270418891, 'mode': 0o666},
]
OPS = [
    (0, "H[3] = os.open(M + '/a/b', os.O_WRONLY | os.O_CREAT | os.O_DIRECTORY, 0o644); r = os.fstat(H[3])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
