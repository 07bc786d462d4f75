"""tendril: recipe-driven firmware and its host companion."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tendril")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
