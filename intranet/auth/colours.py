"""Pillar colours that stay apart: a palette for new pillars, a closeness check.

Colour on the calendar means the pillar, so two pillars must not look alike. Distance is
CIE76 ΔE in CIELAB (about 2.3 is the smallest difference people notice; below ~18, two
colours in a thin calendar stripe are easily taken for each other).
"""

from __future__ import annotations

from collections.abc import Iterable

TOO_CLOSE = 18.0

# Distinct, dark enough to read as a stripe on white; the demo office uses the first ten.
PALETTE = (
    "#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#c62828", "#00838f", "#5d4037",
    "#283593", "#ad1457", "#455a64", "#9e9d24", "#00bfa5", "#f9a825", "#d500f9",
    "#004d40", "#7cb342", "#e91e63", "#64dd17", "#212121",
)  # fmt: skip


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def to_lab(colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def distance(a: str, b: str) -> float:
    la, lb = to_lab(a.lower()), to_lab(b.lower())
    return sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5


def closest(colour: str, others: Iterable[tuple[str, str]]) -> tuple[str, float] | None:
    """The (name, ΔE) of the nearest of ``others`` (name, colour) pairs, or None."""
    found = [(name, distance(colour, other)) for name, other in others]
    return min(found, key=lambda pair: pair[1]) if found else None


def next_free(used: Iterable[str]) -> str:
    """The palette colour farthest from every colour in use (the first one if none is)."""
    used = [u.lower() for u in used]
    if not used:
        return PALETTE[0]
    unused = [c for c in PALETTE if c not in used] or list(PALETTE)
    return max(unused, key=lambda c: min(distance(c, u) for u in used))
