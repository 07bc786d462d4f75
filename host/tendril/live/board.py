"""A live board: one thread holds a Session, logs everything the board says, keeps the latest
state for display, and runs commands handed to it. ``tendril log`` and ``tendril monitor`` both
use it; it knows nothing of screens.

    board = LiveBoard("/dev/ttyACM0", sink=LogSink.open())   # any Sink; FanOut for several
    board.start()
    board.wait_online(10)
    view = board.view()                     # a consistent copy, safe to read from any thread
    board.lease(0, 5000).result(5)          # commands return concurrent.futures.Future
    board.stop()

The thread never dies of a link error: when the port goes away it says RECONNECTING and keeps
trying until the same board (by device id) is back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, replace

from ..boards import Board, board_of_class, load_board
from ..contract import (
    NEVER_MS,
    NO_INDEX,
    OWNER_LEASE,
    ActuatorStateBit,
    ConfigOutcome,
    EventKind,
    HelloFlag,
    RuleState,
    SkipReason,
    StatusSection,
    TelemetryFlag,
)
from ..errors import TendrilError, TransportError
from ..image import recipe_hash
from ..protocol import (
    ClearSafeMode,
    Event,
    Hello,
    Lease,
    Log,
    Off,
    Params,
    Pause,
    RequestStatus,
    Resume,
    SetParam,
    Status,
    Telemetry,
)
from ..recipes import Recipe, compile_recipe, diff
from ..recipes.tuned import tuned_plan
from ..session import Session, read_config, read_params
from ..session import push as push_image
from .base import LiveBase
from .names import find_recipe
from .series import Series
from .sinks import Sink
from .view import NOBODY, ActuatorView, BoardView, ChannelView, LinkState, Owner, ParamView, RuleView

_RAW = int(TelemetryFlag.RAW)


def _enum(enum, value: int):
    """``value`` as ``enum``'s member, or the plain int when the contract does not name it."""
    return enum(value) if value in enum._value2member_map_ else value


def _skip(reason: int) -> SkipReason | None:
    return SkipReason(reason) if reason in SkipReason._value2member_map_ else None



@dataclass(frozen=True)
class PushOutcome:
    changes: list[str]
    already_active: bool
    generation: int


