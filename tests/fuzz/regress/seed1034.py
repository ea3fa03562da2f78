#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1034, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[1] = os.open(M + '/g/a/g/c/', os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_TRUNC | os.O_APPEND, 0o777); r = os.fstat(H[1])
#   kernel: {"errno": "EISDIR"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'g/a/g/c', 'kind': 'file', 'data': 'L', 'uid': 1000, 'gid': 1000, 'mtime': 1000809409169144534, 'mode': 0o0},
]
OPS = [
    (0, "H[1] = os.open(M + '/g/a/g/c/', os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_TRUNC | os.O_APPEND, 0o777); r = os.fstat(H[1])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
