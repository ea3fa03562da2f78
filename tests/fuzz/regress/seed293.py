#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 293, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.rename('../..', '../n14')
#   kernel: {"errno": "EBUSY"}
#   lib:    {"errno": "EXDEV"}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'b/c', 'kind': 'hardlink', 'src': 'a/a/h h'},
    {'layer': 'U', 'path': 'b/c', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 0, 'mtime': 1000061073310158458, 'mode': 0o0},
    {'layer': 'L2', 'path': 'b/g', 'kind': 'symlink', 'target': '../a', 'uid': 0, 'gid': 0, 'mtime': 1000910653697835389, 'mode': 0o644},
    {'layer': 'U', 'path': 'b', 'kind': 'opaque'},
    {'layer': 'L2', 'path': 'd', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000381207753854754, 'mode': 0o775},
    {'layer': 'L1', 'path': 'd', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000079139570556327, 'mode': 0o755},
    {'layer': 'U', 'path': 'd', 'kind': 'symlink', 'target': 'new0', 'uid': 1000, 'gid': 1000, 'mtime': 1000141444432032539, 'mode': 0o0},
    {'layer': 'L2', 'path': 'd/b', 'kind': 'file', 'data': 'L2:d/', 'uid': 1000, 'gid': 1000, 'mtime': 1000378675897074256, 'mode': 0o0},
    {'layer': 'L2', 'path': 'd/e', 'kind': 'file', 'data': 'L2:d/e:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000640363596401652, 'mode': 0o755},
]
OPS = [
    (0, "os.chdir(M + '/b'); r = os.getcwd()"),
    (0, "r = os.rename('../..', '../n14')"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
