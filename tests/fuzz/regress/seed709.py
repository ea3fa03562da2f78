#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 709, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 5 (p0) r = os.rename('../..', '../../../h h/n6/n7', src_dir_fd=H[1], dst_dir_fd=H[1])
#   kernel: {"errno": "EBUSY"}
#   lib:    {"errno": "ENOENT"}
LIB = '/tmp/fzlib/liboverlay.so'
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000009456449952958, 'mode': 0o555},
    {'layer': 'L1', 'path': 'a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000384557075828358, 'mode': 0o555},
    {'layer': 'L1', 'path': 'a/b', 'kind': 'symlink', 'target': '../f.txt/a', 'uid': 65534, 'gid': 65534, 'mtime': 1000891167543612805, 'mode': 0o644},
    {'layer': 'L2', 'path': 'a/g', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000124417060183326, 'mode': 0o755},
    {'layer': 'L1', 'path': 'a/g', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000575667743226845, 'mode': 0o755},
    {'layer': 'L2', 'path': 'a/g/a', 'kind': 'symlink', 'target': '../../e/b', 'uid': 65534, 'gid': 65534, 'mtime': 1000541838959885287, 'mode': 0o0},
    {'layer': 'L1', 'path': 'a/g/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000465312064429801, 'mode': 0o700},
    {'layer': 'L1', 'path': 'a/g/a/a', 'kind': 'file', 'data': 'L1:a/', 'uid': 0, 'gid': 100, 'mtime': 1000593048142524358, 'mode': 0o444},
    {'layer': 'L1', 'path': 'a/g/a/b', 'kind': 'file', 'data': 'L1:a/g/a/b:x', 'uid': 0, 'gid': 0, 'mtime': 1000700726092908896, 'mode': 0o755},
    {'layer': 'L1', 'path': 'a/g/a/d', 'kind': 'file', 'data': 'L', 'uid': 1000, 'gid': 1000, 'mtime': 1000900481148701699, 'mode': 0o444},
    {'layer': 'L1', 'path': 'a/g/a', 'kind': 'opaque'},
    {'layer': 'L2', 'path': 'a/g/e', 'kind': 'file', 'data': 'L', 'uid': 1000, 'gid': 0, 'mtime': 1000626932095505347, 'mode': 0o666},
    {'layer': 'L2', 'path': 'a/g/f.txt', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000074939744730173, 'mode': 0o0},
    {'layer': 'L1', 'path': 'a/g/f.txt', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000327236277809517, 'mode': 0o0},
    {'layer': 'L2', 'path': 'a/g/h h', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000912977692204988, 'mode': 0o755},
    {'layer': 'L1', 'path': 'a/g/h h', 'kind': 'symlink', 'target': '../../h h/a/g', 'uid': 0, 'gid': 100, 'mtime': 1000211470470229162, 'mode': 0o444},
    {'layer': 'L2', 'path': 'a/g/h h/d', 'kind': 'file', 'data': 'L2:a/', 'uid': 1000, 'gid': 0, 'mtime': 1000624680422177821, 'mode': 0o2750},
    {'layer': 'L1', 'path': 'b', 'kind': 'file', 'data': 'L1:b:', 'uid': 1000, 'gid': 0, 'mtime': 1000337512465397423, 'mode': 0o444},
    {'layer': 'L2', 'path': 'd', 'kind': 'symlink', 'target': 'd/f.txt/g', 'uid': 0, 'gid': 100, 'mtime': 1000386412434650603, 'mode': 0o755},
    {'layer': 'U', 'path': 'd', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000570118355057424, 'mode': 0o700},
    {'layer': 'U', 'path': 'd/f.txt', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000581039420638029, 'mode': 0o775},
    {'layer': 'U', 'path': 'd/f.txt/b', 'kind': 'file', 'data': 'U:d/f.txt/b:xxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'uid': 0, 'gid': 0, 'mtime': 1000235836997912910, 'mode': 0o2750},
    {'layer': 'U', 'path': 'd/f.txt/f.txt', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000827550823586248, 'mode': 0o755},
    {'layer': 'U', 'path': 'd/f.txt/f.txt/g', 'kind': 'file', 'data': 'U:d/f.txt/f.', 'uid': 0, 'gid': 0, 'mtime': 1000316649267073759, 'mode': 0o444},
    {'layer': 'U', 'path': 'd/f.txt/g', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000275506568051524, 'mode': 0o755},
    {'layer': 'U', 'path': 'd/f.txt/g/e', 'kind': 'file', 'data': 'U', 'uid': 65534, 'gid': 65534, 'mtime': 1000398065081668677, 'mode': 0o640},
    {'layer': 'U', 'path': 'd/f.txt/g/h h', 'kind': 'file', 'data': 'U', 'uid': 65534, 'gid': 65534, 'mtime': 1000068361631378819, 'mode': 0o600},
    {'layer': 'L2', 'path': 'e', 'kind': 'hardlink', 'src': 'a/g/e'},
    {'layer': 'L1', 'path': 'e', 'kind': 'dir', 'uid': 0, 'gid': 100, 'mtime': 1000645717674410118, 'mode': 0o555},
    {'layer': 'U', 'path': 'e', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000620790550231501, 'mode': 0o750},
    {'layer': 'L1', 'path': 'e/b', 'kind': 'dir', 'uid': 1000, 'gid': 0, 'mtime': 1000716571101998800, 'mode': 0o755},
    {'layer': 'L1', 'path': 'e/b/b', 'kind': 'symlink', 'target': '@M@/f.txt/c', 'uid': 0, 'gid': 100, 'mtime': 1000970193605239667, 'mode': 0o600},
    {'layer': 'L1', 'path': 'e/b/h h', 'kind': 'symlink', 'target': '../../d/f.txt/f.txt', 'uid': 0, 'gid': 0, 'mtime': 1000054720359069868, 'mode': 0o644},
    {'layer': 'L1', 'path': 'e/d', 'kind': 'file', 'data': 'L1:e/d:xxxxx', 'uid': 1000, 'gid': 1000, 'mtime': 1000820754560057208, 'mode': 0o444},
    {'layer': 'U', 'path': 'e/d', 'kind': 'hardlink', 'src': 'd/f.txt/b'},
    {'layer': 'L2', 'path': 'f.txt', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000412590576938214, 'mode': 0o700},
    {'layer': 'L1', 'path': 'f.txt', 'kind': 'whiteout'},
    {'layer': 'U', 'path': 'f.txt', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000256729211643519, 'mode': 0o1777},
    {'layer': 'U', 'path': 'f.txt/a', 'kind': 'symlink', 'target': '@M@/d', 'uid': 1000, 'gid': 1000, 'mtime': 1000793024243012546, 'mode': 0o666},
    {'layer': 'L2', 'path': 'f.txt/b', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000903147093874387, 'mode': 0o0},
    {'layer': 'U', 'path': 'f.txt/b', 'kind': 'file', 'data': 'U:f.txt/b:xx', 'uid': 65534, 'gid': 65534, 'mtime': 1000555450470873056, 'mode': 0o600},
    {'layer': 'L2', 'path': 'f.txt/c', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000251943609977650, 'mode': 0o1777},
    {'layer': 'L2', 'path': 'f.txt/c/c', 'kind': 'file', 'data': 'L2:f.', 'uid': 1000, 'gid': 0, 'mtime': 1000914327393891595, 'mode': 0o640},
    {'layer': 'L2', 'path': 'f.txt/c/g', 'kind': 'file', 'data': '', 'uid': 65534, 'gid': 65534, 'mtime': 1000710908433706553, 'mode': 0o2750},
    {'layer': 'L2', 'path': 'g', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000699657149448087, 'mode': 0o755},
    {'layer': 'U', 'path': 'g', 'kind': 'symlink', 'target': 'a/g/h h', 'uid': 1000, 'gid': 0, 'mtime': 1000745534568976600, 'mode': 0o640},
    {'layer': 'L2', 'path': 'g/g', 'kind': 'hardlink', 'src': 'f.txt/b'},
    {'layer': 'L2', 'path': 'h h', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000216212689289496, 'mode': 0o755},
    {'layer': 'L1', 'path': 'h h', 'kind': 'dir', 'uid': 1000, 'gid': 1000, 'mtime': 1000812206379000160, 'mode': 0o755},
    {'layer': 'U', 'path': 'h h', 'kind': 'dir', 'uid': 65534, 'gid': 65534, 'mtime': 1000666145672682434, 'mode': 0o1777},
    {'layer': 'L2', 'path': 'h h/a', 'kind': 'file', 'data': 'L2:h h/a:xxx', 'uid': 0, 'gid': 100, 'mtime': 1000273622691079982, 'mode': 0o640},
    {'layer': 'L1', 'path': 'h h/a', 'kind': 'file', 'data': 'L', 'uid': 0, 'gid': 0, 'mtime': 1000804630665460332, 'mode': 0o0},
    {'layer': 'U', 'path': 'h h/a', 'kind': 'dir', 'uid': 0, 'gid': 0, 'mtime': 1000302549630618597, 'mode': 0o775},
    {'layer': 'U', 'path': 'h h/a/a', 'kind': 'file', 'data': 'U', 'uid': 1000, 'gid': 0, 'mtime': 1000557601533679991, 'mode': 0o666},
    {'layer': 'U', 'path': 'h h/a/g', 'kind': 'file', 'data': 'U:h h', 'uid': 0, 'gid': 0, 'mtime': 1000213928363658556, 'mode': 0o600},
    {'layer': 'L2', 'path': 'h h/e', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000879095991696831, 'mode': 0o4755},
    {'layer': 'L1', 'path': 'h h/e', 'kind': 'symlink', 'target': 'new0', 'uid': 0, 'gid': 0, 'mtime': 1000685377803214482, 'mode': 0o640},
    {'layer': 'U', 'path': 'h h/e', 'kind': 'file', 'data': 'U:h h', 'uid': 65534, 'gid': 65534, 'mtime': 1000557141125856445, 'mode': 0o755},
]
OPS = [
    (0, "H[1] = os.open(M + '/d/f.txt/g', os.O_RDONLY, 0o644); r = os.fstat(H[1])"),
    (0, "r = shutil.rmtree(M + '/d/.')"),
    (0, "r = os.rename(M + '/d/f.txt/f.txt/n1', '../g/h h')"),
    (0, "r = os.mkdir(M + '/h h/n6', 0o555)"),
    (0, "r = os.readlink(M + '/f.txt/a')"),
    (0, "r = os.rename('../..', '../../../h h/n6/n7', src_dir_fd=H[1], dst_dir_fd=H[1])"),
]

import sys
sys.path.insert(0, '/work/main/tests/fuzz')
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
