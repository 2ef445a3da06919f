"""LaTeX statements as MathML, converted when the report is built, so the page needs no
network and no script to show its formulas.

The conversion is done by the pure-Python ``latex2mathml`` package (the ``report`` extra);
without it, or when it cannot read a formula, the LaTeX source is shown instead.
"""

from __future__ import annotations

import html
import importlib.util
import logging
from xml.etree import ElementTree

LOG = logging.getLogger(__name__)

NAMESPACE = "{http://www.w3.org/1998/Math/MathML}"
ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd", "munder", "mover",
    "munderover", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts",
    "mprescripts", "none", "mfenced", "semantics", "annotation"))
"""Presentation MathML elements a formula may use; anything else (a ``<script>`` passed
through ``\\text{...}``, an SVG link) makes the formula fall back to its escaped source."""


def available() -> bool:
    """Whether ``latex2mathml`` is installed."""
    return importlib.util.find_spec("latex2mathml") is not None


def to_mathml(latex: str, display: str = "block") -> str | None:
    """The MathML of ``latex`` (a ``<math>`` element), or None when it cannot be converted."""
    if not latex or not available():
        return None
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex, display=display)
    except Exception as error:  # the converter raises many types on unknown commands
        LOG.warning("cannot convert a formula to MathML (%s): %.60s", error, latex)
        return None
    return mathml if is_plain_mathml(mathml) else None


def is_plain_mathml(text: str) -> bool:
    """Whether ``text`` is well-formed XML whose every element is presentation MathML
    (:data:`ELEMENTS`) with no event handler or link attribute."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return False
    for element in root.iter():
        if not element.tag.startswith(NAMESPACE) or element.tag[len(NAMESPACE):] not in ELEMENTS:
            return False
        names = [name.rsplit("}", 1)[-1].lower() for name in element.attrib]
        if any(name.startswith("on") or name in ("href", "src") for name in names):
            return False
    return True


def conjuncts(latex: str) -> list[str]:
    """The parts of ``latex`` joined by a top-level ``\\wedge`` (outside braces and
    ``\\left ... \\right``), as SymPy writes a conjunction; ``[latex]`` when there is none."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(latex):
        if latex.startswith("\\left", index) or latex[index] == "{":
            depth += 1
        elif latex.startswith("\\right", index) or latex[index] == "}":
            depth -= 1
        elif depth == 0 and latex.startswith("\\wedge", index) and not latex[
                index + 6:index + 7].isalpha():
            parts.append(latex[start:index].strip())
            start = index + 6
        index += 2 if latex[index] == "\\" else 1
    parts.append(latex[start:].strip())
    return [part for part in parts if part]


def math_html(latex: str) -> str:
    """HTML showing ``latex``, one line per conjunct: MathML when converted, else the source
    in a ``<pre>``."""
    lines = []
    for part in conjuncts(latex):
        mathml = to_mathml(part)
        lines.append(f'<div class="math">{mathml}</div>' if mathml is not None
                     else f'<pre class="latex">{html.escape(part)}</pre>')
    return "\n".join(lines)
