"""The shipped weather station (boards/recipes/weather-station.toml) doing its job, the same story on
every simulated board: a BME280 and a BH1750 models on the I2C bus and a rain gauge's pulses.

It turns warm (30 °C at 10.5 s): the vent would open 30 s later but the rain gauge has no reading
yet (its first comes a minute after the push), so the rule is skipped (NO_READING) and the vent
opens when the gauge first reads dry; the fan's rule is held too, but the air is dry (50 %): skipped
(INTERLOCK). The air turns humid (85 %): the fan runs. Five tips of rain fall: at the gauge's next
reading the vent closes (INTERLOCK), and stays closed for its cooldown. The pressure falls to
995 hPa: the storm LED lights, and goes out when it is back at 1013 hPa. Dusk (3 lx): the lamp.
Then the BME280 stops answering for 30 s: its three channels go without a reading (one SENSOR
event each), the fan stops (NO_READING, the safe side), the lamp stays on and the gauge keeps
counting; the chip answers again (RECOVERED). Dawn: the lamp goes off."""

from __future__ import annotations

from functools import partial

from tendril.contract import EventKind, OffReason, SensorFault, SkipReason, Source
from tendril.image import decode
from tendril.protocol import Telemetry

from ..conftest import ROOT
from ..vectors.cases_pulse import pulses_due
from . import recipe_story
from .recipe_story import (NO_READING, PRESS_SLACK, RH_SLACK, TEMP_SLACK, Act, calibrated, lux_milli, recipe_image,
                           series, steps, story_events, value_at, values, within)

RECIPE = ROOT / "boards" / "recipes" / "weather-station.toml"
image = partial(recipe_image, RECIPE)  # image(board): the recipe compiled for it, generation 1
GAUGE_PIN = {"uno": "D2", "mega2560": "D10", "pico": "GP2"}  # the recipe's pins
RELAYS = {"uno": (7, 8), "mega2560": (7, 8)}  # the fan, the lamp (active low)
TEMP, RH, PRESS, LIGHT, RAIN, RAIN_TOTAL = range(6)  # channels, in recipe order
VENT, FAN, LED, LAMP = range(4)  # actuators
OPEN_VENT, STORM, HOT_AND_HUMID, DUSK = range(4)  # rules
BME280 = 0x76
READ_MS, GAUGE_MS, HOLD_MS = 5_000, 60_000, 30_000  # the I2C sensors' and the gauge's periods, the rules' holds
VENT_OPEN = 90  # degrees: the rule's level

TEMP_PTS = steps(20, (10_500, 30))
RH_PTS = steps(50, (70_500, 85))
PRESS_PTS = steps(1013, (125_500, 995), (185_500, 1013))
LUX_PTS = steps(20_000, (140_500, 3), (250_500, 20_000))
RAIN_HZ = 0.1  # a tip every 10 s ...
RAIN_PTS = [(0, 0), (62_000, 0), (62_001, RAIN_HZ), (115_000, RAIN_HZ), (115_001, 0)]  # ... five of them
FAULT = (205_500, 235_500)  # the BME280 does not answer
RUN_MS = 265_000


def scenario(board: str) -> list[str]:
    return [f"i2c bme280 addr=0x{BME280:02x} temp={series(TEMP_PTS)} hum={series(RH_PTS)} press={series(PRESS_PTS)}",
            f"i2c bh1750 lux={series(LUX_PTS)}",
            f"pulse {GAUGE_PIN[board]} {series(RAIN_PTS, ' ')}",
            f"i2c_fault 0x{BME280:02x} missing {FAULT[0]} {FAULT[1]}"]


def tips(until_ms: int) -> int:
    due = pulses_due(RAIN_PTS, until_ms)
    assert due == 0 or abs(due - round(due)) > 0.1, due  # no tip on the edge of rounding
    return int(due)


def play(dev, board: str) -> None:
    recipe_story.play(dev, image(board), RUN_MS)


