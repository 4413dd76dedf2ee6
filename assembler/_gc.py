"""The garbage collector around assembly: fewer passes over the many long-lived objects a build allocates."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] = gc.get_threshold()
_froze = False


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Run the body with the collector tuned for a build, then restore the caller's settings.

    Assembly allocates mostly objects that live until the document is
    written (the loaded library, compiled templates, the document tree); with
    the default thresholds the collector walks them again and again, which
    makes a 1,000-page agreement cost more per page than a 200-page one.
    Objects that exist before the build are frozen (never scanned), and a
    young-generation pass runs every 100,000 allocations instead of 700.
    Nested or concurrent uses (build calls assemble; threads of a server)
    tune once and restore when the last one ends.
    """
    global _depth, _saved, _froze
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            # A caller that froze objects itself keeps them frozen: unfreezing is all or nothing.
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
            gc.set_threshold(100_000, 50, 1000)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:  # the last build to finish, in whichever thread, restores
                gc.set_threshold(*_saved)
                if _froze:
                    gc.unfreeze()
