"""The shipped greenhouse with an SHT4x (boards/recipes/greenhouse-sht4x.toml) doing its job, the
same story on every simulated board: an SHT4x model on the I2C bus and a soil probe on the ADC.

It turns hot (33 °C at 20.5 s): the vent fan runs (heat_vent). The air turns damp (92 %): the
second rule claims the fan too, so when a cold snap (2 °C) ends the heat the fan runs on, and stops
when the air is back at 70 % (damp_vent's condition cleared). The cold holds: the heater comes on
(frost). Then the SHT4x stops answering for 50 s: both its channels go without a reading (one
SENSOR event each) and the heater goes off at once (NO_READING, the safe side), while the soil
probe carries on: the soil dries and the pump gives its pulse. The chip answers again
(RECOVERED), it is still cold, and the heater comes back on."""

from __future__ import annotations

from functools import partial

from tendril.contract import EventKind, OffReason, SensorFault, Source
from tendril.image import decode
from tendril.protocol import Telemetry

from ..conftest import ROOT
from . import recipe_story
from .recipe_story import (NO_READING, RH_SLACK, SLACK_MS, TEMP_SLACK, recipe_image, series, steps,
                           story_events, value_at, values, within)

RECIPE = ROOT / "boards" / "recipes" / "greenhouse-sht4x.toml"
image = partial(recipe_image, RECIPE)  # image(board): the recipe compiled for it, generation 1
SOIL_PIN = {"uno": "A0", "mega2560": "A0", "pico": "GP26"}  # the recipe's pins
RELAYS = {"uno": (7, 8, 4), "mega2560": (7, 8, 4)}  # the fan, the heater, the pump (active low)
TEMP, RH, SOIL = range(3)  # channels, in recipe order
FAN, HEATER, PUMP = range(3)  # actuators
HEAT_VENT, DAMP_VENT, FROST, WATER = range(4)  # rules
SHT4X = 0x44
READ_MS, HOLD_MS = 5_000, 30_000  # the SHT4x's period; the air rules' hold
SOIL_MS, SOIL_HOLD_MS, SMOOTHING = 500, 5_000, 2  # the soil's sample period, its rule's hold

TEMP_PTS = steps(22, (20_500, 33), (80_500, 2))
RH_PTS = steps(60, (30_500, 92), (90_500, 70))
SOIL_PTS = [(0, 400), (150_250, 700)]  # ADC counts (a 10-bit board's; firmware/sim/README.md): wet, then dry
FAULT = (135_500, 185_500)  # the SHT4x does not answer
RUN_MS = 230_000


def scenario(board: str) -> list[str]:
    return [f"i2c sht4x addr=0x{SHT4X:02x} temp={series(TEMP_PTS)} hum={series(RH_PTS)}",
            f"adc {SOIL_PIN[board]} steps {series(SOIL_PTS, ' ')}",
            f"i2c_fault 0x{SHT4X:02x} missing {FAULT[0]} {FAULT[1]}"]


def play(dev, board: str) -> None:
    recipe_story.play(dev, image(board), RUN_MS)


def samples_to_dry(img: bytes) -> int:
    """Soil samples after the probe reads dry until the smoothed value is below the dry threshold
    (docs/rules.md, "Sampling"; the recipe's defaults)."""
    ch, threshold = decode(img).channels[SOIL], decode(img).params[3].default

    def pct(counts: int) -> int:  # the Uno's counts: the scenario's values are 10-bit ones
        return ch.offset + ((counts * ch.gain) >> 16)

    value, dry, n = pct(SOIL_PTS[0][1]), pct(SOIL_PTS[1][1]), 0
    while value >= threshold:
        value, n = value + ((dry - value) >> SMOOTHING), n + 1
    return n


