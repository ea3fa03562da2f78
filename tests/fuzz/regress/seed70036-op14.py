#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 70036, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 14 (p0) r = os.link('./', '../n2/')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EXDEV"}
# (link across a mount boundary: the kernel's filename_create checks the
# new name, EEXIST for one that exists or for "." and "..", ENOENT for a
# missing one written with a trailing slash, before it compares the two
# mounts.  The later ops, written by hand, take both directions.)
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'a', 'kind': 'file', 'data': 'x', 'uid': 0, 'gid': 0, 'mtime': 1000201931637691333, 'mode': 0o644},
]
OPS = [
    (0, "r = os.link('./', '../n2/')"),
    (0, "r = os.link('a', '../n3/')"),
    (0, "r = os.link('a', '..')"),
    (0, "r = os.link(M + '/a', '../' + os.path.basename(M))"),
    (0, "r = os.link('..', 'a')"),
    (0, "r = os.link('..', 'new/')"),
    (0, "r = os.link('..', '.')"),
    (0, "r = os.link('a', '../n4')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
