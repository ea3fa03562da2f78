#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 1228, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('../../../c/f.txt/f.txt/', '.')
#   kernel: {"errno": "ENOENT"}
#   lib:    {"errno": "EXDEV"}
LIB = '/tmp/fzlib/liboverlay.so'
PROCS = 1
TREE = [
]
OPS = [
    (0, "r = os.rename('../../../c/f.txt/f.txt/', '.')"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
