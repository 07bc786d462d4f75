"""The host's check of an image's sensors against the kinds a board's HELLO says it was built with."""

from __future__ import annotations

import pytest
from tendril.contract import BoardClass, ImageError
from tendril.errors import ImageRefused
from tendril.image import Channel, Image, Sensor, encode
from tendril.image.needs import check_sensor_kinds

PLAIN = Image("plain", BoardClass.AVR328, 1000, channels=(Channel(14),))


def test_an_image_without_sensors_needs_no_sensor_kind():
    check_sensor_kinds(encode(PLAIN), 0)


def test_a_sensor_the_board_lacks_is_refused_in_words_naming_it_and_what_the_board_has():
    image = encode(Image("probe", BoardClass.AVR328, 1000, sensors=(Sensor(0, 3), Sensor(12, 4))))
    with pytest.raises(ImageRefused) as refused:
        check_sensor_kinds(image, 0)
    assert (refused.value.code, refused.value.index) == (ImageError.BAD_SENSOR, 0)
    assert "sensor 0 is a DS18B20 temperature probe (ds18b20)" in str(refused.value)
    assert "built with no sensor kinds" in str(refused.value)
    with pytest.raises(ImageRefused) as second:
        check_sensor_kinds(image, 0b1)  # kind 0 built in, kind 12 not (past the table)
    assert second.value.index == 1 and "sensor 1 is sensor kind 12, which this tendril does not know" in str(second.value)
    assert "built with sensor kinds ds18b20" in str(second.value)
    check_sensor_kinds(image, 0b1000000000001)


def test_bytes_that_are_not_an_image_are_left_to_the_board():
    check_sensor_kinds(b"TD" + bytes(10), 0)
