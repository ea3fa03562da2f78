#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 7032, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = renameat2(M + '/c/c/h h/b/n7', M + '/e/h h/d/.', 0)
#   kernel: {"errno": "EBUSY"}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'c/c/h h/b', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000937834436209043, 'mode': 0o0},
    {'layer': 'U', 'path': 'd/a/h h', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000088442077340798, 'mode': 0o750},
    {'layer': 'U', 'path': 'e/h h/d/d', 'kind': 'hardlink', 'src': 'e/a/d'},
]
OPS = [
    (0, "H[3] = os.open(M + '/d', os.O_RDONLY | os.O_DIRECTORY, 0o777); r = os.fstat(H[3])"),
    (0, "r = renameat2('../c/c/h h/b', 'a', RENAME_EXCHANGE, H[3], H[3])"),
    (0, "r = renameat2(M + '/c/c/h h/b/n7', M + '/e/h h/d/.', 0)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
