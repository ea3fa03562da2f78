#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1009, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 3 (p0) r = os.fstat(H[1])
#   kernel: {"gid": 100, "mode": "0o644", "mtime": 1000210782682605686, "nlink": 1, "size": 12, "type": "f", "uid": 0}
#   lib:    {"gid": 0, "mode": "0o644", "mtime": 1000304448798814022, "nlink": 1, "size": 12, "type": "f", "uid": 0}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'h h/a/b', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000530736348154788, 'mode': 0o750},
    {'layer': 'L2', 'path': 'h h/a/b/a', 'kind': 'file', 'data': 'L2:h h/a/b/a', 'uid': 0, 'gid': 0, 'mtime': 1000304448798814022, 'mode': 0o644},
    {'layer': 'L2', 'path': 'h h/f.txt/g', 'kind': 'hardlink', 'src': 'h h/a/b/h h'},
]
OPS = [
    (0, "H[1] = os.open('h h/a/b/a', os.O_RDONLY | os.O_APPEND, 0o644); r = os.fstat(H[1])"),
    (0, 'r = os.utime(H[1], ns=(1000645656677244893, 1000210782682605686))'),
    (0, 'r = os.fchown(H[1], 0, 100)'),
    (0, 'r = os.fstat(H[1])'),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
