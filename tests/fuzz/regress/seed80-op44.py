#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 80, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename(M + '/c/f.txt/h h', M + '/c/f.txt/h h')
#   kernel: null
#   lib:    {"errno": "EXDEV"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'c/f.txt/h h', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000002555588442357, 'mode': 0o755},
    {'layer': 'L2', 'path': 'c/f.txt/h h/b', 'kind': 'symlink', 'target': '../../../b/c', 'uid': 65534, 'gid': 65534, 'mtime': 1000136968169429309, 'mode': 0o755},
    {'layer': 'L2', 'path': 'c/f.txt/h h/g', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000076530905415051, 'mode': 0o600},
    {'layer': 'L2', 'path': 'c/f.txt/h h/h h', 'kind': 'hardlink', 'src': 'c/f.txt/d'},
    {'layer': 'L2', 'path': 'd', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000827647883712708, 'mode': 0o1777},
    {'layer': 'L1', 'path': 'd', 'kind': 'file', 'data': 'L1:d:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 65534, 'gid': 65534, 'mtime': 1000199802626816341, 'mode': 0o600},
    {'layer': 'U', 'path': 'd', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000804698934072352, 'mode': 0o775},
    {'layer': 'U', 'path': 'd/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000256204763795077, 'mode': 0o750},
    {'layer': 'U', 'path': 'd/a/b', 'kind': 'file', 'data': 'U:d/a', 'uid': 1000, 'gid': 1000, 'mtime': 1000647405316787983, 'mode': 0o640},
    {'layer': 'U', 'path': 'd/a/f.txt', 'kind': 'symlink', 'target': '../../c', 'uid': 0, 'gid': 0, 'mtime': 1000126365227421654, 'mode': 0o600},
]
OPS = [
    (0, "r = os.rename(M + '/c/f.txt/h h', M + '/c/f.txt/h h')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
