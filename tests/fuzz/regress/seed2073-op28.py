#!/usr/bin/env python3
# liboverlay vs kernel overlayfs (found through the supervisor, FUZZ_SUPERVISE=1): fuzz.py seed 2073, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 3 (p0) r = sorted(os.listdir('h h'))
#   kernel: {"errno": "ENOENT"}
#   lib:    ["c"]
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'a/a/a', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 0, 'mtime': 1000422602885752479, 'mode': 0o600},
    {'layer': 'U', 'path': 'h h/c/h h/c', 'kind': 'file', 'data': 'U', 'uid': 65534, 'gid': 65534, 'mtime': 1000180030893830997, 'mode': 0o2750},
]
OPS = [
    (0, "os.chdir('a/a/'); r = os.getcwd()"),
    (0, "H[1] = os.open(M + '/b', os.O_RDWR | os.O_CREAT, 0o777); r = os.fstat(H[1])"),
    (0, 'os.fchdir(H[1]); r = os.getcwd()'),
    (0, "r = sorted(os.listdir('h h'))"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
