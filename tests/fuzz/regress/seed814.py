#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 814, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = renameat2(M + '/e/.', '../d/n12', 0)
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EXDEV"}
LIB = '/tmp/fzlib/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'L1', 'path': 'e/g/a', 'kind': 'symlink', 'target': 'new0', 'uid': 0, 'gid': 0, 'mtime': 1000739764646698808, 'mode': 0o4755},
]
OPS = [
    (0, "r = renameat2(M + '/e/.', '../d/n12', 0)"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
