"""Where tendril finds its files: package data through importlib.resources, and the checkout.

The board files (boards/*.toml), the shipped recipes (boards/recipes/) and the MicroPython firmware
(firmware/micropython/) are package data under ``tendril/data``. In a checkout that folder holds two
symlinks, ``data/boards -> boards/`` and ``data/micropython -> firmware/micropython/``, so git keeps
one copy; building the wheel copies the files behind them into it (pyproject.toml's package-data).
The same code finds them in a checkout, an editable install and an installed wheel.

What needs the C sources and a compiler (the native board, simavr, building the AVR firmware) is
not package data: ``checkout()`` says where the checkout is, and ``need_checkout`` is the one clear
line an installed package gives instead (docs/install.md).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import TendrilError


class NeedsCheckout(TendrilError):
    """Something that only a tendril checkout has: the C sources, the Makefiles, their builds."""


def _package() -> Path:
    root = files("tendril")
    if not isinstance(root, Path):  # pip installs a wheel as files; a zip import has no folders to run
        raise TendrilError(f"tendril must be installed as files, not imported from {root}")
    return root


def data(*parts: str) -> Path:
    """A file or folder of tendril's package data, e.g. ``data("boards", "uno.toml")``. Resolved, so
    in a checkout it is the file in boards/ or firmware/micropython/ itself."""
    return _package().joinpath("data", *parts).resolve()


def boards() -> Path:
    """The board files shipped with tendril (boards/*.toml)."""
    return data("boards")


def recipes() -> Path:
    """The shipped recipe catalog (boards/recipes/, with its index.json)."""
    return data("boards", "recipes")


def micropython() -> Path:
    """The MicroPython firmware: main.py and the tdfw package."""
    return data("micropython")


def checkout() -> Path | None:
    """The root of the tendril checkout this package runs from, or None for an installed package.

    A checkout keeps the package in host/tendril, beside firmware/ with its Makefile."""
    root = _package().resolve().parents[1]
    return root if (root / "firmware" / "Makefile").is_file() else None


def shown(path: Path) -> str:
    """``path`` as a maker would find it: relative to the checkout (boards/recipes/x.toml), else whole."""
    root = checkout()
    return str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)


def need_checkout(what: str) -> Path:
    """The checkout's root; NeedsCheckout naming ``what`` when tendril runs from an installed package."""
    root = checkout()
    if root is None:
        raise NeedsCheckout(f"{what} needs a tendril checkout (git clone it, then make demo): an "
                            "installed tendril has no C sources to build (docs/install.md)")
    return root
