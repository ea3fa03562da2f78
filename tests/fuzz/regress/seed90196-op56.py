#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 90196, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = os.fchown(H[5], 1000, 0)
#   kernel: {"errno": "EEXIST"}
#   lib:    null, and the view's g (the file renamed over it) owned by 1000
# (a change through the read-only descriptor of a lower file whose name was
# since renamed over: the library made it by name, on the other file.  The
# refusal itself (EROFS here, EEXIST on the kernel) is the accepted
# difference of tests/fuzz/accepted.py, so the ops ignore it and the view
# is what is compared.  The last ops, written by hand: a descriptor whose
# file was copied up through another one still changes that copy.)
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'a/a/a/h h', 'kind': 'file', 'data': 'L2:a/', 'uid': 65534, 'gid': 65534, 'mtime': 1000773551383804760, 'mode': 0o644},
    {'layer': 'L2', 'path': 'a/a/c/f.txt', 'kind': 'hardlink', 'src': 'a/a/a/h h'},
    {'layer': 'L2', 'path': 'a/a/c/g', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000326711682923037, 'mode': 0o600},
    {'layer': 'L1', 'path': 'b', 'kind': 'file', 'data': 'b', 'uid': 0, 'gid': 0, 'mtime': 1000326711682923037, 'mode': 0o644},
]
OPS = [
    (0, "H[5] = os.open(M + '/a/a/c/g', os.O_RDONLY | os.O_APPEND, 0o777); r = os.fstat(H[5])"),
    (0, "r = os.rename(M + '/a/a/c/f.txt', M + '/a/a/c/g')"),
    (0, "try:\n    os.fchown(H[5], 1000, 0)\nexcept OSError:\n    pass\nr = None"),
    (0, "try:\n    os.fchmod(H[5], 0o600)\nexcept OSError:\n    pass\nr = None"),
    (0, "H[6] = os.open(M + '/b', os.O_RDONLY); H[7] = os.open(M + '/b', os.O_WRONLY | os.O_APPEND); r = os.write(H[7], b'more')"),
    (0, "r = os.fchown(H[6], 1000, 0); r = os.fchmod(H[6], 0o640)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
