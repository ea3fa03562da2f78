#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 9036, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.link('../../b/h h/n2/c', M + '/h h/d/c/n9')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'c/c', 'kind': 'file', 'data': 'L1:c/c:xxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000138965064503480, 'mode': 0o600},
    {'layer': 'U', 'path': 'c/d', 'kind': 'file', 'data': 'U', 'uid': 1000, 'gid': 1000, 'mtime': 1000937072465537055, 'mode': 0o640},
    {'layer': 'L2', 'path': 'f.txt', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000098182484419625, 'mode': 0o1777},
    {'layer': 'L1', 'path': 'h h', 'kind': 'symlink', 'target': 'c', 'uid': 1000, 'gid': 1000, 'mtime': 1000945447810820289, 'mode': 0o640},
    {'layer': 'L2', 'path': 'h h/d/c', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000786237988693010, 'mode': 0o755},
    {'layer': 'L2', 'path': 'h h/d/c/e', 'kind': 'file', 'data': 'L', 'uid': 65534, 'gid': 65534, 'mtime': 1000444418642335719, 'mode': 0o755},
]
OPS = [
    (0, "r = os.link('../../b/h h/n2/c', M + '/h h/d/c/n9')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
