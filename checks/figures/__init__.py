"""Figures of schedules and of the staleness they cause (matplotlib, the ``plots`` extra).

Matplotlib is imported inside the functions that draw, never at import time; each function
returns a matplotlib ``Figure`` (shown inline by a notebook) or writes one atomically.
"""
