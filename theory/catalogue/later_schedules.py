"""Catalogue section 5: the schedules practitioners run beyond PipeDream, GPipe and Flush.

Zero-bubble schedules (ZB-H1, ZB-H2; ``throughput_zb_h1``, ``throughput_zero_bubble``), the
chunked ones (interleaved 1F1B, ``throughput_interleaved``; ZB-V, ``throughput_zb_v``) and their
zero staleness (``staleness_zero_bubble``).
"""

from __future__ import annotations

from pipeproof.theory.catalogue import (
    staleness_zero_bubble,
    throughput_interleaved,
    throughput_zb_h1,
    throughput_zb_v,
    throughput_zero_bubble,
)

THEOREMS = (*throughput_zb_h1.THEOREMS, *throughput_zero_bubble.THEOREMS,
            *throughput_interleaved.THEOREMS, *throughput_zb_v.THEOREMS,
            *staleness_zero_bubble.THEOREMS)
"""Builders of the section's theorems, in catalogue order."""
