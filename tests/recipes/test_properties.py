"""Hypothesis: generated recipes never crash the validator, and every one that compiles round-trips."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tendril.recipes import RecipeError, compile_recipe, decompile, parse
from tendril.recipes.emit import dumps

from .conftest import PLANT, board

BOARDS = ["uno", "mega2560", "pico", "esp32-devkit"]
PINS = {"uno": ["A0", "A1", "A2", "D2", "D3", "D5", "D7", "D9", "D13", "D0", 14, 99],
        "mega2560": ["A0", "A8", "D2", "D44", "D13", 54],
        "pico": ["GP26", "GP27", "GP2", "GP15", "GP23", 28],
        "esp32-devkit": ["GPIO34", "GPIO25", "GPIO4", "GPIO6", 32]}
UNITS = ["%", "°C", "V", "bool", "none", "raw", "lx"]
NAMES = ["a", "b", "soil", "pump", "tank", "x1"]


def durations(lo: int = 0):
    return st.one_of(st.sampled_from(["0 s", "1 ms", "500 ms", "1 s", "5 s", "90 s", "2 min", "10 min", "1 h", "6 h", "2 d",
                                      "16.5 s", "-1 s", "5"]),
                     st.builds(lambda n, u: f"{n} {u}", st.integers(lo, 20000), st.sampled_from(["ms", "s", "min"])))


def values(unit: str):
    number = st.one_of(st.integers(-2000, 2000).map(str), st.decimals(-1000, 1000, places=3, allow_nan=False).map(str))
    return st.one_of(number.map(lambda n: f"{n} {unit}" if unit not in ("none",) else n),
                     st.sampled_from(["$p0", "$p1", "$nope", "1e9 %", "nan"]))


@st.composite
def recipes(draw):
    target = draw(st.sampled_from(BOARDS))
    doc = {"recipe": {"name": "gen", "version": "1.0.0", "summary": "generated", "boards": [target],
                      "telemetry": draw(st.sampled_from(["1 s", "off", "1 ms", "5 min"]))}}
    punit = draw(st.sampled_from(UNITS + ["s"]))
    doc["parameters"] = {f"p{i}": {"default": draw(values(punit) if punit != "s" else durations()),
                                   "min": "0 s" if punit == "s" else f"-5 {punit}" if punit != "none" else "-5",
                                   "max": "1 h" if punit == "s" else f"90 {punit}" if punit != "none" else "90"}
                         for i in range(draw(st.integers(0, 2)))}
    channels = {}
    for name in draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True)):
        kind = draw(st.sampled_from(["analog", "digital", "digital_pullup"]))
        unit = draw(st.sampled_from(UNITS))
        ch = {"pin": draw(st.sampled_from(PINS[target])), "kind": kind, "unit": unit,
              "smoothing": draw(st.integers(0, 9)), "sample_every": draw(durations())}
        cal = draw(st.sampled_from(["none", "points", "volts", "linear", "invert"]))
        if cal == "points":
            ch["calibration"] = [{"reading": draw(st.integers(0, 70000)), "value": draw(values(unit))},
                                 {"reading": draw(st.integers(0, 70000)), "value": draw(values(unit))}]
        elif cal == "volts":
            ch["calibration"] = [{"reading": "0.5 V", "value": draw(values(unit))}, {"reading": "1.5 V", "value": draw(values(unit))}]
        elif cal == "linear":
            ch["calibration"] = {"gain": draw(st.decimals(-40, 40, places=6, allow_nan=False)), "offset": draw(values(unit))}
        elif cal == "invert":
            ch["invert"] = True
        channels[name] = ch
    doc["channels"] = channels
    actuators = {}
    for name in draw(st.lists(st.sampled_from(["pump", "fan", "led", "b"]), max_size=2, unique=True)):
        actuators[name] = {"pin": draw(st.sampled_from(PINS[target])), "kind": draw(st.sampled_from(["relay", "pwm"])),
                           "active_low": draw(st.booleans()), "max_on": draw(durations(1)),
                           "min_off": draw(durations()), "daily_cap": draw(durations(1))}
    doc["actuators"] = actuators
    rules = {}
    for i in range(draw(st.integers(0, 3))):
        rule: dict = {}
        chans, acts = list(channels) or ["ghost"], list(actuators) or ["ghost"]
        if draw(st.booleans()):
            ch = draw(st.sampled_from(chans))
            unit = channels.get(ch, {}).get("unit", "%")
            rule["when"] = {"channel": ch, draw(st.sampled_from(["below", "above"])): draw(values(unit)),
                            "for": draw(st.one_of(durations(), st.just("$p0"))), "hysteresis": draw(values(unit))}
            if draw(st.booleans()):
                rule["cooldown"] = draw(durations())
            action = {"while": True} if draw(st.booleans()) else {"for": draw(st.one_of(durations(1), st.just("$p1")))}
        else:
            rule["every"] = draw(st.one_of(durations(1000), st.just("$p0")))
            action = {"for": draw(durations(1))}
        if draw(st.booleans()) and channels:
            rule["unless"] = draw(st.sampled_from(chans))
        rule["do"] = {"actuator": draw(st.sampled_from(acts)), **action}
        if draw(st.booleans()):
            rule["do"]["level"] = draw(st.one_of(st.integers(0, 300), st.sampled_from(["50 %", "0 %"])))
        rules[f"r{i}"] = rule
    doc["rules"] = rules
    return target, {k: v for k, v in doc.items() if v}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipes())
def test_generated_recipes_never_crash_and_compiled_ones_round_trip(case):
    target, doc = case
    text = dumps(doc)
    try:
        image = compile_recipe(parse(text, "gen.toml"), board(target))
    except RecipeError as exc:
        assert exc.issues and all(i.line >= 1 for i in exc.issues)
        return
    back = decompile(image, board(target))
    assert compile_recipe(parse(back, "back.toml"), board(target)) == image, back


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mangled_recipe_text_never_crashes_the_validator(data):
    text = PLANT.read_text()
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        pieces = st.sampled_from(list('[]{}"\'=.,#\n\\ $0aZ-') + ["nan", "inf", "1e99", '"""', "[[", "\\u"])
        junk = "".join(data.draw(st.lists(pieces, max_size=6)))
        cut = data.draw(st.integers(0, 6))
        text = text[:at] + junk + text[at + cut:]
    try:
        compile_recipe(parse(text, "m.toml"), board("uno"))
    except RecipeError as exc:
        assert exc.issues


