"""A flood of commands from MQTT cannot run an actuator past the limits the board keeps: every
command the parser lets through goes to the reference engine (the behaviour both firmwares are
judged against, docs/rules.md) over two hours of board time, and the pump's runs, rests and daily
total stay inside its max_on, min_off and daily cap."""

from __future__ import annotations

import json
import random

from tendril.engine import Engine
from tendril.image import decode
from tendril.mqtt.commands import CommandRefused, parse
from tendril.protocol.requests import Lease

TICK_MS = 100


def test_a_flood_of_run_commands_stays_inside_max_on_min_off_and_the_daily_cap(compiled):
    recipe, _, image = compiled("plant-waterer.toml", "uno")
    engine = Engine(decode(image))
    pump = recipe.actuators[0]
    engine.set_raw(0, 350)  # wet soil: only the commands run the pump
    engine.set_raw(1, 1)  # the tank is not empty
    rng = random.Random(16)
    runs, rests, on_since, off_since, total = [], [], None, 0, 0
    accepted = 0
    for now in range(0, 2 * 3_600_000, TICK_MS):
        if now % 500 == 0:  # two commands a second, whatever the pump is doing
            body = rng.choice([{"actuator": "pump"}, {"actuator": "pump", "for_s": 10},
                               {"actuator": "pump", "for_s": rng.uniform(0, 30)}])
            try:
                request = parse(recipe, "run", json.dumps(body)).request
            except CommandRefused:
                request = None
            if isinstance(request, Lease):
                accepted += engine.lease(request.actuator, request.duration_ms, request.level, now).ok
        engine.tick(now)
        on = engine.output(0) > 0
        if on and on_since is None:
            on_since = now
            if now:
                rests.append(now - off_since)
        elif not on and on_since is not None:
            runs.append(now - on_since)
            total += now - on_since
            on_since, off_since = None, now
    assert accepted > 1 and runs
    assert max(runs) <= pump.max_on_ms
    assert min(rests) >= pump.min_off_ms
    assert total <= pump.daily_cap_ms
    assert total >= pump.daily_cap_ms - pump.max_on_ms  # the flood did use what the cap allows