def check(events, rows: list[Telemetry], board: str) -> None:
    """What the maker sees: each actuator acting on its sensor's values, safe through the fault."""
    img = image(board)
    seen = story_events(events)
    led_level = decode(img).rules[STORM].level
    assert [s[:4] for s in seen] == [
        (EventKind.RULE_SKIP, OPEN_VENT, SkipReason.NO_READING, VENT),  # warm, but no rain reading yet
        (EventKind.RULE_SKIP, HOT_AND_HUMID, SkipReason.INTERLOCK, FAN),  # hot, but dry air
        (EventKind.ACT_ON, VENT, Source.RULE, OPEN_VENT),  # the gauge reads: no rain
        (EventKind.ACT_ON, FAN, Source.RULE, HOT_AND_HUMID),  # humid
        (EventKind.ACT_OFF, VENT, OffReason.INTERLOCK, OPEN_VENT),  # rain
        (EventKind.ACT_ON, LED, Source.RULE, STORM),  # low pressure
        (EventKind.ACT_ON, LAMP, Source.RULE, DUSK),  # dusk
        (EventKind.ACT_OFF, LED, OffReason.CONDITION_CLEARED, STORM),  # the pressure is back
        *[(EventKind.SENSOR, ch, SensorFault.NO_ANSWER, 0) for ch in (TEMP, RH, PRESS)],  # the BME280 is gone
        (EventKind.ACT_OFF, FAN, OffReason.NO_READING, HOT_AND_HUMID),  # ... so the fan stops
        *[(EventKind.SENSOR, ch, SensorFault.RECOVERED, 0) for ch in (TEMP, RH, PRESS)],  # it is back
        (EventKind.ACT_OFF, LAMP, OffReason.CONDITION_CLEARED, DUSK),  # dawn
    ], seen
    (skip_vent, skip_fan, vent_on, fan_on, vent_off, led_on, lamp_on, led_off, *fault) = seen
    gone, fan_off, back, lamp_off = fault[:3], fault[3], fault[4:7], fault[7]
    warm = TEMP_PTS[2][0]
    assert within(skip_vent, warm, HOLD_MS, READ_MS) and skip_fan.time_ms == skip_vent.time_ms, seen
    assert GAUGE_MS <= vent_on.time_ms <= GAUGE_MS + 1_000 and vent_on.value == VENT_OPEN, seen
    assert within(fan_on, RH_PTS[2][0], 0, READ_MS), seen
    assert tips(2 * GAUGE_MS) == 5 and tips(GAUGE_MS) == 0  # the five tips fall between two readings
    assert 2 * GAUGE_MS <= vent_off.time_ms <= 2 * GAUGE_MS + 1_000, seen
    assert within(led_on, PRESS_PTS[2][0], HOLD_MS, READ_MS) and led_on.value == led_level, seen
    assert within(lamp_on, LUX_PTS[2][0], HOLD_MS, READ_MS), seen
    assert within(led_off, PRESS_PTS[4][0], 0, READ_MS), seen
    assert all(within(g, FAULT[0], 0, READ_MS) and g.time_ms == fan_off.time_ms for g in gone), seen
    assert all(within(b, FAULT[1], 0, READ_MS) and b.time_ms == back[0].time_ms for b in back), seen
    assert within(lamp_off, LUX_PTS[4][0], 0, READ_MS), seen
    _check_values(img, rows, back)


def _check_values(img: bytes, rows: list[Telemetry], back: list[Act]) -> None:
    def near(ch: int, since: int, until: int, want: float, slack: int) -> None:
        got = values(rows, ch, since, until)
        assert got and all(v is not None and abs(v - want) <= slack for v in got), (ch, since, got, want)

    def settled(points: list[tuple[int, float]], i: int) -> int:  # when a step's value is in for sure
        return points[i][0] + 2 * READ_MS

    near(TEMP, settled(TEMP_PTS, 2), FAULT[0], 30_000, TEMP_SLACK)
    near(RH, settled(RH_PTS, 2), FAULT[0], 85_000, RH_SLACK)
    near(PRESS, settled(PRESS_PTS, 2), PRESS_PTS[4][0], 995_000, PRESS_SLACK)  # milli-hPa
    near(LIGHT, 2 * READ_MS, LUX_PTS[2][0], lux_milli(20_000), 0)
    near(LIGHT, settled(LUX_PTS, 2), LUX_PTS[4][0], lux_milli(3), 0)
    # the BME280 missing: its channels report no reading, the BH1750 and the gauge carry on
    blind = (FAULT[0] + 2 * READ_MS, FAULT[1])
    for ch in (TEMP, RH, PRESS, LIGHT, RAIN, RAIN_TOTAL):
        got = values(rows, ch, *blind)
        assert got and (set(got) == {NO_READING}) == (ch in (TEMP, RH, PRESS)), (ch, got)
    for ch, pts, slack in ((TEMP, TEMP_PTS, TEMP_SLACK), (RH, RH_PTS, RH_SLACK), (PRESS, PRESS_PTS, PRESS_SLACK)):
        assert abs(back[ch].value - value_at(pts, FAULT[1]) * 1_000) <= slack, back  # RECOVERED's value
    # the gauge: no reading for its first minute; then mm in the last minute and mm since the push
    assert set(values(rows, RAIN, 0, GAUGE_MS - 1)) == {NO_READING}
    assert set(values(rows, RAIN, GAUGE_MS + 1_000, 2 * GAUGE_MS - 1)) == {0}
    rain = values(rows, RAIN, 2 * GAUGE_MS + 1_000, 3 * GAUGE_MS - 1)  # the minute of the five tips
    want = calibrated(img, RAIN, tips(2 * GAUGE_MS) * 1_000)  # tips a minute, in thousandths
    assert rain and all(v is not None and abs(v - want) <= 2 for v in rain), (rain, want)  # a reading a few ms late
    assert abs(want - round(5 * 0.2794 * 1_000)) <= 1  # 0.2794 mm a tip: the recipe's calibration
    assert set(values(rows, RAIN, 3 * GAUGE_MS + 1_000, RUN_MS)) == {0}
    total = values(rows, RAIN_TOTAL, 2 * GAUGE_MS + 1_000, RUN_MS)
    assert total and set(total) == {calibrated(img, RAIN_TOTAL, tips(RUN_MS) * 1_000)}, total


def check_relays(periods: dict[int, list[tuple[int, int]]], board: str) -> None:
    """At the pins: the fan ran once (hot and humid, until the BME280 went), the lamp once (dusk to
    dawn, through the fault)."""
    fan, lamp = (periods[pin] for pin in RELAYS[board])
    assert len(fan) == 1 and len(lamp) == 1, periods
    assert lamp[0][0] < FAULT[0] < FAULT[1] < lamp[0][1], periods
