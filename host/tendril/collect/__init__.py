"""A fleet in one database: FramesSink publishes what a board's thread hands its sinks as frames
records (mqtt/frames.py); Collector subscribes to them and logs them as `tendril log` would."""

from .collector import Collector
from .sink import FramesSink

__all__ = ["Collector", "FramesSink"]