class LiveBoard(LiveBase):
    thread_name = "board"

    def __init__(self, port: str, *, sink: Sink | None = None, recipes: Iterable[Recipe] = (),
                 board: str | None = None, baud: int = 115_200, status_every: float = 1.0,
                 hello_timeout: float = 5.0,
                 candidates: Callable[[], Iterable[str]] | None = None) -> None:
        super().__init__(port, baud, BoardView(port, baud, LinkState.CONNECTING))
        self.sink = sink
        self.recipes = list(recipes)
        self.board_name = board
        self.status_every = status_every
        self.hello_timeout = hello_timeout
        self.candidates = candidates
        self._board: Board | None = None
        self.recipe: Recipe | None = None
        self._pushing: Recipe | None = None  # a push's recipe, until its config is read back
        self._session: Session | None = None
        self._session_id: int | None = None
        self._commands: deque[tuple[Callable[[Session], object], Future]] = deque()
        self._next_status = 0.0
        self._need_config = True
        self._raw_channels = False  # the last TELEMETRY carried raw readings
        self.device_ms: int | None = None  # the board's clock in its last TELEMETRY or EVENT
        self._status_flags = 0  # HELLO-style flags of the last STATUS
        self._early: list[tuple[object, int]] = []  # frames before the first HELLO was answered

    # --- commands (run in the board's thread; each returns a Future) ----------------------------
    def submit(self, fn: Callable[[Session], object]) -> Future:
        future: Future = Future()
        with self.lock:
            if self._stop.is_set():
                future.set_exception(TransportError(f"{self.port}: the board link is stopped"))
            else:
                self._commands.append((fn, future))
        return future

    def lease(self, actuator: int, ms: int, level: int = 255) -> Future:
        return self._command(Lease(actuator, ms, level), f"running {self._act_name(actuator)}")

    def off(self, actuator: int) -> Future:
        return self._command(Off(actuator), f"switching off {self._act_name(actuator)}")

    def pause(self) -> Future:
        return self._command(Pause(), "PAUSE")

    def resume(self) -> Future:
        return self._command(Resume(), "RESUME")

    def clear_safe_mode(self) -> Future:
        return self._command(ClearSafeMode(), "CLEAR_SAFE_MODE")

    def set_param(self, index: int, value: int) -> Future:
        """``value`` in the wire's units (thousandths, or ms for a duration); the Future gives the
        value the board stored."""
        return self.submit(lambda s: self._refresh_after(
            s.call(SetParam(index, value), f"setting parameter {index}").value))

    def push(self, recipe: Recipe) -> Future:
        """Compile for this board, push, verify; the Future gives a PushOutcome with the changes
        in words (against the recipe the board ran)."""
        def run(s: Session) -> PushOutcome:
            image = compile_recipe(recipe, self._need_board())
            old = self.recipe
            changes = (diff(old, recipe, self._need_board()) if old is not None
                       else ["a first recipe: " + recipe.meta.name])
            keep: list[tuple[int, int]] = []
            if old is not None and s.hello.flags & HelloFlag.HAS_CONFIG:
                # Values tuned on the board are set again after the push (as `tendril push` does).
                keep, lines = tuned_plan(old, read_config(s), read_params(s), recipe)
                changes += lines
            self._pushing = recipe  # events after its CONFIG APPLIED are in its names
            try:
                result = push_image(s, image)
            finally:
                self._pushing = None
            if not result.already_active:
                for index, value in keep:
                    s.call(SetParam(index, value), f"setting parameter {recipe.params[index].name} again")
            if self.sink is not None:
                self.sink.config(result.after.device_id, result.image, "pushed",
                                 recipe_text=recipe.text or None)
            self.recipes.insert(0, recipe)
            self._on_hello(result.after)
            self._load_config(s)
            return PushOutcome(changes, result.already_active, result.after.config_generation)
        return self.submit(run)

    def pull(self) -> Future:
        """The board's active config as recipe TOML (with this board's names)."""
        from ..recipes import decompile

        def run(s: Session) -> str:
            image = read_config(s)
            if self.sink is not None:
                self.sink.config(s.hello.device_id, image, "read")
            return decompile(image, self._need_board(), self.recipe, read_params(s))
        return self.submit(run)

    def _command(self, msg, what: str) -> Future:
        return self.submit(lambda s: self._refresh_after(s.call(msg, what).value))

    def _refresh_after(self, value):
        self._next_status = 0.0
        return value

    # --- the thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self._session is None or not self._session.transport.is_open:
                    if not self._connect():
                        continue
                try:
                    self._step()
                except TransportError as exc:
                    self._lost(str(exc))
                except Exception as exc:  # noqa: BLE001 - a refused status request or a bug: log on
                    self._note("host", f"error: {type(exc).__name__}: {exc}")
                    self._set(error=str(exc))
                    self._stop.wait(0.2)
        finally:
            self._fail_pending()
            if self._session is not None:
                self._session.close()
            if self.sink is not None:
                self.sink.flush_due()

    def _connect(self) -> bool:
        try:
            if self._session is None:
                s = Session(self.port, baud=self.baud, hello_timeout=self.hello_timeout,
                            on_message=self._on_message, on_line=self._on_line,
                            candidates=self.candidates)
                s.on_data = self._on_data
                hello = s.open()
                self._session = s
            else:
                hello = self._session.reconnect(timeout=2.0)
        except TendrilError as exc:
            state = LinkState.RECONNECTING if self._session else LinkState.CONNECTING
            self._set(state=state, error=str(exc))
            self._stop.wait(0.2)
            return False
        # A reconnect to the same boot running the same recipe reads nothing again: _on_hello
        # asks for the config only when the board, its boot or its recipe changed.
        self._on_hello(hello)
        # Frames that came with the HELLO, before the boot (and so the log session) was known.
        held, self._early = self._early + self._session.held_messages, []
        self._session.held_messages = []
        for msg, seq in held:
            self._on_message(msg, seq)
        self._set(state=LinkState.ONLINE, error="", port=self._session.port)
        self._online.set()
        return True

    def _lost(self, why: str) -> None:
        self._note("host", f"link lost: {why}")
        self._set(state=LinkState.RECONNECTING, error=why)
        self._online.clear()
        if self._session is not None:
            self._session.close()

    def _step(self) -> None:
        s = self._session
        while self._commands:
            with self.lock:
                fn, future = self._commands.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(s))
            except TransportError as exc:
                future.set_exception(exc)
                raise
            except Exception as exc:  # the caller's future carries it; the thread goes on
                future.set_exception(exc)
        if self._need_config:
            self._load_config(s)
        s.poll(0.05)
        now = time.monotonic()
        if now >= self._next_status:
            self._next_status = now + self.status_every
            self._refresh(s)
        if self.sink is not None:
            self.sink.flush_due()
        with self.lock:
            self._view = replace(self._view, health=s.health.as_dict(),
                                 reconnects=s.health.reconnects)
            self._bump()

    # --- what the board says ----------------------------------------------------------------------
    def _on_hello(self, hello: Hello) -> None:
        old = self._view.hello
        self._set(hello=hello)
        if self.sink is not None:
            self._session_id = self.sink.begin_session(hello)
            if self._session_id not in self.session_ids:
                self.session_ids.append(self._session_id)
        if old is not None and (old.boot_count != hello.boot_count or old.device_id != hello.device_id):
            self._note("host", f"the board restarted (boot {hello.boot_count})")
        if (old is None or old.recipe_hash != hello.recipe_hash or old.device_id != hello.device_id
                or (self.recipe is None and hello.flags & HelloFlag.HAS_CONFIG)):
            self._need_config = True
        self._set(paused=bool(hello.flags & HelloFlag.PAUSED),
                  safe_mode=bool(hello.flags & HelloFlag.SAFE_MODE), board=self._need_board().name)

    def _on_message(self, msg, seq: int) -> None:
        if self._session_id is None and self.sink is not None and isinstance(msg, (Telemetry, Event)):
            if len(self._early) < 10_000:  # before the first HELLO: logged once the boot is known
                self._early.append((msg, seq))
            return
        now = time.time()
        if isinstance(msg, (Telemetry, Event)):
            self.device_ms = msg.time_ms
        if isinstance(msg, Telemetry):
            if self.sink is not None and self._session_id is not None:
                self.sink.telemetry(self._session_id, msg, now, seq)
                self.rows += len(msg.values)
            raw = bool(int(msg.flags) & _RAW)  # int(): IntFlag's own & is slow on this path
            scale = 1 if raw else 0.001
            values = msg.values
            with self.lock:
                self.samples += len(values)
                all_series = self.series
                i = msg.first_channel
                for v in values:
                    series = all_series.get(i)
                    if series is None:
                        series = all_series[i] = Series()
                    if v is None:  # no valid reading
                        series.gap(now)
                    else:
                        series.add(now, v * scale)
                    i += 1
                self._raw_channels = raw
        elif isinstance(msg, Event):
            if self.sink is not None and self._session_id is not None:
                self.sink.event(self._session_id, msg, now, seq)
                self.rows += 1
            self.events += 1
            if msg.kind == EventKind.CONFIG and msg.b == ConfigOutcome.APPLIED and self._pushing is not None:
                self.recipe = self._pushing  # a sensor's fault can follow at once, before the read-back
            self._note("event", "", now, event=msg, recipe=self.recipe)
            if msg.kind in (EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.MODE, EventKind.PARAM):
                self._next_status = 0.0
            if msg.kind == EventKind.CONFIG:
                self._need_config = True
        elif isinstance(msg, Log):
            self._note("log", msg.text, now)
        elif isinstance(msg, Hello):
            self._on_hello(msg)

    def _on_line(self, line: str) -> None:
        self._note("text", line)

    def _on_data(self, data: bytes) -> None:
        with self.lock:
            self.raw.append((time.time(), data))

    # --- config and status ------------------------------------------------------------------------
    def _need_board(self) -> Board:
        if self._board is None:
            hello = self._view.hello
            if self.board_name:
                self._board = load_board(self.board_name)
            else:
                self._board = board_of_class(hello.board_class) if hello else None
                if self._board is None:
                    raise TendrilError(f"{self.port}: unknown board class; give the board name")
        return self._board

    def _load_config(self, s: Session) -> None:
        self._need_config = False
        hello = s.handshake() if s.hello is None else s.hello
        if not hello.flags & HelloFlag.HAS_CONFIG:
            self.recipe = None
            self._set(recipe="", channels=(), actuators=(), rules=(), params=())
            if self.sink is not None:
                self.sink.recipe(self._session_id, None)
            return
        image = read_config(s)
        sink = self.sink
        logged = (lambda h: sink.recipe_text(hello.device_id, h)) if sink is not None else None
        recipe = find_recipe(image, self._need_board(), given=self.recipes, logged=logged)
        self.recipe = recipe
        if sink is not None:
            sink.recipe(self._session_id, recipe)
            if recipe_hash(image) == hello.recipe_hash:
                sink.config(hello.device_id, image, "read", recipe_text=recipe.text or None)
        self._set(recipe=recipe.meta.name)
        self._next_status = 0.0

    def _refresh(self, s: Session) -> None:
        if self.recipe is None:
            self._set(channels=self._channels())
            return
        acts = self._pages(s, StatusSection.ACTUATORS)
        rules = self._pages(s, StatusSection.RULES)
        params = read_params(s)
        if self.sink is not None:
            self.sink.params(self._session_id, Params(0, len(params), tuple(params)))
        r = self.recipe
        on, resting, capped = ActuatorStateBit.ON, ActuatorStateBit.RESTING, ActuatorStateBit.CAPPED
        actuators = tuple(
            ActuatorView(i, a.name, bool(e.state & on), e.level, self._owner(e.owner), e.ms_left,
                         e.today_on_ms, a.daily_cap_ms, a.max_on_ms, a.min_off_ms,
                         bool(e.state & resting), bool(e.state & capped), a.pwm or bool(a.servo),
                         a.servo[2] if a.servo else None, bool(e.state & ActuatorStateBit.LOCKED))
            for i, (a, e) in enumerate(zip(r.actuators, acts)))
        rule_views = tuple(
            RuleView(i, rule.name, _enum(RuleState, e.state), _skip(e.last_skip),
                     None if e.since_fired_ms == NEVER_MS else e.since_fired_ms)
            for i, (rule, e) in enumerate(zip(r.rules, rules)))
        param_views = tuple(
            ParamView(i, p.name, v, p.min, p.max, None if p.duration else p.unit, p.duration)
            for i, (p, v) in enumerate(zip(r.params, params)))
        flags = self._status_flags
        self._set(actuators=actuators, rules=rule_views, params=param_views,
                  channels=self._channels(), paused=bool(flags & HelloFlag.PAUSED),
                  safe_mode=bool(flags & HelloFlag.SAFE_MODE))

    def _pages(self, s: Session, section: StatusSection) -> list:
        entries: list = []
        while True:
            page = s.call(RequestStatus(section, len(entries)), "STATUS", expect=Status)
            self._status_flags = page.flags
            if self.sink is not None:
                self.sink.status(self._session_id, page)
            entries += page.entries
            if not page.entries or len(entries) >= page.total:
                return entries

    def _channels(self) -> tuple[ChannelView, ...]:
        r = self.recipe
        raw = self._raw_channels
        with self.lock:
            indexes = sorted(set(self.series) | set(range(len(r.channels) if r else 0)))
            out = []
            for i in indexes:
                c = r.channels[i] if r and i < len(r.channels) else None
                series = self.series.get(i)
                has = series is not None and series.count > 0
                out.append(ChannelView(
                    i, c.name if c else f"channel {i}",
                    None if raw else (c.unit if c else None),
                    series.last if has else None, series.lo if has else None,
                    series.hi if has else None, series.count if series else 0, raw,
                    series is not None and series.no_reading))
            return tuple(out)

    def _owner(self, owner: int) -> Owner:
        if owner == OWNER_LEASE:
            return Owner(lease=True)
        if owner == NO_INDEX:
            return NOBODY
        rules = self.recipe.rules if self.recipe else ()
        return Owner(rule=owner, rule_name=rules[owner].name if owner < len(rules) else "")

    def _act_name(self, index: int) -> str:
        acts = self.recipe.actuators if self.recipe else ()
        return acts[index].name if index < len(acts) else f"actuator {index}"

    # --- plumbing ---------------------------------------------------------------------------------
    def _fail_pending(self) -> None:
        with self.lock:
            while self._commands:
                _, future = self._commands.popleft()
                if future.set_running_or_notify_cancel():
                    future.set_exception(TransportError(f"{self.port}: the board link stopped"))
