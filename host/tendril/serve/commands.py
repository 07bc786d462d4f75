"""Commands from MQTT to the boards: topic -> board, payload checked by tendril.mqtt.commands
against the recipe the board runs, then the LiveBoard method; the reply goes out when its Future
completes. Runs in paho's network thread, so it never waits for a board."""

from __future__ import annotations

import logging

from ..boards import board_of_class, load_board
from ..errors import TendrilError
from ..live import LinkState
from ..mqtt.commands import (CommandRefused, Pull, PushRecipe, RunTime, ScanBuses, StatusRequest, parse,
                             reply, request_id_of)
from ..mqtt.topics import TopicError
from ..protocol.requests import ClearSafeMode, Lease, Off, Pause, Resume, SetParam
from ..session.scan import scan_buses

log = logging.getLogger("tendril.serve")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


class Commands:
    """``service`` gives ``live_of(board) -> LiveBoard | None``, ``sink`` (MqttSink), ``bus``,
    ``topics`` and ``board_name`` (the --board option)."""

    def __init__(self, service) -> None:
        self.service = service
        self.refused = 0
        self.done = 0

    def handle(self, topic: str, payload: bytes) -> None:
        svc = self.service
        try:
            board, command = svc.topics.parse_command(topic)
        except TopicError as exc:
            log.warning("refused: %s", _first_line(exc))
            self.refused += 1
            return
        answer = lambda **kw: svc.bus.publish(svc.topics.response(board),  # noqa: E731
                                              reply(command, board=board, **kw))
        try:
            if svc.stopping:
                raise CommandRefused(f"{command}: serve is stopping; not done",
                                     request_id_of(payload))
            live = svc.live_of(board)
            if live is None or live.view().state != LinkState.ONLINE:
                raise CommandRefused(f"{command}: board {board} is not online here",
                                     request_id_of(payload))
            if live.recipe is None and command not in ("push", "scan"):  # they need no recipe
                raise CommandRefused(f"{command}: board {board} runs no recipe yet; push one first",
                                     request_id_of(payload))
            run_times = {}
            state = svc.sink.state_of(board)
            if state is not None:
                run_times = dict(state.run_time_ms)
            cmd = parse(live.recipe, command, payload, board=self._board_type(live),
                        run_times=run_times)
        except CommandRefused as exc:
            self.refused += 1
            log.warning("refused %s for %s: %s", command, board, exc.reason)
            answer(request_id=exc.request_id, error=exc.reason)
            return
        log.info("%s for %s", command, board)
        self._run(board, live, cmd, answer)

    def _board_type(self, live):
        hello = live.view().hello
        try:
            if self.service.board_name:
                return load_board(self.service.board_name)
            return board_of_class(hello.board_class) if hello is not None else None
        except TendrilError:
            return None

    def _run(self, board, live, cmd, answer) -> None:
        req, rid = cmd.request, cmd.request_id
        if isinstance(req, StatusRequest):
            self.done += 1
            answer(request_id=rid, state=self.service.sink.payload_of(board))
            return
        if isinstance(req, RunTime):
            self.service.sink.set_run_time(board, req.name, req.ms)
            self.done += 1
            answer(request_id=rid)
            return
        if isinstance(req, Lease):
            future = live.lease(req.actuator, req.duration_ms, req.level)
        elif isinstance(req, Off):
            future = live.off(req.actuator)
        elif isinstance(req, Pause):
            future = live.pause()
        elif isinstance(req, Resume):
            future = live.resume()
        elif isinstance(req, ClearSafeMode):
            future = live.clear_safe_mode()
        elif isinstance(req, SetParam):
            future = live.set_param(req.index, req.value)
        elif isinstance(req, PushRecipe):
            future = live.push(req.recipe)
        elif isinstance(req, Pull):
            future = live.pull()
        elif isinstance(req, ScanBuses):
            board_type = self._board_type(live)
            if board_type is None:
                answer(request_id=rid, error="scan: serve does not know this board's pins "
                                             "(start serve with --board NAME)")
                return
            future = live.submit(lambda s: scan_buses(s, board_type, req.pins, req.bus))
        else:  # a request parse gives that serve does not run: a bug, said as one line
            answer(request_id=rid, error=f"{cmd.name}: not supported by this serve")
            return

        def finished(f) -> None:
            exc = f.exception()
            if exc is not None:
                self.refused += 1
                why = _first_line(exc)
                if self.service.stopping:  # not "the board link stopped": the board is fine
                    why = f"serve stopped before the board answered ({why})"
                log.warning("%s for %s failed: %s", cmd.name, board, why)
                answer(request_id=rid, error=f"{cmd.name}: {why}")
                return
            self.done += 1
            extra = {}
            if isinstance(req, Pull):
                extra["recipe"] = f.result()
            elif isinstance(req, ScanBuses):
                extra = f.result().json()
            elif isinstance(req, PushRecipe):
                outcome = f.result()
                extra = {"changes": outcome.changes, "already_active": outcome.already_active}
            answer(request_id=rid, **extra)
        future.add_done_callback(finished)
