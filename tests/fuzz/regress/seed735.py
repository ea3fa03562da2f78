#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 735, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) H[5] = os.open('../../f.txt/', os.O_RDONLY | os.O_CREAT | os.O_TRUNC, 0o644); r = os.fstat(H[5])
#   kernel: {"errno": "EISDIR"}
#   lib:    {"gid": 0, "mode": "0o644", "mtime": "now", "nlink": 1, "size": 0, "type": "f", "uid": 0}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
]
OPS = [
    (0, "H[5] = os.open('../../f.txt/', os.O_RDONLY | os.O_CREAT | os.O_TRUNC, 0o644); r = os.fstat(H[5])"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
