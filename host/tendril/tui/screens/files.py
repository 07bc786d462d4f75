"""Pick a recipe (catalog or a file), read a pulled config and save it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option


class RecipeScreen(ModalScreen[Path | None]):
    """The shipped and installed recipes, or a path typed in; dismisses with the file."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, files: list[tuple[Path, str]]) -> None:
        super().__init__()
        self.files = files  # (path, one line about it)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Load a recipe: pick one, or type a path", classes="dialog-title")
            yield OptionList(*[Option(f"{p.stem}  [dim]{about}[/]", id=str(p))
                               for p, about in self.files], id="recipe-files")
            yield Input(placeholder="path/to/recipe.toml", id="recipe-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check…", variant="primary", id="check")
                yield Button("Cancel", id="cancel")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Path(event.option.id))

    @on(Input.Submitted)
    @on(Button.Pressed, "#check")
    def _typed(self) -> None:
        text = self.query_one(Input).value.strip()
        if text:
            self.dismiss(Path(text).expanduser())
        else:
            option = self.query_one(OptionList)
            if option.highlighted is not None:
                self.dismiss(Path(option.get_option_at_index(option.highlighted).id))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class PullScreen(ModalScreen[Path | None]):
    """The board's active config as recipe TOML; dismisses with where to save it, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close"), Binding("ctrl+s", "save", "Save")]

    def __init__(self, toml: str, suggested: str) -> None:
        super().__init__()
        self.toml, self.suggested = toml, suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label("The board's config, read back (CONFIG_READ)", classes="dialog-title")
            yield TextArea(self.toml, read_only=True, id="pull-text")
            with Horizontal(classes="dialog-row"):
                yield Label("save as ")
                yield Input(self.suggested, id="pull-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Close", id="close")

    def action_save(self) -> None:
        text = self.query_one(Input).value.strip()
        if text:
            self.dismiss(Path(text).expanduser())

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
