#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1091, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = os.fstat(H[7])
#   kernel: {"gid": 0, "mode": "0o644", "type": "d", "uid": 0}
#   lib:    {"gid": 0, "mode": "0o755", "type": "d", "uid": 0}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h/f.txt/b/g', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000603064843898584, 'mode': 0o755},
]
OPS = [
    (0, "H[7] = os.open(M + '/h h/f.txt/b', os.O_RDONLY | os.O_DIRECTORY, 0o644); r = os.fstat(H[7])"),
    (0, "r = os.chmod('h h/f.txt/b', 0o644)"),
    (0, 'r = os.fstat(H[7])'),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
