"""The MicroPython firmware has no DHT driver yet (its SENSOR_KINDS_BUILT leaves the DHT's bits
clear): the host refuses a DHT recipe for it in words, before a byte of the image is sent."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.errors import ImageRefused
from tendril.image import with_generation
from tendril.recipes import compile_recipe, parse
from tendril.session import Session
from tendril.session.push import push
from tendril.sim.mpy_board import VirtualBoard

RECIPE = """\
[recipe]
name = "air"
version = "1.0.0"
summary = "a DHT22"
boards = ["pico"]

[sensors.air]
kind = "dht22"
pin = "GP2"

[channels.rh]
sensor = "air"
quantity = "humidity"
"""


def test_a_dht_recipe_is_refused_before_a_byte_is_sent(tmp_path):
    vb = VirtualBoard("pico", storage=tmp_path, hold=True)
    path = vb.start()
    try:
        with Session(path) as s:
            assert s.hello.sensor_kinds == 1 | 1 << 3  # the DS18B20's and the HC-SR04's drivers, no other
            image = with_generation(compile_recipe(parse(RECIPE), load_board("pico")), 1)
            with pytest.raises(ImageRefused, match=r"sensor 0 is a DHT22.*\(dht22\).*built with sensor kinds ds18b20, hcsr04"):
                push(s, image)
            assert s.handshake().config_generation == 0
    finally:
        vb.close()
