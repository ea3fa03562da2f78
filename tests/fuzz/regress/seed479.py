#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 479, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = renameat2(M + '/c/.', 'n6', RENAME_NOREPLACE)
#   kernel: {"errno": "EBUSY"}
#   lib:    {"errno": "ENOENT"}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'a', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000010075702026501, 'mode': 0o644},
    {'layer': 'L1', 'path': 'a', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000660505144671403, 'mode': 0o700},
    {'layer': 'L1', 'path': 'a/d', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000714014581084124, 'mode': 0o700},
    {'layer': 'L1', 'path': 'a/d/e', 'kind': 'file', 'data': 'L1:a/', 'uid': 0, 'gid': 100, 'mtime': 1000860303624661102, 'mode': 0o644},
    {'layer': 'L2', 'path': 'b', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000037394035290608, 'mode': 0o750},
    {'layer': 'L1', 'path': 'b', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000749563801390479, 'mode': 0o755},
    {'layer': 'U', 'path': 'b', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000206687119112303, 'mode': 0o755},
    {'layer': 'L2', 'path': 'b/d', 'kind': 'file', 'data': 'L2:b/d:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000470800895315905, 'mode': 0o666},
    {'layer': 'L1', 'path': 'b/d', 'kind': 'file', 'data': 'L1:b/d:xxxxx', 'uid': 0, 'gid': 100, 'mtime': 1000232930195868648, 'mode': 0o444},
    {'layer': 'L2', 'path': 'b/e', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 1000, 'mtime': 1000530731527249323, 'mode': 0o666},
    {'layer': 'L1', 'path': 'b/e', 'kind': 'symlink', 'target': '../c', 'uid': 0, 'gid': 100, 'mtime': 1000642762013099080, 'mode': 0o4755},
    {'layer': 'U', 'path': 'b/e', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000701700444879844, 'mode': 0o775},
    {'layer': 'U', 'path': 'b/e/d', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000360886456560546, 'mode': 0o750},
    {'layer': 'U', 'path': 'b/e/d', 'kind': 'opaque'},
    {'layer': 'U', 'path': 'b/e/e', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000502251257151993, 'mode': 0o600},
    {'layer': 'L2', 'path': 'b/f.txt', 'kind': 'hardlink', 'src': 'b/e'},
    {'layer': 'L1', 'path': 'b/f.txt', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000269056623574838, 'mode': 0o775},
    {'layer': 'U', 'path': 'b/f.txt', 'kind': 'symlink', 'target': '../e', 'uid': 0, 'gid': 0, 'mtime': 1000809326901352004, 'mode': 0o0},
    {'layer': 'L1', 'path': 'b/f.txt/a', 'kind': 'file', 'data': 'L1:b/f.txt/a:xxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 0, 'mtime': 1000070055831577651, 'mode': 0o755},
    {'layer': 'L1', 'path': 'b/f.txt/b', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000702078619834497, 'mode': 0o755},
    {'layer': 'L1', 'path': 'b/f.txt/b/a', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000762184732175091, 'mode': 0o640},
    {'layer': 'L1', 'path': 'b/f.txt/b/c', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000786436213977470, 'mode': 0o444},
    {'layer': 'L1', 'path': 'c', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000759823618951013, 'mode': 0o1777},
    {'layer': 'U', 'path': 'c', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000643189407265332, 'mode': 0o750},
    {'layer': 'U', 'path': 'c/b', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000648582177853108, 'mode': 0o555},
    {'layer': 'U', 'path': 'c/b/a', 'kind': 'file', 'data': 'U', 'uid': 0, 'gid': 100, 'mtime': 1000975734488884510, 'mode': 0o666},
    {'layer': 'U', 'path': 'c/c', 'kind': 'whiteout'},
    {'layer': 'U', 'path': 'c/h h', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000853974219607323, 'mode': 0o555},
    {'layer': 'U', 'path': 'c/h h', 'kind': 'opaque'},
    {'layer': 'L2', 'path': 'e', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000531585697056466, 'mode': 0o750},
    {'layer': 'U', 'path': 'e', 'kind': 'file', 'data': 'U:e:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000729548428117197, 'mode': 0o444},
    {'layer': 'L2', 'path': 'e/e', 'kind': 'file', 'data': 'L2:e/', 'uid': 1000, 'gid': 0, 'mtime': 1000996244871423981, 'mode': 0o644},
    {'layer': 'L2', 'path': 'f.txt', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000729599022490812, 'mode': 0o644},
    {'layer': 'L1', 'path': 'f.txt', 'kind': 'hardlink', 'src': 'b/f.txt/b/a'},
    {'layer': 'U', 'path': 'f.txt', 'kind': 'symlink', 'target': 'missing', 'uid': 0, 'gid': 0, 'mtime': 1000736429947272976, 'mode': 0o755},
    {'layer': 'L2', 'path': 'g', 'kind': 'symlink', 'target': 'missing', 'uid': 1000, 'gid': 0, 'mtime': 1000119589449665583, 'mode': 0o4755},
]
OPS = [
    (0, "os.chdir('b/e'); r = os.getcwd()"),
    (0, "r = shutil.rmtree(M + '/b')"),
    (0, "r = renameat2(M + '/c/.', 'n6', RENAME_NOREPLACE)"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
