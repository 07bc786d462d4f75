"""The charts view: pick channels on the left, one chart each on the right, one span for all."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from ...live import Bucket, ChannelView
from ...words import channel_unit_text
from .chart import Chart


class ChartsView(Horizontal):
    class Picked(Message):
        """The channels to chart changed: the app draws them at the next tick."""

    def compose(self) -> ComposeResult:
        yield SelectionList[int](id="chart-channels")
        yield VerticalScroll(id="chart-stack")

    def set_channels(self, channels: Sequence[ChannelView]) -> None:
        """The board's channels; the first one is charted until the user picks."""
        pick = self.query_one(SelectionList)
        have = [pick.get_option_at_index(i).value for i in range(pick.option_count)]
        if have == [c.index for c in channels]:
            return
        pick.clear_options()
        pick.add_options([Selection(f"{c.name} ({channel_unit_text(c)})" if channel_unit_text(c) else c.name, c.index,
                                    i == 0) for i, c in enumerate(channels)])
        self._sync()

    @property
    def picked(self) -> list[int]:
        return sorted(self.query_one(SelectionList).selected)

    @on(SelectionList.SelectedChanged)
    def _changed(self) -> None:
        self._sync()
        self.post_message(self.Picked())

    def _sync(self) -> None:
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        """One chart per picked channel; the old ones are gone before the new ones (same ids)."""
        stack = self.query_one("#chart-stack", VerticalScroll)
        want = self.picked
        if [c.index for c in stack.query(Chart)] != want:
            await stack.remove_children()
            await stack.mount_all([Chart(i, id=f"chart-{i}") for i in want])

    def charts(self) -> list[Chart]:
        return list(self.query(Chart))

    def draw(self, title_unit: dict[int, tuple[str, str]], span_label: str,
             windows: dict[int, list[Bucket | None]]) -> None:
        for chart in self.charts():
            title, unit = title_unit.get(chart.index, (f"channel {chart.index}", ""))
            chart.show(title, unit, span_label, windows.get(chart.index, []))
