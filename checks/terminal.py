"""Quiet ends of a command: Ctrl-C and a closed pipe.

* Ctrl-C prints one line, ``pipeproof: interrupted``, and the command exits with 130 (128 +
  SIGINT). Worker processes forked by the runner inherit the handler and leave at once without
  a traceback, so the pool shuts down instead of finishing its queue. Files are written
  atomically (:mod:`pipeproof.checks.outputs`), so an interrupt leaves none half-written.
* Output cut short by the reader (``| head -1``) ends the command silently with exit code 141
  (128 + SIGPIPE, what a shell reports for a command killed by a closed pipe).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

INTERRUPTED = 130
BROKEN_PIPE = 141


_interrupted = threading.Event()


def _handler(main_pid: int) -> Callable[[int, FrameType | None], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != main_pid:
            os._exit(INTERRUPTED)
        _interrupted.set()
        raise KeyboardInterrupt
    return handle


def _thread_hook(previous: Callable[[threading.ExceptHookArgs], object]):
    """After Ctrl-C, the worker pool's manager thread may fail while it tears the pool down;
    that is part of the interrupt, not news, so it is not printed."""
    def hook(args: threading.ExceptHookArgs) -> None:
        if not _interrupted.is_set():
            previous(args)
    return hook


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _stdout_closed() -> bool:
    """True when writing to stdout fails with a broken pipe (its reader has gone)."""
    try:
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    except (OSError, ValueError):
        return False
    return False


def run_quietly(command: Callable[[], int]) -> int:
    """Run ``command`` and return its exit code, turning Ctrl-C and a closed stdout pipe into
    quiet exits (130 and 141)."""
    previous = signal.getsignal(signal.SIGINT)
    installed = (previous is signal.default_int_handler
                 and threading.current_thread() is threading.main_thread())
    thread_hook = threading.excepthook
    if installed:
        _interrupted.clear()
        signal.signal(signal.SIGINT, _handler(os.getpid()))
        threading.excepthook = _thread_hook(thread_hook)
    try:
        code = command()
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print("pipeproof: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        if not _stdout_closed():
            raise
        _silence_stdout()
        return BROKEN_PIPE
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)
            threading.excepthook = thread_hook
