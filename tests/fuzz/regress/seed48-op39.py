#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 48, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.link('../e/h h/', M + '/b/n4')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'a', 'kind': 'file', 'data': 'L2:a:xxxxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000162153866305716, 'mode': 0o644},
    {'layer': 'L1', 'path': 'a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000228641818473385, 'mode': 0o1777},
    {'layer': 'U', 'path': 'a', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000162440506578873, 'mode': 0o755},
    {'layer': 'U', 'path': 'a/b', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000996844138338782, 'mode': 0o755},
    {'layer': 'L1', 'path': 'a/d', 'kind': 'symlink', 'target': '@M@/f.txt/b', 'uid': 0, 'gid': 100, 'mtime': 1000144896378372271, 'mode': 0o4755},
    {'layer': 'L2', 'path': 'b', 'kind': 'file', 'data': 'L2:b:', 'uid': 0, 'gid': 0, 'mtime': 1000384143104734539, 'mode': 0o444},
    {'layer': 'L1', 'path': 'b', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000521092748226309, 'mode': 0o755},
    {'layer': 'U', 'path': 'b', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 0, 'mtime': 1000345993506496154, 'mode': 0o0},
    {'layer': 'L1', 'path': 'b/a', 'kind': 'file', 'data': 'L1:b/', 'uid': 65534, 'gid': 65534, 'mtime': 1000440223951801106, 'mode': 0o640},
    {'layer': 'U', 'path': 'd/a/d', 'kind': 'symlink', 'target': '..', 'uid': 0, 'gid': 100, 'mtime': 1000632848760468767, 'mode': 0o755},
]
OPS = [
    (0, "r = os.link('../e/h h/', M + '/b/n4')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
