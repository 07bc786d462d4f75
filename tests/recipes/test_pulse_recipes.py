"""A pulse counter in a recipe: `[sensors.name]` with kind "pulse" on one pin, its debounce and rate
unit as options; a channel takes its rate or its total; decompiled back to the same bytes."""

from __future__ import annotations

import pytest
from tendril.contract import CHANNEL_FROM_SENSOR, SensorKind
from tendril.image import decode
from tendril.recipes import compile_recipe, decompile, describe, diff, parse
from tendril.recipes.issues import RecipeError

from .conftest import board

FLOW = """\
[recipe]
name = "flow"
version = "1.0.0"
summary = "a YF-S201 flow meter"
boards = ["uno"]

[sensors.flow]
kind = "pulse"
pin = "D2"
debounce_ms = 2
per_minute = 1
read_every = "1 s"

[channels.rate]
sensor = "flow"
quantity = "rate"

[channels.total]
sensor = "flow"
quantity = "total"
"""


def test_a_pulse_counter_compiles_to_a_one_pin_record_with_its_options():
    image = decode(compile_recipe(parse(FLOW), board("uno")))
    (flow,) = image.sensors
    assert (flow.kind, flow.pin, flow.options, flow.period_ms) == (SensorKind.PULSE, 2, bytes([2, 1, 0]), 1000)
    assert [(c.kind, c.quantity) for c in image.channels] == [(CHANNEL_FROM_SENSOR, 0), (CHANNEL_FROM_SENSOR, 1)]


def test_a_pulse_counter_decompiles_to_the_same_bytes_and_is_described():
    blob = compile_recipe(parse(FLOW), board("uno"))
    again = compile_recipe(parse(decompile(blob, board("uno"))), board("uno"))
    assert again == blob
    assert "pulse" in describe(parse(FLOW)).lower()


@pytest.mark.parametrize("old, new, words", [
    ("debounce_ms = 2", "debounce_ms = 300", "debounce_ms"),
    ("per_minute = 1", "per_minute = 2", "per_minute"),
    ("per_minute = 1", 'echo = "D3"', "no echo pin"),
    ("per_minute = 1", "resolution = 10", "no resolution"),
    ('read_every = "1 s"', 'read_every = "50 ms"', "read every 100 ms .. 60 s"),
])
def test_a_wrong_pulse_option_is_refused_in_words(old, new, words):
    text = FLOW.replace(old, new)
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(text), board("uno"))
    assert any(words in str(i) for i in got.value.issues), got.value.issues


def test_a_changed_debounce_shows_in_the_diff():
    lines = diff(parse(FLOW), parse(FLOW.replace("debounce_ms = 2", "debounce_ms = 5")), board("uno"))
    assert any("flow" in line for line in lines), lines


def test_a_mega_counts_only_on_its_pin_change_pins_and_says_which():
    mega = FLOW.replace('boards = ["uno"]', 'boards = ["mega2560"]')
    with pytest.raises(RecipeError) as got:
        compile_recipe(parse(mega), board("mega2560"))  # D2: INT4, not a pin-change pin
    (issue,) = got.value.issues
    assert "D2 has no pulse counting (interrupt) on mega2560" in str(issue)
    assert "pulse pins: D10, D11, D12, D13, D50, D51, D52, D53, A8," in str(issue)
    image = decode(compile_recipe(parse(mega.replace('pin = "D2"', 'pin = "D10"')), board("mega2560")))
    assert image.sensors[0].pin == 10