@st.composite
def valid_recipes(draw):
    """Recipes built only from valid choices for an Uno: every one must compile and round-trip."""
    pct = st.integers(0, 100_000).map(lambda v: f"{v / 1000:g} %" if v % 1000 == 0 else f"{v // 1000}.{v % 1000:03d} %")
    dur = st.sampled_from(["1 s", "5 s", "250 ms", "90 s", "2 min", "10 min"])
    doc = {"recipe": {"name": draw(st.sampled_from(["gen", "a-very-long-recipe-name", "x"])), "version": "0.1.0",
                      "summary": "generated", "boards": ["uno"], "telemetry": draw(st.sampled_from(["1 s", "off"]))},
           "parameters": {"level": {"default": "50 %", "min": "0 %", "max": "100 %"},
                          "pulse": {"default": "5 s", "min": "1 s", "max": "1 min"}}}
    analog = draw(st.lists(st.sampled_from(["A0", "A1", "A2", "A3"]), min_size=1, max_size=3, unique=True))
    digital = draw(st.lists(st.sampled_from(["D2", "D3", "D4"]), max_size=2, unique=True))
    channels = {}
    for i, pin in enumerate(analog):
        cal = draw(st.sampled_from(["points", "volts", "linear"]))
        ch = {"pin": pin, "kind": "analog", "unit": "%", "smoothing": draw(st.integers(0, 8)),
              "sample_every": draw(st.sampled_from(["250 ms", "1 s", "5 s", "1 min"]))}
        if cal == "points":
            # at least 4 counts apart: 100 % over fewer counts is steeper than Q16.16 holds (refused, rightly)
            lo, hi = draw(st.lists(st.integers(0, 1023), min_size=2, max_size=2, unique=True).filter(
                lambda pair: abs(pair[0] - pair[1]) >= 4))
            ch["calibration"] = [{"reading": lo, "value": draw(pct)}, {"reading": hi, "value": draw(pct)}]
        elif cal == "volts":
            ch["calibration"] = [{"reading": "0.5 V", "value": draw(pct)}, {"reading": "4.5 V", "value": draw(pct)}]
        else:
            ch["calibration"] = {"gain": draw(st.decimals(-30, 30, places=7, allow_nan=False)), "offset": draw(pct)}
        channels[f"a{i}"] = ch
    for i, pin in enumerate(digital):
        channels[f"d{i}"] = {"pin": pin, "kind": draw(st.sampled_from(["digital", "digital_pullup"])),
                             "invert": draw(st.booleans())}
    doc["channels"] = channels
    acts = draw(st.lists(st.sampled_from([("D5", "pwm"), ("D6", "pwm"), ("D7", "relay"), ("D8", "relay")]),
                         min_size=1, max_size=3, unique=True))
    doc["actuators"] = {f"out{i}": {"pin": pin, "kind": kind, "active_low": draw(st.booleans()), "max_on": draw(dur),
                                    "min_off": draw(dur), "daily_cap": "1 h"} for i, (pin, kind) in enumerate(acts)}
    rules = {}
    for i in range(draw(st.integers(1, 4))):
        act = draw(st.sampled_from(sorted(doc["actuators"])))
        rule: dict = {}
        if draw(st.booleans()):
            ch = draw(st.sampled_from([c for c in channels if c.startswith("a")]))
            rule["when"] = {"channel": ch, draw(st.sampled_from(["below", "above"])): draw(st.one_of(pct, st.just("$level"))),
                            "for": draw(st.one_of(dur, st.just("$pulse"))), "hysteresis": draw(pct)}
            rule["cooldown"] = draw(dur)
            do = {"while": True} if draw(st.booleans()) else {"for": draw(st.one_of(dur, st.just("$pulse")))}
        else:
            rule["every"] = draw(st.one_of(dur.filter(lambda d: d != "250 ms"), st.just("$pulse")))
            do = {"for": draw(dur)}
        digital_names = [c for c in channels if c.startswith("d")]
        if digital_names and draw(st.booleans()):
            rule["unless"] = draw(st.sampled_from(digital_names))
        elif draw(st.booleans()):
            rule["unless"] = {"channel": "a0", draw(st.sampled_from(["above", "below"])): draw(pct)}
        if doc["actuators"][act]["kind"] == "pwm" and draw(st.booleans()):
            do["level"] = draw(st.one_of(st.integers(1, 255), st.just("25 %")))
        rule["do"] = {"actuator": act, **do}
        rules[f"r{i}"] = rule
    doc["rules"] = rules
    return doc


@settings(max_examples=200, deadline=None)
@given(valid_recipes())
def test_valid_generated_recipes_compile_and_round_trip_through_decompile(doc):
    uno = board("uno")
    recipe = parse(dumps(doc), "gen.toml")
    image = compile_recipe(recipe, uno)
    assert compile_recipe(parse(decompile(image, uno), "back.toml"), uno) == image
    assert compile_recipe(parse(decompile(image, uno, recipe), "named.toml"), uno) == image
