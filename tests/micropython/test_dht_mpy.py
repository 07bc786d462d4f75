"""The MicroPython firmware's DHT driver (tdfw/drivers_dht.py) over the virtual board's ``dht``
module, which reads the bytes of the DHT model the other simulated boards share
(firmware/sim/sim_dht.c): the shared DHT22 and DHT11 vectors (tests/vectors/sensors/), told as the
native board and the real AVR binary tell them. And a port built without MicroPython's ``dht``
module has no DHT driver: the host refuses a DHT recipe for it in words, before a byte is sent."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import SensorKind
from tendril.errors import ImageRefused
from tendril.image import with_generation
from tendril.protocol import Event, Hello, Telemetry
from tendril.recipes import compile_recipe, parse
from tendril.session import Session
from tendril.session.push import push
from tendril.sim.mpy_board import VirtualBoard

from ..support import dht_story as story
from .link import play

DHT = 1 << SensorKind.DHT22 | 1 << SensorKind.DHT11


@pytest.mark.parametrize("kind", ["dht22", "dht11"])
def test_the_virtual_board_tells_the_dht_story(tmp_path, kind):
    hello, got = play(tmp_path, story.recipe(kind), story.scenario(kind, "pico"), story.RUN_MS)
    assert isinstance(hello, Hello) and hello.sensor_kinds & DHT == DHT
    story.check(kind, [(m.time_ms, list(m.values)) for m in got if isinstance(m, Telemetry)],
                [m for m in got if isinstance(m, Event)])


def test_a_port_without_the_dht_module_is_refused_a_dht_recipe_before_a_byte_is_sent(tmp_path):
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, without=("dht",))
    path = vb.start()
    try:
        with Session(path) as s:
            i2c = sum(1 << k for k in range(SensorKind.BME280, SensorKind.BH1750 + 1))
            assert s.hello.sensor_kinds == 1 | 1 << SensorKind.HCSR04 | 1 << SensorKind.PULSE | i2c  # all but the DHTs
            image = with_generation(compile_recipe(parse(story.recipe("dht22")), load_board("pico")), 1)
            with pytest.raises(ImageRefused, match=r"sensor 0 is a DHT22.*\(dht22\).*built with sensor kinds ds18b20, hcsr04, pulse, bme280, "):
                push(s, image)
            assert s.handshake().config_generation == 0
    finally:
        vb.close()
