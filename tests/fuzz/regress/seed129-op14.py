#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 129, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M + '/g/h h/c/.', M)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "EBUSY"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'g/h h/c', 'kind': 'symlink', 'target': '.', 'uid': 0, 'gid': 0, 'mtime': 1000246177519327085, 'mode': 0o644},
    {'layer': 'L2', 'path': 'g/h h/e', 'kind': 'hardlink', 'src': 'g/b/a/b'},
    {'layer': 'L2', 'path': 'h h/c/g', 'kind': 'symlink', 'target': '@M@/f.txt/a', 'uid': 1000, 'gid': 1000, 'mtime': 1000610330366562206, 'mode': 0o2750},
]
OPS = [
    (0, "r = os.rename(M + '/g/h h/c/.', M)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
