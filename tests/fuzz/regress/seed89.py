#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 89, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = os.fstat(H[3])
#   kernel: {"gid": 1000, "mode": "0o4755", "mtime": 1000349466661638023, "nlink": 1, "size": 1, "type": "f", "uid": 1000}
#   lib:    {"gid": 1000, "mode": "0o666", "mtime": 1000349466661638023, "nlink": 1, "size": 1, "type": "f", "uid": 1000}
LIB = '/tmp/b/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'a', 'kind': 'symlink', 'target': 'new0', 'uid': 1000, 'gid': 1000, 'mtime': 1000939425225757296, 'mode': 0o444},
    {'layer': 'L1', 'path': 'a', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000080282612459869, 'mode': 0o750},
    {'layer': 'L1', 'path': 'a/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000585574348028466, 'mode': 0o555},
    {'layer': 'L1', 'path': 'a/a/b', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000877776298100904, 'mode': 0o555},
    {'layer': 'L1', 'path': 'a/a/b/a', 'kind': 'symlink', 'target': '@M@/b/f.txt', 'uid': 0, 'gid': 0, 'mtime': 1000524754241264434, 'mode': 0o644},
    {'layer': 'L1', 'path': 'a/a/d', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 100, 'mtime': 1000709707899843879, 'mode': 0o444},
    {'layer': 'L1', 'path': 'a/b', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000788303713680196, 'mode': 0o775},
    {'layer': 'L1', 'path': 'a/b/e', 'kind': 'file', 'data': 'L1:a/b/e:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000935860551244513, 'mode': 0o666},
    {'layer': 'L1', 'path': 'a/b/f.txt', 'kind': 'file', 'data': 'L1:a/b/f.txt:xxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 1000, 'gid': 0, 'mtime': 1000374366468627313, 'mode': 0o444},
    {'layer': 'L1', 'path': 'a/e', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000253852394587029, 'mode': 0o1777},
    {'layer': 'L1', 'path': 'a/e/a', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000917207314523662, 'mode': 0o755},
    {'layer': 'L1', 'path': 'a/e/a/b', 'kind': 'symlink', 'target': '../../../c/h h/e/b', 'uid': 65534, 'gid': 65534, 'mtime': 1000722051699502864, 'mode': 0o644},
    {'layer': 'L1', 'path': 'a/e/a/d', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000326704829157880, 'mode': 0o2750},
    {'layer': 'L1', 'path': 'a/e/a/e', 'kind': 'symlink', 'target': '@M@/a/e/b', 'uid': 1000, 'gid': 0, 'mtime': 1000924167066098341, 'mode': 0o2750},
    {'layer': 'L1', 'path': 'a/e/b', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000065206680846047, 'mode': 0o555},
    {'layer': 'L1', 'path': 'a/e/b/a', 'kind': 'file', 'data': 'L1:a/e/b/a:xxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000932212545550478, 'mode': 0o0},
    {'layer': 'L1', 'path': 'a/e/b/b', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000159942293798078, 'mode': 0o666},
    {'layer': 'L2', 'path': 'b', 'kind': 'symlink', 'target': 'c/h h/b', 'uid': 0, 'gid': 0, 'mtime': 1000723426019349607, 'mode': 0o444},
    {'layer': 'L1', 'path': 'b', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000304642460017731, 'mode': 0o775},
    {'layer': 'U', 'path': 'b', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000326591453204778, 'mode': 0o755},
    {'layer': 'L1', 'path': 'b/a', 'kind': 'symlink', 'target': 'g/d', 'uid': 65534, 'gid': 65534, 'mtime': 1000476196552828098, 'mode': 0o600},
    {'layer': 'U', 'path': 'b/a', 'kind': 'whiteout'},
    {'layer': 'L1', 'path': 'b/e', 'kind': 'symlink', 'target': 'g/e/h h', 'uid': 0, 'gid': 0, 'mtime': 1000806046142265859, 'mode': 0o444},
    {'layer': 'U', 'path': 'b/e', 'kind': 'file', 'data': 'U:b/e:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 65534, 'gid': 65534, 'mtime': 1000240917001597903, 'mode': 0o4755},
    {'layer': 'L1', 'path': 'b/f.txt', 'kind': 'symlink', 'target': 'f.txt', 'uid': 1000, 'gid': 1000, 'mtime': 1000722926356111922, 'mode': 0o600},
    {'layer': 'U', 'path': 'b/f.txt', 'kind': 'whiteout'},
    {'layer': 'L1', 'path': 'b/g', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000415402912903358, 'mode': 0o755},
    {'layer': 'L1', 'path': 'b/g/a', 'kind': 'file', 'data': 'L1:b/g/a:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 100, 'mtime': 1000648560525272873, 'mode': 0o0},
    {'layer': 'L1', 'path': 'b/g/d', 'kind': 'symlink', 'target': 'a/b', 'uid': 0, 'gid': 100, 'mtime': 1000864281053139656, 'mode': 0o755},
    {'layer': 'L1', 'path': 'b/g/e', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000113738413298678, 'mode': 0o750},
    {'layer': 'L1', 'path': 'b/g/e/e', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000875210969318009, 'mode': 0o0},
    {'layer': 'L1', 'path': 'b/g/e/f.txt', 'kind': 'symlink', 'target': '.', 'uid': 0, 'gid': 0, 'mtime': 1000215204400109952, 'mode': 0o666},
    {'layer': 'L1', 'path': 'b/g/e/h h', 'kind': 'file', 'data': '', 'uid': 1000, 'gid': 0, 'mtime': 1000515083780541365, 'mode': 0o600},
    {'layer': 'L2', 'path': 'c', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000211713219069241, 'mode': 0o755},
    {'layer': 'L1', 'path': 'c', 'kind': 'symlink', 'target': '.', 'uid': 0, 'gid': 100, 'mtime': 1000327838629339959, 'mode': 0o4755},
    {'layer': 'L2', 'path': 'c/e', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000690402224869182, 'mode': 0o0},
    {'layer': 'L2', 'path': 'c/f.txt', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 100, 'mtime': 1000528017518595312, 'mode': 0o600},
    {'layer': 'L2', 'path': 'c/h h', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000971922624473659, 'mode': 0o700},
    {'layer': 'L2', 'path': 'c/h h/b', 'kind': 'symlink', 'target': '@M@/b/g/e', 'uid': 0, 'gid': 100, 'mtime': 1000960236953872566, 'mode': 0o0},
    {'layer': 'L2', 'path': 'c/h h/e', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000032656039961448, 'mode': 0o1777},
    {'layer': 'L2', 'path': 'c/h h/e/b', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000929494888685009, 'mode': 0o666},
    {'layer': 'L2', 'path': 'c/h h/e/e', 'kind': 'file', 'data': 'L2:c/h h/e/e:xxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 100, 'mtime': 1000862142674031528, 'mode': 0o666},
    {'layer': 'L2', 'path': 'c/h h/g', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000772487945481928, 'mode': 0o700},
    {'layer': 'L2', 'path': 'c/h h/g/b', 'kind': 'file', 'data': 'L2:c/', 'uid': 0, 'gid': 100, 'mtime': 1000232755342394927, 'mode': 0o666},
    {'layer': 'L2', 'path': 'c/h h/g/c', 'kind': 'file', 'data': 'L2:c/h h/g/c', 'uid': 0, 'gid': 0, 'mtime': 1000726200337096193, 'mode': 0o444},
    {'layer': 'L1', 'path': 'e', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000482230831668087, 'mode': 0o700},
    {'layer': 'L1', 'path': 'e/b', 'kind': 'file', 'data': 'L', 'uid': 1000, 'gid': 1000, 'mtime': 1000349466661638023, 'mode': 0o666},
    {'layer': 'L1', 'path': 'e/e', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000221195660813531, 'mode': 0o750},
    {'layer': 'L1', 'path': 'e/e/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000893724619982779, 'mode': 0o775},
    {'layer': 'L1', 'path': 'e/e/a/c', 'kind': 'file', 'data': 'L1:e/e/a/c:x', 'uid': 0, 'gid': 0, 'mtime': 1000198140247079841, 'mode': 0o444},
    {'layer': 'L1', 'path': 'e/e/a/e', 'kind': 'file', 'data': 'L1:e/', 'uid': 0, 'gid': 0, 'mtime': 1000403780127914501, 'mode': 0o666},
    {'layer': 'L1', 'path': 'e/e/b', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000780033187677480, 'mode': 0o755},
    {'layer': 'L1', 'path': 'e/e/b/b', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000681221716000489, 'mode': 0o600},
    {'layer': 'L1', 'path': 'e/e/b/e', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000227394259586553, 'mode': 0o666},
    {'layer': 'L1', 'path': 'e/e/b', 'kind': 'opaque'},
    {'layer': 'L1', 'path': 'e/e', 'kind': 'opaque'},
    {'layer': 'L1', 'path': 'e/f.txt', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000179981872709696, 'mode': 0o700},
    {'layer': 'L1', 'path': 'e/f.txt/b', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000343785509243222, 'mode': 0o775},
    {'layer': 'L1', 'path': 'e/f.txt/b/b', 'kind': 'file', 'data': '', 'uid': 65534, 'gid': 65534, 'mtime': 1000083951859202458, 'mode': 0o4755},
    {'layer': 'L1', 'path': 'e/f.txt/b/f.txt', 'kind': 'symlink', 'target': '../../e', 'uid': 1000, 'gid': 0, 'mtime': 1000413193787780618, 'mode': 0o666},
    {'layer': 'L1', 'path': 'e/f.txt/b', 'kind': 'opaque'},
    {'layer': 'L1', 'path': 'e/f.txt/e', 'kind': 'file', 'data': 'L1:e/', 'uid': 0, 'gid': 0, 'mtime': 1000918328384123767, 'mode': 0o644},
    {'layer': 'L1', 'path': 'e/f.txt/g', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000524159369937928, 'mode': 0o644},
    {'layer': 'L2', 'path': 'g', 'kind': 'hardlink', 'src': 'c/h h/g/b'},
    {'layer': 'L1', 'path': 'g', 'kind': 'symlink', 'target': 'a/a', 'uid': 0, 'gid': 100, 'mtime': 1000905292806142070, 'mode': 0o666},
]
OPS = [
    (0, "H[3] = os.open('e/b', os.O_RDONLY | os.O_CREAT, 0o777); r = os.fstat(H[3])"),
    (0, 'r = os.fchmod(H[3], 0o4755)'),
    (0, 'r = os.fstat(H[3])'),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
