"""A child process that ends with the process that started it."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1


def end_with_parent(parent: int) -> None:
    """Called first in a child process: it ends when `parent` is gone (killed, say), as
    nobody would read what it computes and it would hold a core until its time limit. On
    Linux the kernel sends the signal (the solver holds the interpreter for seconds at a
    time, so no thread of ours could); elsewhere a thread looks twice a second. The
    kernel's signal follows the thread that started the child: start it from one that
    lives as long as its parent does."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # it was gone before we asked
        os._exit(3)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(3)
