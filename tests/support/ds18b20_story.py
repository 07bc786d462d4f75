"""One DS18B20 story every simulated board must tell alike (the native board, the real AVR binary in
simavr, the MicroPython virtual board): a probe alone on its bus at 21.5 °C, read every 2 s, and each
fault the scenario format can give it in turn. What the board must say: TELEMETRY's value 21.5 °C
while the probe reads, the NO_READING marker (None) inside each fault, and one SENSOR EVENT when each
fault begins and one when the probe reads again (docs/sensors.md, docs/rules.md)."""

from __future__ import annotations

from tendril.contract import EventKind, SensorFault

RECIPE = """\
[recipe]
name = "probe-story"
version = "1.0.0"
summary = "one DS18B20, every fault in turn"
boards = ["uno", "pico"]
telemetry = "1 s"

[sensors.probe]
kind = "ds18b20"
pin = { uno = "D3", pico = "GP2" }
read_every = "2 s"

[channels.water]
sensor = "probe"
"""

# The scenario, with {pin} for the board's name of the probe's pin.
SCENARIO = [
    "ds18b20 {pin} 21.5",
    "ds18b20_fault {pin} unplugged 10s 16s",
    "ds18b20_fault {pin} crc 24s 30s",
    "ds18b20_fault {pin} power_on 38s 44s",
    "ds18b20_fault {pin} held_low 52s 58s",
]
RUN_MS = 66_000
VALUE = 21_500  # 21.5 °C is 344/16 exactly

# (fault, from, until): the SENSOR EVENTs of each episode must fall in these windows of board ms
# (the fault is seen at the first read inside it, the event at the channel's next sample; the
# recovery at the first good read after it ends, a conversion and a sample later).
EPISODES = [
    (SensorFault.NO_ANSWER, 10_000, 16_000),
    (SensorFault.CRC, 24_000, 30_000),
    (SensorFault.POWER_ON_VALUE, 38_000, 44_000),
    (SensorFault.NO_ANSWER, 52_000, 58_000),
]
SLACK_MS = 4_000  # a read period, a conversion and a sample


def sensor_events(events) -> list[tuple[int, int, int]]:
    """(time, fault, value) of every SENSOR EVENT, in order."""
    return [(e.time_ms, e.b, e.value) for e in events if e.kind == EventKind.SENSOR]


def check(telemetry: list[tuple[int, int | None]], events: list[tuple[int, int, int]]) -> None:
    """The story's outcome from (time, channel 0's value) of every TELEMETRY and the SENSOR EVENTs."""
    expected = []
    for fault, begins, ends in EPISODES:
        expected += [fault, SensorFault.RECOVERED]
    assert [f for _t, f, _v in events] == expected, events
    for k, (fault, begins, ends) in enumerate(EPISODES):
        (t_fault, _f, _v), (t_back, _r, value) = events[2 * k], events[2 * k + 1]
        assert begins <= t_fault <= begins + SLACK_MS, (fault, t_fault)
        assert ends <= t_back <= ends + SLACK_MS, (fault, t_back)
        assert value == VALUE
    seen = [v for _t, v in telemetry]
    assert set(seen) == {None, VALUE}, seen
    for t, v in telemetry:
        inside = any(begins + SLACK_MS <= t <= ends for _f, begins, ends in EPISODES)
        clear = t >= 4_000 and not any(begins <= t <= ends + SLACK_MS for _f, begins, ends in EPISODES)
        if inside:
            assert v is None, (t, v)
        if clear:
            assert v == VALUE, (t, v)
