#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1070, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.link('../..', M + '/h h/g/a', follow_symlinks=False)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "EPERM"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'h h/d/d', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000091999470149079, 'mode': 0o750},
    {'layer': 'L2', 'path': 'h h/f.txt/h h/f.txt', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000218142930230848, 'mode': 0o0},
    {'layer': 'L2', 'path': 'h h/f.txt/h h/h h', 'kind': 'hardlink', 'src': 'h h/f.txt/e/c'},
    {'layer': 'L1', 'path': 'h h/g', 'kind': 'file', 'data': 'L1:h h/g:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000331757446734076, 'mode': 0o644},
    {'layer': 'U', 'path': 'h h/g', 'kind': 'symlink', 'target': 'd/d', 'uid': 1000, 'gid': 0, 'mtime': 1000142589813212847, 'mode': 0o666},
]
OPS = [
    (0, "r = os.link('../..', M + '/h h/g/a', follow_symlinks=False)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
