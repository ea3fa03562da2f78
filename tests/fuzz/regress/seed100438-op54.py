#!/usr/bin/env python3
# liboverlay vs kernel overlayfs: fuzz.py seed 100438, 1 process(es).
# Run as root: python3 THIS [LIB=/path/liboverlay.so]; prints both sides.
# op 2 (p0) r = os.rmdir('..')
#   kernel: {"errno": "ENOTEMPTY"}
#   lib:    {"errno": "ENOENT"}
# (a last "." or ".." of a name to create or remove, from a cwd removed
# from the view with its parents: the kernel walks only to the directory
# the name lies in, the cwd, which it still has, and refuses by the name's
# kind: rmdir ENOTEMPTY or EINVAL, unlink EISDIR, mkdir/symlink/mknod
# EEXIST.  The ops after the first three, written by hand, take each call
# and a file's "f/." and "f/..".)
LIB = None  # the LIB environment variable (tests/integration/t_fuzz_regress.sh sets it)
PROCS = 1
TREE = [
    {'layer': 'L2', 'path': 'f.txt/e/c/g', 'kind': 'file', 'data': '', 'uid': 0, 'gid': 0, 'mtime': 1000282614146332413, 'mode': 0o444},
    {'layer': 'L1', 'path': 'file', 'kind': 'file', 'data': 'x', 'uid': 0, 'gid': 0, 'mtime': 1000282614146332413, 'mode': 0o644},
]
OPS = [
    (0, "os.chdir(M + '/f.txt/e/c'); r = os.getcwd()"),
    (0, "r = shutil.rmtree(M + '/f.txt')"),
    (0, "r = os.rmdir('..')"),
    (0, "r = os.rmdir('.')"),
    (0, "r = os.unlink('..')"),
    (0, "r = os.unlink('./')"),
    (0, "r = os.mkdir('..')"),
    (0, "r = os.symlink('x', '.')"),
    (0, "r = os.mkfifo('..')"),
    (0, "r = os.rmdir(M + '/file/.')"),
    (0, "r = os.unlink(M + '/file/..')"),
    (0, "r = os.mkdir(M + '/nosuch/..')"),
    (0, "r = os.rmdir(M + '/..')"),
    (0, "os.chdir(M); r = os.rmdir('..')"),
]

import sys
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from side import repro_main
sys.exit(repro_main(TREE, OPS, PROCS, LIB))
