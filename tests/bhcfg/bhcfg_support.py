"""Helpers shared by bhcfg's test modules (kept out of conftest.py: several
test folders have a conftest, and test modules must not import one by name)."""

import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
# The front end's modules (bulkhead_tools), which some tests share with it.
if str(REPO / "tools" / "pylib") not in sys.path:
    sys.path.insert(0, str(REPO / "tools" / "pylib"))


def example(name: str) -> str:
    return (CONFIG / name).read_text()


def mutate(text: str, *replacements) -> str:
    """Applies (old, new) pairs; each `old` must occur, so tests fail loudly
    when the example they start from changes."""
    for old, new in replacements:
        assert old in text, f"mutation target not found: {old!r}"
        text = text.replace(old, new, 1)
    return text
