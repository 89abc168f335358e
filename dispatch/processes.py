"""This process's name among the servers, workers and senders, and whether another's is gone."""

import os
import socket

# "host:pid": who took a planning job or a message to send.
THIS_PROCESS = f"{socket.gethostname()}:{os.getpid()}"


def gone(name: str) -> bool:
    """Whether the process named "host:pid" was on this machine and has stopped (one on
    another machine is never known gone from here: its heartbeat or claim age tells)."""
    host, _colon, pid = name.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # someone else's process
    return False
