"""The one exception root of tendril, with its layers.

The CLI turns any TendrilError into one line on stderr and a non-zero exit.
"""

from __future__ import annotations


class TendrilError(Exception):
    """Root of every error tendril raises on purpose."""


class ProtocolError(TendrilError):
    """Bytes that do not follow the wire protocol."""


class ImageRefused(TendrilError):
    """A config image that is malformed or does not fit a board, refused as a device would refuse it.

    ``code`` is a ``tendril.contract.ImageError`` member and ``index`` the record it is about, exactly
    as a device would report them in NACK IMAGE_INVALID.
    """

    def __init__(self, code, index: int = 0, message: str = "") -> None:
        self.code = code
        self.index = index
        super().__init__(message or f"{code.name} (index {index})")


class BoardError(TendrilError):
    """A board file that is missing or malformed."""


class TransportError(TendrilError):
    """The link to a board failed: a port that cannot be opened, a board that does not answer."""


class DeviceError(TendrilError):
    """A board refused a request: ``code`` is the NACK code (``tendril.contract.Nack``), ``detail``
    its detail, exactly as the board sent them."""

    def __init__(self, code, detail: int = 0, message: str = "") -> None:
        self.code = code
        self.detail = detail
        name = getattr(code, "name", str(code))
        super().__init__(message or f"the board refused: {name} (detail {detail})")


class SimError(TendrilError):
    """A simulated board could not start or run (a missing simulator, toolchain or binary)."""


class StorageError(TendrilError):
    """The log database cannot be opened or written: a bad path, a full disk, a newer schema.

    Rows committed before the error are never lost: the store only rolls back its open batch."""
