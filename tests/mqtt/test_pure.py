"""The MQTT core is pure: importing it loads no MQTT client, UI, serial port or database."""

from __future__ import annotations

from ..support.imports import loaded_by

MODULES = ["tendril.mqtt.topics", "tendril.mqtt.state", "tendril.mqtt.discovery",
           "tendril.mqtt.ha_rules", "tendril.mqtt.commands"]


def test_importing_the_mqtt_core_loads_no_client_ui_port_or_database():
    watched = ["paho", "aiomqtt", "textual", "serial", "sqlite3", "ssl"]
    assert loaded_by(MODULES, watched) == []
