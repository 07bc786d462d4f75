"""What the control keys do: each asks in a modal screen, confirms where the board will act, then
hands the board a command and awaits its Future in a worker (the UI never waits on the port)."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from pathlib import Path

from textual import work

from ..boards import load_board
from ..errors import TendrilError
from ..live import PushOutcome
from ..live.names import candidate_files
from ..recipes import RecipeError, compile_recipe, diff, load
from ..words import owner_text
from .format import level_text, limits_text, ms_text, param_value
from .screens.confirm import ConfirmScreen, MessageScreen
from .screens.controls import RunScreen, TuneScreen
from .screens.files import PullScreen, RecipeScreen
from .screens.help import HelpScreen
from .widgets.dashboard import ActuatorTable, ParamTable

COMMAND_TIMEOUT = 30.0


class Actions:
    """Mixed into MonitorApp (kept apart so each file reads in one sitting)."""

    last_push: PushOutcome | None = None

    def command(self, future: Future, done, what: str) -> None:
        """Await a LiveBoard Future off the UI's path; say how it went."""
        self.run_worker(self._await(future, done, what), group="commands")

    async def _await(self, future: Future, done, what: str):
        try:
            result = await asyncio.wait_for(asyncio.wrap_future(future), COMMAND_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - whatever the command raised, said in one line
            self.notify(f"{what}: {exc or type(exc).__name__}", severity="error", timeout=10)
            return None
        text = done(result)
        if text:
            self.notify(text, timeout=6)
        return result

    def _online_board(self):
        board = self.board
        if board is None:
            self.notify("no board open: press n to open one", severity="warning")
        return board

    # --- actuators --------------------------------------------------------------------------------
    def action_run(self) -> None:
        board = self._online_board()
        if board is None:
            return
        acts = board.view().actuators
        if not acts:
            self.notify("this board has no actuators (push a recipe first: l)", severity="warning")
            return
        selected = self.main.query_one(ActuatorTable).selected

        def asked(answer: tuple[int, int, int] | None) -> None:
            if answer is None:
                return
            index, ms, level = answer
            a = {x.index: x for x in board.view().actuators}[index]
            details = ["The board enforces, whatever the host asks:", "  " + limits_text(a)]
            if a.max_on_ms and ms > a.max_on_ms:
                details.append(f"  {ms_text(ms)} is longer than max on: the board stops it after"
                               f" {ms_text(a.max_on_ms)}")
            if a.daily_cap_ms and a.today_on_ms + ms > a.daily_cap_ms:
                details.append("  this would pass the daily cap: the board stops it at the cap")
            if a.on:
                details.append(f"  {a.name} is on now ({owner_text(a.owner)}); the lease takes over")

            at = f" at {level_text(level)}" if a.pwm else ""

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.command(board.lease(index, ms, level),
                                 lambda v: f"{a.name} on for {v / 1000:g} s{at}", f"running {a.name}")
            self.push_screen(ConfirmScreen(f"Run {a.name} for {ms_text(ms)}{at}?", details, "Run"),
                             confirmed)
        self.push_screen(RunScreen(acts, selected), asked)

    def action_off(self) -> None:
        board = self._online_board()
        if board is None or not board.view().actuators:
            return
        a = {x.index: x for x in board.view().actuators}.get(self.main.query_one(ActuatorTable).selected)
        if a is not None:
            self.command(board.off(a.index), lambda _: f"{a.name} switched off", f"switching {a.name} off")

    # --- automation and parameters ----------------------------------------------------------------
    def action_clear_safe_mode(self) -> None:
        board = self._online_board()
        if board is None:
            return
        if not board.view().safe_mode:
            self.notify("the board is not in safe mode: nothing to clear")
            return
        details = [
            "The board is in safe mode: its watchdog reset it three times in a row (a boot loop),",
            "so it stopped its automation. The rules do not run and every actuator is held in its",
            "safe state; leases, parameter changes and resume are refused. It stays so, through",
            "restarts, until a host clears it. Readings, status and the config can still be read.",
            "",
            "Clearing it starts the rules afresh with the recipe the board holds, as after a boot.",
            "If what hung the board is still there, three more quick resets put it back into safe mode.",
        ]

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.command(board.clear_safe_mode(),
                             lambda _: "safe mode cleared: the board's automation runs again",
                             "clearing safe mode")
        self.push_screen(ConfirmScreen("Clear the board's safe mode?", details, "Clear"), confirmed)

    def action_pause(self) -> None:
        board = self._online_board()
        if board is None:
            return
        if board.view().paused:
            self.command(board.resume(), lambda _: "automation resumed", "resuming")
        else:
            self.command(board.pause(), lambda _: "automation paused: rules are off, leases still work",
                         "pausing")

    def action_tune(self) -> None:
        board = self._online_board()
        if board is None:
            return
        params = board.view().params
        if not params:
            self.notify("this board's recipe has no parameters", severity="warning")
            return
        by_index = {p.index: p for p in params}

        def asked(answer: tuple[int, int] | None) -> None:
            if answer is not None:
                index, value = answer
                p = by_index[index]
                self.command(board.set_param(index, value),
                             lambda v: f"{p.name} = {param_value(p, v)} (read back from the board)",
                             f"setting {p.name}")
        self.push_screen(TuneScreen(params, self.main.query_one(ParamTable).selected), asked)

    # --- recipes and config -----------------------------------------------------------------------
    @work(thread=True, group="recipes")
    def action_load(self) -> None:
        files = []
        for path in candidate_files():
            try:
                recipe = load(path)
                files.append((path, f"{recipe.meta.version}  {recipe.meta.summary}"))
            except (RecipeError, TendrilError) as exc:
                files.append((path, f"(does not load: {str(exc).splitlines()[0]})"))
        self.call_from_thread(self.push_screen, RecipeScreen(files), self._recipe_picked)

    def _recipe_picked(self, path: Path | None) -> None:
        if path is not None and self.board is not None:
            self._check_recipe(self.board, path)

    @work(thread=True, group="recipes")
    def _check_recipe(self, board, path: Path) -> None:
        """Validate and compile for this board (disk and CPU: a thread), then ask with the diff."""
        view = board.view()
        try:
            recipe = load(path)
            if not view.board:
                raise TendrilError("the board has not said what it is yet (no HELLO)")
            target = load_board(view.board)
            compile_recipe(recipe, target)
        except (RecipeError, TendrilError) as exc:
            self.call_from_thread(self.push_screen, MessageScreen(f"{path.name} cannot be pushed", str(exc)))
            return
        old = board.recipe
        changes = diff(old, recipe, target) if old is not None else [f"a first recipe: {recipe.meta.name}"]
        details = [f"{recipe.meta.name} {recipe.meta.version}: {recipe.meta.summary}", "",
                   f"What changes on {view.board} at {view.port}:"]
        details += [f"  • {line}" for line in changes] or ["  nothing: the board runs this recipe"]
        self.call_from_thread(self.push_screen,
                              ConfirmScreen(f"Push {path.name}?", details, "Push"),
                              lambda yes: self._push(board, recipe) if yes else None)

    def _push(self, board, recipe) -> None:
        def done(outcome: PushOutcome) -> str:
            self.last_push = outcome
            if outcome.already_active:
                return f"{recipe.meta.name} is already active: nothing was written"
            return (f"pushed {recipe.meta.name} and verified it (read back, hash matches):"
                    f" generation {outcome.generation}")
        self.command(board.push(recipe), done, f"pushing {recipe.meta.name}")

    def action_pull(self) -> None:
        board = self._online_board()
        if board is None:
            return
        name = board.view().recipe or "board"

        def pulled(toml: str) -> str:
            self.push_screen(PullScreen(toml, f"{name}-pulled.toml"),
                             lambda path: self._save(path, toml) if path else None)
            return ""
        self.command(board.pull(), pulled, "pulling the config")

    @work(thread=True, group="files")
    def _save(self, path: Path, text: str) -> None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.call_from_thread(self.notify, f"cannot save {path}: {exc.strerror}", severity="error")
            return
        self.call_from_thread(self.notify, f"saved the board's config to {path}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(list(self.BINDINGS)))
