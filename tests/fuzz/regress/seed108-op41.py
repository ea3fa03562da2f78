#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 108, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 1 (p0) r = os.rename('../../..', '../../n6', src_dir_fd=H[2], dst_dir_fd=H[2])
#   kernel: {"errno": "EBUSY"}
#   lib:    {"errno": "EINVAL"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'f.txt/d/g', 'kind': 'symlink', 'target': '../../g', 'uid': 0, 'gid': 0, 'mtime': 1000356991271327945, 'mode': 0o644},
    {'layer': 'U', 'path': 'g/b', 'kind': 'file', 'data': 'U:g/b', 'uid': 0, 'gid': 0, 'mtime': 1000308966936408951, 'mode': 0o4755},
]
OPS = [
    (0, "H[2] = os.open(M + '/f.txt/d/g', os.O_RDONLY | os.O_DIRECTORY, 0o777); r = os.fstat(H[2])"),
    (0, "r = os.rename('../../..', '../../n6', src_dir_fd=H[2], dst_dir_fd=H[2])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
