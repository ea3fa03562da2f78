#!/usr/bin/env python3
# liboverlay vs kernel overlayfs (found through the supervisor, FUZZ_SUPERVISE=1): fuzz.py seed 121, 2 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p1) r = os.lstat('../../../g/c/e/e', dir_fd=H[4])
#   kernel: {"gid": 0, "mode": "0o777", "mtime": 1000080585432523826, "nlink": 1, "size": 10, "type": "l", "uid": 0}
#   lib:    {"errno": "ENOENT"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 2
TREE = [
    {'layer': 'U', 'path': 'g/c/e/e', 'kind': 'symlink', 'target': '../../../b', 'uid': 0, 'gid': 0, 'mtime': 1000080585432523826, 'mode': 0o666},
    {'layer': 'U', 'path': 'h h/g/h h', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000324528949739382, 'mode': 0o755},
]
OPS = [
    (1, "H[4] = os.open(M + '/h h/g/h h', os.O_RDONLY | os.O_DIRECTORY, 0o777); r = os.fstat(H[4])"),
    (0, "r = shutil.rmtree(M + '/h h/g/h h/')"),
    (1, "r = os.lstat('../../../g/c/e/e', dir_fd=H[4])"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
