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

def _removed_handle_change(code, kernel, lib, before):
    """fchmod/fchown/futimes through a descriptor whose file was removed
    from the view since it was opened (or renamed over): the library
    refuses (EROFS)."""
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
                  'descriptor of a lower file that was removed from the view (or '
                  'renamed over) since '
                  'give EROFS (the kernel copies the removed file up into its work '
                  'directory and changes that hidden copy, or says ENOENT)',
        'match': _removed_handle_change,
    },
]


def accepted(code, kernel, lib, before):
    """The entry that accepts this difference, or None."""
    for a in ACCEPTED:
        if a['match'](code, kernel, lib, before):
            return a
    return None
