"""The channel cards: every channel's card drawn by one widget.

Textual paints every visible widget again in each screen update that touches the area around it,
and at screen rate every card changes (a value at 1 kHz moves every frame). Drawn as 16 bordered
containers with their words and a sparkline, that was some 50 widgets and most of a frame's time;
drawn here as lines of text by one widget (the Line API), it is one widget whose changed lines
are built from a few segments each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import set_cell_size
from rich.color import Color as RichColor
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.strip import Strip
from textual.widget import Widget

from ...live import ChannelView
from ...words import channel_unit_text
from ..format import NO_READING_TEXT, number, with_unit

CARD_HEIGHT = 6  # a round border, three lines of words, the sparkline
_SPARK_OPTIONS = ConsoleOptions(size=(80, 1), legacy_windows=False, min_width=1, max_width=80,
                                is_terminal=False, encoding="utf-8", max_height=1)


def card_words(c: ChannelView) -> tuple[str, str, str]:
    """The three lines of a card: name, value with unit, min and max since the monitor started."""
    return (c.name + (" (raw)" if c.raw else ""), NO_READING_TEXT if c.no_reading else with_unit(c.value, channel_unit_text(c)),
            f"min {number(c.lo)} · max {number(c.hi)}")


def column_widths(width: int, columns: int, gutter: int = 1) -> list[int]:
    """Equal columns across ``width`` with a gutter between (the last ones take what is left
    over, as Textual's grid does)."""
    room = max(columns, width - gutter * (columns - 1))
    base, extra = divmod(room, columns)
    return [base + (1 if i >= columns - extra else 0) for i in range(columns)]


def _fit(text: str, width: int) -> str:
    """Cut or padded to exactly ``width`` cells."""
    return set_cell_size(text, width) if width > 0 else ""


class ChannelCards(Widget):
    """A card per channel, ``COLUMNS`` to a row: name, value with unit, min/max since the monitor
    started, a sparkline of the last minute. ``show`` is called at screen rate; a card's lines are
    built again only when its words or its sparkline data changed."""

    COLUMNS: ClassVar[int] = 3
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cards--border", "cards--words", "cards--value", "cards--spark-min", "cards--spark-max"}
    DEFAULT_CSS = """
    ChannelCards {
        height: auto;
        padding: 0 1;
        & > .cards--border { color: $primary; }
        & > .cards--words { color: $text-muted; }
        & > .cards--value { color: $accent; text-style: bold; }
        & > .cards--spark-max { color: $primary; }
        & > .cards--spark-min { color: $primary 30%; }
    }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.channels: list[ChannelView] = []
        self._sparks: dict[int, Sequence[float]] = {}
        self._words: dict[int, tuple[tuple, list[list[Segment]]]] = {}  # per card: key, lines
        self._spark_lines: dict[int, tuple[tuple, list[Segment]]] = {}
        self._stale = False  # changed while out of view: drawn again when it is back

    def show(self, channels: Sequence[ChannelView], sparks: dict[int, Sequence[float]]) -> None:
        """The channels' latest words and sparkline data; only the lines that changed are drawn
        again (the words of a row of cards, or its sparklines once a second)."""
        old, old_sparks = self.channels, self._sparks
        self.channels, self._sparks = list(channels), dict(sparks)
        if len(channels) != len(old):
            # A height in the styles, not only refresh(layout=True): Textual keeps a widget's
            # size until its styles or its count of layout requests change, and a request made
            # while an earlier one is still pending is not counted (the cards then stayed 0 high).
            self._stale = False
            self.styles.height = self.get_content_height(Size(0, 0), Size(0, 0), 0)
            self.refresh(layout=True)
            return
        if not _on_screen(self):
            # Textual re-arranges the whole screen when a widget out of view asks to be drawn
            self._stale = True
            return
        width, lines = self.size.width, set()
        for k, (a, b) in enumerate(zip(channels, old)):
            row = k // self.COLUMNS * CARD_HEIGHT
            if self._stale or card_words(a) != card_words(b):
                lines.update((row + 1, row + 2, row + 3))
            if self._stale or sparks.get(a.index) is not old_sparks.get(b.index):
                lines.add(row + 4)
        self._stale = False
        if lines:
            self.refresh(*[Region(0, y, width, 1) for y in sorted(lines)])

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        rows = -(-len(self.channels) // self.COLUMNS)
        return rows * CARD_HEIGHT

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        row, line = divmod(y, CARD_HEIGHT)
        widths = column_widths(width, self.COLUMNS)
        segments: list[Segment] = []
        gap = Segment(" ")
        for col, w in enumerate(widths):
            k = row * self.COLUMNS + col
            if col:
                segments.append(gap)
            if k < len(self.channels):
                segments += self._card_line(self.channels[k], w, line)
            else:
                segments.append(Segment(" " * w))
        return Strip(segments, sum(widths) + len(widths) - 1)

    def _card_line(self, c: ChannelView, w: int, line: int) -> list[Segment]:
        # The styles are part of what is kept: a theme change (or Textual applying the CSS again,
        # which it does on a view switch) draws the same lines from the same styles.
        border = self.get_component_rich_style("cards--border")
        if line in (0, CARD_HEIGHT - 1):
            ends = "╭╮" if line == 0 else "╰╯"
            return [Segment(ends[0] + "─" * max(0, w - 2) + ends[1], border)]
        inner = max(0, w - 4)
        side, pad = Segment("│", border), Segment(" ")
        if line == 4:
            spark = self._sparks.get(c.index, ())
            colours = self._spark_colours()
            key = (inner, id(spark), colours)
            kept = self._spark_lines.get(c.index)
            if kept is None or kept[0] != key:
                kept = self._spark_lines[c.index] = (key, _spark(list(spark), inner, *colours))
            return [side, pad, *kept[1], pad, side]
        muted = self.get_component_rich_style("cards--words")
        value = self.get_component_rich_style("cards--value")
        words = card_words(c)
        key = (inner, words, border, muted, value)
        kept = self._words.get(c.index)
        if kept is None or kept[0] != key:
            kept = self._words[c.index] = (key, [
                [side, pad, Segment(_fit(text, inner), style), pad, side]
                for text, style in zip(words, (muted, value, muted))])
        return kept[1][line - 1]

    def _spark_colours(self) -> tuple[RichColor, RichColor]:
        _, base = self.background_colors
        low = base + self.get_component_styles("cards--spark-min").color
        high = base + self.get_component_styles("cards--spark-max").color
        return low.rich_color, high.rich_color


def _spark(data: list[float], width: int, low: RichColor, high: RichColor) -> list[Segment]:
    """Textual's Sparkline, as segments."""
    if width <= 0:
        return []
    spark = SparklineRenderable(data, width=width, height=1, min_color=low, max_color=high)
    return list(spark.__rich_console__(_console(), _SPARK_OPTIONS))


_CONSOLE: Console | None = None


def _console() -> Console:
    global _CONSOLE
    if _CONSOLE is None:
        _CONSOLE = Console(width=80, color_system="truecolor", legacy_windows=False)
    return _CONSOLE


def _on_screen(widget: Widget) -> bool:
    """Whether the widget was drawn in the last screen update."""
    try:
        return widget in widget.screen._compositor.visible_widgets
    except (AttributeError, NoScreen):  # another Textual, or no screen yet: draw
        return True
