"""A time-bounded subset of the rule scenario vectors (tests/vectors/scenarios) through the real
firmware in a simulated Uno. The full set runs on the native build and the C engine; here the point is
the real binary on the real chip model: the same events, in the same order, at the same times within
one vector step (the device ticks continuously, the vectors at their step)."""

from __future__ import annotations

import json

import pytest
from tendril.contract import ChannelKind, EventKind
from tendril.image import decode
from tendril.protocol import Event
from tendril.sim.runner import ROOT, push_image

from ..support.simavr_board import FirmwareBoard, build_product, describe

pytestmark = pytest.mark.slow  # rule vectors on the real firmware in simavr


SCENARIOS = ROOT / "tests" / "vectors" / "scenarios"
# No host commands (their timing over a pty is the host's, not the rule engine's), start at 0,
# at most 45 s of simulated time each.
SUBSET = ["cooldown", "hysteresis", "interlock", "interval"]
RULE_EVENTS = {EventKind.ACT_ON, EventKind.ACT_OFF, EventKind.RULE_SKIP, EventKind.MODE,
               EventKind.PARAM}


@pytest.fixture(scope="module")
def elf():
    return build_product("uno")


def scenario_file(vector: dict) -> str:
    """The vector's inputs as a tendril-simavr scenario: each channel's pin held at each raw value
    from its time on."""
    image = decode(bytes.fromhex(vector["image"]))
    lines = []
    for index, channel in enumerate(image.channels):
        points = [(i["t"], i["raw"]) for i in vector["inputs"] if i["channel"] == index]
        if not points:
            continue
        if points[0][0] != 0:
            points.insert(0, (0, 0))
        series = " ".join(f"{t}:{raw}" for t, raw in points)
        if channel.kind == ChannelKind.ANALOG:
            lines.append(f"adc {channel.pin} steps {series}")
        else:
            lines.append(f"digital {channel.pin} {series}")
    return "\n".join(lines) + "\n"


def tolerance(vector: dict) -> int:
    image = decode(bytes.fromhex(vector["image"]))
    return vector["step"] + max((c.period_ms for c in image.channels), default=0) + 50


@pytest.mark.parametrize("name", SUBSET)
def test_rule_vector_on_the_real_firmware(elf, simavr_built, tmp_path, name):
    vector = json.loads((SCENARIOS / f"{name}.json").read_text())
    assert vector["board"] == "uno" and vector["start"] == 0 and not vector["commands"]
    board = FirmwareBoard(elf, tmp_path)
    try:
        push_image(board.start(), bytes.fromhex(vector["image"]))
        board.stop()  # the config is in EEPROM: the next boot runs it from t = 0
        board.start(scenario=scenario_file(vector), hold=True)
        board.run(vector["end"] + vector["step"] + 1)  # board time, whatever the machine's speed
        got = [e for e in board.device_events() if e.kind in RULE_EVENTS
               and e.time_ms <= vector["end"] + vector["step"]]
    finally:
        board.stop()

    want = vector["events"]
    tol = tolerance(vector)
    shown = f"\n want {want}\n got  {[describe(e) for e in got]}"
    assert len(got) == len(want), shown
    for e, (t, kind, a, b, c, value) in zip(got, want):
        assert isinstance(e, Event)
        assert (EventKind(e.kind).name, e.a, int(e.b), e.c) == (kind, a, b, c), shown
        assert abs(e.time_ms - t) <= tol, shown
        if e.kind == EventKind.ACT_OFF:
            assert abs(e.value - value) <= tol, shown  # ms it was on
        else:
            assert e.value == value, shown