def check(events, rows: list[Telemetry], board: str) -> None:
    """What the maker sees: the fan on heat and damp, the heater on frost and off (safe) while the
    SHT4x is gone, the pump watering meanwhile, the heater back once the chip answers again."""
    seen = story_events(events)
    assert [s[:4] for s in seen] == [
        (EventKind.ACT_ON, FAN, Source.RULE, HEAT_VENT),  # hot
        (EventKind.ACT_OFF, FAN, OffReason.CONDITION_CLEARED, DAMP_VENT),  # damp kept it on, until dry
        (EventKind.ACT_ON, HEATER, Source.RULE, FROST),  # cold
        *[(EventKind.SENSOR, ch, SensorFault.NO_ANSWER, 0) for ch in (TEMP, RH)],  # the SHT4x is gone
        (EventKind.ACT_OFF, HEATER, OffReason.NO_READING, FROST),  # ... so the heater goes off
        (EventKind.ACT_ON, PUMP, Source.RULE, WATER),  # the soil probe carries on
        (EventKind.ACT_OFF, PUMP, OffReason.RULE_DONE, WATER),
        *[(EventKind.SENSOR, ch, SensorFault.RECOVERED, 0) for ch in (TEMP, RH)],  # it is back
        (EventKind.ACT_ON, HEATER, Source.RULE, FROST),  # still cold
    ], seen
    fan_on, fan_off, heat_on, gone_t, gone_rh, heat_off, pump_on, pump_off, back_t, back_rh, heat_again = seen
    assert within(fan_on, TEMP_PTS[2][0], HOLD_MS, READ_MS), seen
    assert within(fan_off, RH_PTS[4][0], 0, READ_MS), seen
    assert within(heat_on, TEMP_PTS[4][0], HOLD_MS, READ_MS), seen
    assert within(gone_t, FAULT[0], 0, READ_MS) and gone_rh.time_ms == heat_off.time_ms == gone_t.time_ms, seen
    dry_after = SOIL_PTS[1][0] + samples_to_dry(image("uno")) * SOIL_MS + SOIL_HOLD_MS
    assert dry_after - SOIL_MS <= pump_on.time_ms <= dry_after + 2 * SOIL_MS, (dry_after, seen)
    pulse = decode(image(board)).params[4].default
    assert pulse <= pump_off.time_ms - pump_on.time_ms <= pulse + 100, seen  # the pulse, ended at a tick
    assert within(back_t, FAULT[1], 0, READ_MS) and back_rh.time_ms == back_t.time_ms, seen
    assert back_t.time_ms + HOLD_MS <= heat_again.time_ms <= back_t.time_ms + HOLD_MS + SLACK_MS, seen
    for ch, pts, slack, got in ((TEMP, TEMP_PTS, TEMP_SLACK, back_t), (RH, RH_PTS, RH_SLACK, back_rh)):
        assert abs(got.value - value_at(pts, FAULT[1]) * 1_000) <= slack, got  # RECOVERED's value
    _check_values(rows)


def _check_values(rows: list[Telemetry]) -> None:
    for ch, pts, slack in ((TEMP, TEMP_PTS, TEMP_SLACK), (RH, RH_PTS, RH_SLACK)):
        for i in range(0, len(pts), 2):  # each value the scenario holds, once it is surely in
            since = pts[i][0] + 2 * READ_MS if i else 2 * READ_MS
            until = min(pts[i + 2][0] if i + 2 < len(pts) else FAULT[0], FAULT[0])
            got = values(rows, ch, since, until)
            assert got and all(v is not None and abs(v - pts[i][1] * 1_000) <= slack for v in got), (ch, pts[i], got)
    blind = values(rows, TEMP, FAULT[0] + 2 * READ_MS, FAULT[1]) + values(rows, RH, FAULT[0] + 2 * READ_MS, FAULT[1])
    assert blind and set(blind) == {NO_READING}, blind
    soil = values(rows, SOIL, FAULT[0], FAULT[1])
    assert soil and NO_READING not in soil, soil


def check_relays(periods: dict[int, list[tuple[int, int]]], board: str) -> None:
    """At the pins: the fan ran once (heat, then damp), the heater once before the fault (and is on
    again at the end), the pump gave one pulse of 8 s, during the fault."""
    fan, heater, pump = (periods[pin] for pin in RELAYS[board])
    assert (len(fan), len(heater), len(pump)) == (1, 1, 1), periods
    assert heater[0][1] < FAULT[0] + 2 * READ_MS + SLACK_MS and FAULT[0] < pump[0][0] < FAULT[1], periods
    assert 7_900 <= pump[0][1] - pump[0][0] <= 8_100, pump  # the pulse, in the pin's own time
