"""Live boards for the logger and the UI: a thread per board that holds the link, hands every
sample and event to its sink (sinks.py: the log database, and more through a FanOut), keeps the
latest state, and runs commands.

Nothing here imports Textual: ``tendril log`` prints from it, ``tendril monitor`` draws it."""

from .base import Board
from .board import LiveBoard, PushOutcome
from .view import (
    NOBODY,
    ActuatorView,
    BoardView,
    ChannelView,
    LinkState,
    LogEntry,
    LogLine,
    Owner,
    ParamView,
    RuleView,
)
from .names import find_recipe
from .series import Bucket, Series
from .sink import LogSink
from .sinks import FanOut, Sink
from .source import LiveSource

__all__ = ["ActuatorView", "Board", "BoardView", "Bucket", "ChannelView", "FanOut", "LinkState", "LiveBoard",
           "LiveSource", "LogEntry", "LogLine", "NOBODY", "Owner", "LogSink", "ParamView", "PushOutcome", "RuleView", "Series", "Sink",
           "find_recipe"]
