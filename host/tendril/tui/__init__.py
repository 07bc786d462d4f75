"""The terminal UI, `tendril monitor` (docs/tui.md). The only package that imports Textual."""

from .app import MonitorApp

__all__ = ["MonitorApp"]
