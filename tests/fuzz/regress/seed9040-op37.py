#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9040, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M + '/c/d/h h/.', M + '/d/g/a/n7')
#   kernel: {"errno": "ENOTDIR"}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'c/d/b/d', 'kind': 'file', 'data': 'U', 'uid': 1000, 'gid': 0, 'mtime': 1000299981053706189, 'mode': 0o444},
    {'layer': 'U', 'path': 'c/d/h h', 'kind': 'symlink', 'target': '../e/f.txt', 'uid': 0, 'gid': 0, 'mtime': 1000541546409349980, 'mode': 0o4755},
    {'layer': 'U', 'path': 'c/e', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000647098663111281, 'mode': 0o775},
    {'layer': 'U', 'path': 'c/e/b', 'kind': 'symlink', 'target': '../../a/b', 'uid': 0, 'gid': 0, 'mtime': 1000803457364291798, 'mode': 0o755},
    {'layer': 'U', 'path': 'c/e/e', 'kind': 'file', 'data': 'U:c/e', 'uid': 65534, 'gid': 65534, 'mtime': 1000963583474829397, 'mode': 0o640},
    {'layer': 'U', 'path': 'c/e/f.txt', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000563285220599244, 'mode': 0o640},
    {'layer': 'L2', 'path': 'd/c', 'kind': 'hardlink', 'src': 'b/b/d/f.txt'},
    {'layer': 'L1', 'path': 'd/c', 'kind': 'file', 'data': 'L1:d/', 'uid': 1000, 'gid': 1000, 'mtime': 1000220260853124335, 'mode': 0o4755},
]
OPS = [
    (0, "r = os.rename(M + '/c/d/h h/.', M + '/d/g/a/n7')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
