"""Process-wide tuning for a bulk load: fewer GC passes, a shorter GIL switch interval, and freed
heap handed back to the OS after each batch. Applied only by the bulk-load entry point (never
inside an API request: these settings are process-wide)."""
from __future__ import annotations

import contextlib
import ctypes
import gc
import sys

_gc_state = {"depth": 0, "saved": None}


@contextlib.contextmanager
def fewer_gc_passes():
    # A load allocates millions of short-lived objects; the default thresholds make the cyclic GC
    # rescan the live batch over and over (about a third of the parse time). Nothing here builds
    # cycles, so collect far less often while any load runs (overlapping loads share one setting).
    # The reading, parsing and event-loop threads share the GIL: a shorter switch interval lets the
    # loop hand the database its next statement sooner instead of waiting out a parsing slice.
    if _gc_state["depth"] == 0:
        saved = _gc_state["saved"] = (gc.get_threshold(), sys.getswitchinterval())
        gc.set_threshold(max(saved[0][0], 100_000), max(saved[0][1], 50), max(saved[0][2], 100))
        sys.setswitchinterval(min(saved[1], 0.001))
    _gc_state["depth"] += 1
    try:
        yield
    finally:
        _gc_state["depth"] -= 1
        if _gc_state["depth"] == 0:
            thresholds, interval = _gc_state["saved"]
            gc.set_threshold(*thresholds)
            sys.setswitchinterval(interval)


def _load_malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim   # the C library the interpreter already runs on
    except (OSError, AttributeError):   # not glibc: nothing to trim
        return None


_malloc_trim = _load_malloc_trim()


def release_free_memory() -> None:
    # Each batch frees tens of MB in many sizes from several threads; glibc keeps such memory in
    # its heaps, and the process would grow for a while as holes pile up. Handing free pages back
    # after every batch keeps the footprint at what the batches in flight use, whatever the file size.
    if _malloc_trim is not None:
        _malloc_trim(0)
