"""Differences between liboverlay and the kernel's overlayfs that are
accepted: each entry names the difference, says why it is accepted, and has
a predicate that recognises it.

    match(code, kernel, lib, before) -> bool

`code` is the op's Python source (for a difference of the final merged
view: 'view:' + the path), `kernel` and `lib` the two results (JSON values:
an errno is {'errno': 'ENOENT'}), `before` the ops that ran before it, as
(proc, code) pairs (empty for the view).  A difference that an entry matches
does not fail the run; fuzz.py counts how many it met, and --strict (or
FUZZ_STRICT=1) reports them as failures again.

Keep this list short: every entry is a place where a program can tell the
library from the kernel.  An entry is for a difference the project decided
to keep (documented in README's known limits), not for a bug waiting for
a fix: that one should fail until it is fixed.
"""
import re

# O_CREAT and O_APPEND are not among them: with O_RDONLY, on an existing
# lower file, they give a read-only descriptor on it, as O_RDONLY alone does
WRITE_FLAGS = ('O_WRONLY', 'O_RDWR', 'O_TRUNC')


def _ro_handle_read(code, kernel, lib, before):
    """fstat or read through a descriptor that was opened read-only (so it
    may still be on a lower file that has been copied up since)."""
    m = re.fullmatch(r'r = (?:os\.fstat|rd)\(H\[(\d+)\].*\)', code)
    if not m or not isinstance(kernel, (dict, str)) or not isinstance(lib, (dict, str)):
        return False
    if isinstance(kernel, dict) and 'errno' in kernel or isinstance(lib, dict) and 'errno' in lib:
        return False
    opener = 'H[%s] = os.open(' % m.group(1)
    for _, c in before:
        if c.startswith(opener):
            flags = c.split(';')[0]
            return not any(f in flags for f in WRITE_FLAGS) and 'O_DIRECTORY' not in flags
    return False


def _removed_handle_change(code, kernel, lib, before):
    """fchmod/fchown/futimes through a descriptor whose file was removed
    from the view since it was opened: the library refuses (EROFS)."""
    if not re.match(r'(?:r = )?os\.(?:fchmod|fchown|utime)\(H\[\d+\]', code):
        return False
    if not (isinstance(lib, dict) and lib.get('errno') == 'EROFS'):
        return False
    # the kernel changes its hidden copy, or fails to make one (ENOENT
    # when the removed file's directory went too, EEXIST)
    return True


ACCEPTED = [
    {
        'name': 'change through the descriptor of a removed file',
        'reason': 'README, Known limits: fchmod, fchown and futimens on a read-only '
                  'descriptor of a lower file that was removed from the view since '
                  'give EROFS (the kernel copies the removed file up into its work '
                  'directory and changes that hidden copy, or says ENOENT)',
        'match': _removed_handle_change,
    },
    {
        'name': 'read-only descriptor keeps the lower copy',
        'reason': 'README, Known limits: a descriptor opened read-only before a '
                  'copy-up keeps reading the lower copy (the kernel before 4.19 did '
                  'the same; today\'s kernel reopens the upper copy, so fstat and '
                  'read through such a descriptor differ after a copy-up)',
        'match': _ro_handle_read,
    },
]


def accepted(code, kernel, lib, before):
    """The entry that accepts this difference, or None."""
    for a in ACCEPTED:
        if a['match'](code, kernel, lib, before):
            return a
    return None
