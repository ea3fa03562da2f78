#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9063, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M + '/h h/h h', M)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "ENOTEMPTY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'h h/g/g', 'kind': 'file', 'data': 'U:h h', 'uid': 65534, 'gid': 65534, 'mtime': 1000488542455586451, 'mode': 0o666},
    {'layer': 'U', 'path': 'h h/h h', 'kind': 'hardlink', 'src': 'h h/g/g'},
]
OPS = [
    (0, "r = os.rename(M + '/h h/h h', M)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
