#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 15, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = scan(H[2])
#   kernel: [["d", false, true, false]]
#   lib:    []
# (os.listdir of a descriptor dups it, reads, and rewinds the stream before
# closing it, so that the next listing through the same open file starts at
# 0 again: rewinddir of a directory read plain must move the file offset at
# once, as glibc's does.)
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'b/g/e/d', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000516405418530624, 'mode': 0o4755},
]
OPS = [
    (0, "H[2] = os.open(M + '/b/g/e', os.O_RDONLY, 0o777); r = os.fstat(H[2])"),
    (0, 'r = scan(H[2])'),
    (0, 'r = scan(H[2])'),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
