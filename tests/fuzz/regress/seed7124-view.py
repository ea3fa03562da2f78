#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 7124, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# merged view of a fresh process differs:
#   d/a/e
#     kernel: {'gid': 0, 'mode': '0o666', 'mtime': 1000828348205673295, 'nlink': 2, 'sha': '6bc0ba9dc1066d22', 'size': 12, 'type': 'f', 'uid': 1000}
#     lib:    {'gid': 0, 'mode': '0o666', 'mtime': 1000828348205673295, 'nlink': 1, 'sha': '6bc0ba9dc1066d22', 'size': 12, 'type': 'f', 'uid': 1000}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'd/a/a/h h', 'kind': 'file', 'data': 'L1:d/a/a/h h:xxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 0, 'mtime': 1000538554838301270, 'mode': 0o0},
    {'layer': 'L1', 'path': 'd/a/e', 'kind': 'file', 'data': 'L1:d/a/e:xxx', 'uid': 1000, 'gid': 0, 'mtime': 1000828348205673295, 'mode': 0o666},
    {'layer': 'L1', 'path': 'f.txt/a/b/c', 'kind': 'hardlink', 'src': 'd/a/e'},
]
OPS = [
    (0, "r = renameat2(M + '/d/a/e', M + '/d/a/a', RENAME_EXCHANGE)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
