#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9055, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[5] = os.open(M + '/f.txt/n4/.', os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600); r = os.fstat(H[5])
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EISDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'f.txt/f.txt/g/h h', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000321857526582520, 'mode': 0o666},
]
OPS = [
    (0, "H[5] = os.open(M + '/f.txt/n4/.', os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600); r = os.fstat(H[5])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
