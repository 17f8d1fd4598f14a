"""What a feature plugs into the shared app, registered from the feature's own package.

``core/`` and ``auth/`` never import a feature: a feature adds its navigation entries
(:mod:`intranet.core.layout`), its permission predicates
(:func:`intranet.auth.permissions.register`), its audit labels (:mod:`intranet.core.audit`)
and, here, its sections of the "today" page, its part of the demo office and its part of
the large-office benchmark data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class TodayPanel:
    """A section of the today page: ``template`` rendered with ``context(user, today)``."""

    name: str
    template: str
    context: Callable[[Any, date], dict[str, Any]]
    order: int = 50
    # "wide" panels span the page; others share a two-column row.
    wide: bool = False


@dataclass
class DemoOffice:
    """What the demo seeders share: the pillars and users seeded before them."""

    pillars: dict[str, Any]
    users: dict[str, Any]
    today: date
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. rooms, for later features


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[..., Any]
    order: int


@dataclass
class BenchOffice:
    """What the benchmark seeders share (see :mod:`intranet.bench`).

    ``scale`` 1.0 is five years of a busy office; 0.1 keeps the same recent months and
    busy days with a tenth of the history. Seeders insert in bulk and derive their random
    choices from ``seed`` and the date, so both scales agree on the recent past.
    """

    seed: int
    scale: float
    pillars: dict[str, int]  # code -> id
    users: list[tuple[int, str, int | None]]  # (id, role, pillar id)
    today: date
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchContext:
    """What page providers get: the benchmark's signed-in user and today."""

    user: Any
    today: date


@dataclass(frozen=True)
class BenchPage:
    """A page ``make bench`` loads. ``kind`` picks the budget: "grid" (calendar grids),
    "page", "fragment" (an htmx request: ``htmx`` sends ``HX-Request``, and ``target``
    the id of the element it is aimed at, as ``HX-Target``) or "feed"."""

    name: str
    path: str
    kind: str = "page"
    htmx: bool = False
    # The most HTML (bytes, uncompressed) this page may weigh; 0 = the kind's default.
    max_bytes: int = 0
    target: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "kind": self.kind,
            "htmx": self.htmx,
            "max_bytes": self.max_bytes,
            "target": self.target,
        }


TODAY_PANELS: dict[str, TodayPanel] = {}
DEMO_SEEDERS: dict[str, Seeder] = {}
BENCH_SEEDERS: dict[str, Seeder] = {}
BENCH_PAGES: dict[str, Seeder] = {}


def add_today_panel(panel: TodayPanel) -> None:
    TODAY_PANELS[panel.name] = panel


def today_panels() -> list[TodayPanel]:
    return sorted(TODAY_PANELS.values(), key=lambda p: (p.order, p.name))


def demo_seeder(name: str, order: int = 50) -> Callable:
    """Decorator: ``fn(office: DemoOffice)`` adds a feature's part of the demo office."""

    def decorator(fn: Callable) -> Callable:
        DEMO_SEEDERS[name] = Seeder(name, fn, order)
        return fn

    return decorator


def bench_seeder(name: str, order: int = 50) -> Callable:
    """Decorator: ``fn(office)`` adds a feature's part of the large-office benchmark data."""

    def decorator(fn: Callable) -> Callable:
        BENCH_SEEDERS[name] = Seeder(name, fn, order)
        return fn

    return decorator


def bench_pages(name: str, order: int = 50) -> Callable:
    """Decorator: ``fn(context: BenchContext) -> list[BenchPage]``, a feature's pages."""

    def decorator(fn: Callable) -> Callable:
        BENCH_PAGES[name] = Seeder(name, fn, order)
        return fn

    return decorator


def ordered(seeders: dict[str, Seeder]) -> list[Seeder]:
    return sorted(seeders.values(), key=lambda s: (s.order, s.name))
