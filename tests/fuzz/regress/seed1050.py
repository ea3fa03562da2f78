#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1050, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[2] = os.open(M + '/a//c/a/h h', os.O_RDONLY | os.O_EXCL | os.O_APPEND, 0o777); r = os.fstat(H[2])
#   kernel: {"gid": 100, "mode": "0o0", "mtime": 1000408257448438429, "nlink": 2, "size": 5, "type": "f", "uid": 0}
#   lib:    {"gid": 100, "mode": "0o0", "mtime": 1000408257448438429, "nlink": 1, "size": 5, "type": "f", "uid": 0}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'a/c/a/e', 'kind': 'file', 'data': 'L1:a/', 'uid': 0, 'gid': 100, 'mtime': 1000408257448438429, 'mode': 0o0},
    {'layer': 'L1', 'path': 'a/c/a/h h', 'kind': 'hardlink', 'src': 'a/c/a/e'},
]
OPS = [
    (0, "H[2] = os.open(M + '/a//c/a/h h', os.O_RDONLY | os.O_EXCL | os.O_APPEND, 0o777); r = os.fstat(H[2])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
