#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 104, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 0 (p0) r = os.rename('h h/e/', M)
#   kernel: {"errno": "EXDEV"}
#   lib:    {"errno": "ENOTDIR"}
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'U', 'path': 'b', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 0, 'mtime': 1000938900157925716, 'mode': 0o644},
    {'layer': 'L1', 'path': 'c', 'kind': 'file', 'data': 'L1:c:', 'uid': 0, 'gid': 100, 'mtime': 1000063816925859908, 'mode': 0o755},
    {'layer': 'U', 'path': 'c', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000337981667251527, 'mode': 0o755},
    {'layer': 'U', 'path': 'c/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000270893192963515, 'mode': 0o750},
    {'layer': 'U', 'path': 'c/a/a', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000264526602954500, 'mode': 0o4755},
    {'layer': 'U', 'path': 'c/a/e', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000366889669070679, 'mode': 0o1777},
    {'layer': 'U', 'path': 'c/a/e/a', 'kind': 'file', 'data': 'U:c/a/e/a:xx', 'uid': 1000, 'gid': 0, 'mtime': 1000500512679364418, 'mode': 0o600},
    {'layer': 'U', 'path': 'c/a/h h', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000564190406446379, 'mode': 0o755},
    {'layer': 'U', 'path': 'c/a/h h/h h', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000075279010517635, 'mode': 0o600},
    {'layer': 'L1', 'path': 'h h', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000648323787485593, 'mode': 0o755},
    {'layer': 'L1', 'path': 'h h/a', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000976027453595334, 'mode': 0o700},
    {'layer': 'L1', 'path': 'h h/a/b', 'kind': 'symlink', 'target': '@M@/c/a/e', 'uid': 0, 'gid': 0, 'mtime': 1000868165560014005, 'mode': 0o640},
    {'layer': 'L1', 'path': 'h h/a/d', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000250117789564574, 'mode': 0o644},
    {'layer': 'L1', 'path': 'h h/a/f.txt', 'kind': 'file', 'data': 'L1:h ', 'uid': 0, 'gid': 0, 'mtime': 1000226914768487782, 'mode': 0o644},
    {'layer': 'L1', 'path': 'h h/a/g', 'kind': 'symlink', 'target': '@M@/h h/a/f.txt', 'uid': 0, 'gid': 100, 'mtime': 1000632509497306812, 'mode': 0o600},
    {'layer': 'L1', 'path': 'h h/c', 'kind': 'file', 'data': 'L1:h ', 'uid': 0, 'gid': 0, 'mtime': 1000006914998485500, 'mode': 0o444},
    {'layer': 'L1', 'path': 'h h/e', 'kind': 'hardlink', 'src': 'c'},
    {'layer': 'L1', 'path': 'h h', 'kind': 'opaque'},
]
OPS = [
    (0, "r = os.rename('h h/e/', M)"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
