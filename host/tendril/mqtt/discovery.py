"""Home Assistant device-based MQTT discovery (HA 2024.11+) for one board, built from its recipe.

One retained payload at ``<discovery_prefix>/device/<id>/config`` with ``dev`` (the board), ``o``
(tendril, the origin) and ``cmps`` (one entry per entity). Every entity reads the board's retained
state JSON (state.py) and writes to the command topics (topics.py, commands.py):

- a channel: a sensor (device_class only where HA accepts it with the unit), or a binary_sensor for
  a binary kind (the channel-kind table's ``binary``);
- an actuator: a switch (ON = a lease of the actuator's run time, OFF = off) and a number for that
  run time, 0.1 s up to its max_on;
- a parameter: a number with its min/max/step/unit;
- the rules: an event entity "rule fired"; the limits: an event entity "safety limit".

unique_ids and component ids are the device id and the channel/actuator/parameter NAME, never an
index, so they stay the same across restarts and recipe pushes. A component the new recipe lacks is
sent as only its platform (``{"p": "sensor"}``), which removes its entity (HA's MQTT docs, "Device
discovery payload": discovery updates and removal), so nothing is left behind. Pure: no I/O.
"""

from __future__ import annotations

import json

from ..contract import UNIT_SYMBOLS, BoardClass, Unit, channel_kind
from ..recipes.model import Recipe
from .state import SAFETY_EVENTS, units
from .topics import OFFLINE, ONLINE, Topics

DEFAULT_DISCOVERY_PREFIX = "homeassistant"
ORIGIN = "tendril"
BIRTH = "online"  # Home Assistant's birth message on <discovery_prefix>/status

# Unit -> the device classes HA accepts with it (the first fits when no name hint picks another).
# Only pairs in ha_rules.SENSOR_UNITS go here; a unit with no match gets no device_class.
_UNIT_CLASSES = {
    Unit.PERCENT: ("moisture", "humidity"),
    Unit.CELSIUS: ("temperature",),
    Unit.FAHRENHEIT: ("temperature",),
    Unit.LUX: ("illuminance",),
    Unit.VOLT: ("voltage",),
    Unit.MILLIVOLT: ("voltage",),
    Unit.CM: ("distance", "precipitation"),
    Unit.MM: ("distance", "precipitation"),
    Unit.LITRE: ("volume",),
    Unit.MILLILITRE: ("volume",),
    Unit.LITRE_PER_MIN: ("volume_flow_rate",),
    Unit.HPA: ("pressure",),
    Unit.PPM: ("carbon_dioxide",),
}
_HINTS = {"humidity": ("hum", "rh"), "moisture": ("soil", "moist", "water", "wet"),
          "carbon_dioxide": ("co2",), "precipitation": ("rain", "precip", "snow")}
_NO_SYMBOL = (Unit.NONE, Unit.RAW, Unit.BOOL)  # no unit_of_measurement for these


def device_class(name: str, unit: Unit | None) -> str | None:
    """The sensor device_class for a channel or parameter called ``name`` in ``unit``, or None.
    A class with name hints is taken when the name says so: a % is moisture or humidity only then
    (a % could be a tank level), mm or cm precipitation ("rain_total"), else a distance."""
    classes = _UNIT_CLASSES.get(unit, ())
    low = name.lower()
    hinted = next((c for c in classes if any(h in low for h in _HINTS.get(c, ()))), None)
    return hinted or next((c for c in classes[:1] if c not in _HINTS), None)


def _symbol(unit: Unit | None) -> str | None:
    return None if unit is None or unit in _NO_SYMBOL else UNIT_SYMBOLS[unit]


def _step(*values: int) -> float | int:
    """The coarsest of 1, 0.1, 0.01, 0.001 that hits every value (thousandths)."""
    for size, step in ((1000, 1), (100, 0.1), (10, 0.01)):
        if all(v % size == 0 for v in values):
            return step
    return 0.001


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


class Discovery:
    """The discovery payloads of one board (``board``: its id as topics.board_id writes it)."""

    def __init__(self, board: str, *, topics: Topics = Topics(), serve: str = "serve",
                 discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX,
                 expire_after_s: int | None = None, commands: bool = True) -> None:
        self.board = board
        # commands=False (serve --read-only): no entity that writes (switch, number); actuators
        # are binary_sensors and parameters sensors, so HA shows everything and can change nothing.
        self.commands = commands
        self.topics = topics
        self.serve = serve
        self.discovery_prefix = discovery_prefix
        self.expire_after_s = expire_after_s

    @property
    def topic(self) -> str:
        """Where the payload goes, retained (an empty retained payload removes the device)."""
        return f"{self.discovery_prefix}/device/tendril_{self.board}/config"

    @property
    def birth_topic(self) -> str:
        """Home Assistant says BIRTH here when it starts: send discovery and state again then."""
        return f"{self.discovery_prefix}/status"

    def _uid(self, what: str, name: str) -> str:
        return f"tendril_{self.board}_{what}_{name}"

    def _key(self, entity: dict) -> str:
        """A component's id: its platform and what it shows ("sensor_channel_soil"). With the
        platform in it, a channel whose kind changes (a sensor becoming a binary_sensor) is a new
        component and the old one is removed, never changed in place."""
        return f"{entity['p']}_" + entity["unique_id"].removeprefix(f"tendril_{self.board}_")

    def _entity(self, platform: str, what: str, name: str, title: str) -> dict:
        uid = self._uid(what, name)
        return {"p": platform, "name": title, "unique_id": uid, "default_entity_id": f"{platform}.{uid}"}

    def payload(self, recipe: Recipe, hello=None, previous: Recipe | None = None,
                version: str = "") -> dict:
        """The whole discovery payload for ``recipe``; with ``previous`` (the recipe the board ran
        before a push), its components the new recipe lacks are there as ``{"p": platform}``."""
        cmps = self.components(recipe)
        if previous is not None:
            for key, comp in self.components(previous).items():
                if key not in cmps:
                    cmps[key] = {"p": comp["p"]}
        return {
            "dev": self._device(recipe, hello),
            "o": {"name": ORIGIN, **({"sw": version} if version else {})},
            "availability": [
                {"topic": self.topics.availability(self.board), "payload_available": ONLINE,
                 "payload_not_available": OFFLINE},
                {"topic": self.topics.serve_availability(self.serve), "payload_available": ONLINE,
                 "payload_not_available": OFFLINE},
            ],
            "availability_mode": "all",
            "state_topic": self.topics.state(self.board),
            "qos": 1,
            "cmps": cmps,
        }

    def json(self, *args, **kwargs) -> str:
        return json.dumps(self.payload(*args, **kwargs), ensure_ascii=False, separators=(",", ":"))

    def _device(self, recipe: Recipe, hello) -> dict:
        dev = {"ids": [f"tendril_{self.board}"], "name": f"{recipe.meta.name} {self.board}",
               "mf": "tendril", "sn": self.board}
        if hello is not None:
            cls = hello.board_class
            known = cls in BoardClass._value2member_map_
            dev["mdl"] = BoardClass(cls).name if known else f"board class {cls}"
            dev["sw"] = f"{hello.text} {hello.fw_major}.{hello.fw_minor}.{hello.fw_patch}".strip()
        return dev

    def components(self, recipe: Recipe) -> dict[str, dict]:
        """``cmps``: component id -> its config, keyed by kind and name."""
        cmps: dict[str, dict] = {}
        expire = self.expire_after_s
        if expire is None and recipe.meta.telemetry_ms:  # three reports missed: unavailable
            expire = max(60, -(-3 * recipe.meta.telemetry_ms // 1000))
        for c in recipe.channels:
            value = f"value_json.channels['{c.name}']"
            spec = channel_kind(c.kind)
            if spec is not None and spec.binary:
                e = self._entity("binary_sensor", "channel", c.name, _title(c.name))
                e["value_template"] = (f"{{% if {value} is none %}}None{{% elif {value} %}}ON"
                                       "{% else %}OFF{% endif %}")
            else:
                e = self._entity("sensor", "channel", c.name, _title(c.name))
                e["value_template"] = f"{{{{ {value} }}}}"
                e["state_class"] = "measurement"
                symbol = _symbol(c.unit)
                if symbol:
                    e["unit_of_measurement"] = symbol
                    cls = device_class(c.name, c.unit)
                    if cls:
                        e["device_class"] = cls
            if expire:
                e["expire_after"] = expire
            cmps[self._key(e)] = e
        for a in recipe.actuators:
            act = f"value_json.actuators['{a.name}']"
            if not self.commands:
                b = self._entity("binary_sensor", "actuator", a.name, _title(a.name))
                b["value_template"] = f"{{{{ 'ON' if {act}['on'] else 'OFF' }}}}"
                cmps[self._key(b)] = b
                continue
            sw = self._entity("switch", "actuator", a.name, _title(a.name))
            sw.update(command_topic=self.topics.command(self.board, "switch"),
                      # whole payloads, not a command_template: the state is compared with
                      # state_on/state_off, the command sent as payload_on/payload_off
                      payload_on=json.dumps({"actuator": a.name, "state": "ON"}),
                      payload_off=json.dumps({"actuator": a.name, "state": "OFF"}),
                      state_on="ON", state_off="OFF",
                      value_template=f"{{{{ 'ON' if {act}['on'] else 'OFF' }}}}")
            cmps[self._key(sw)] = sw
            least = 0.1 if a.run_limit_ms >= 200 else 0.001
            rt = self._entity("number", "run_time", a.name, f"{_title(a.name)} run time")
            rt.update(command_topic=self.topics.command(self.board, "run_time"),
                      command_template=f'{{"actuator":"{a.name}","for_s":{{{{ value }}}}}}',
                      value_template=f"{{{{ {act}['run_time_s'] }}}}",
                      min=least, max=units(a.run_limit_ms), step=least, mode="box",
                      unit_of_measurement="s", device_class="duration", entity_category="config")
            cmps[self._key(rt)] = rt
        for p in recipe.params:
            template = f"{{{{ value_json.parameters['{p.name}'] }}}}"
            if p.min >= p.max or not self.commands:  # shown, not set (HA's number needs min < max)
                n = self._entity("sensor", "parameter", p.name, _title(p.name))
                n.update(value_template=template, entity_category="diagnostic")
            else:
                n = self._entity("number", "parameter", p.name, _title(p.name))
                n.update(command_topic=self.topics.command(self.board, "set"),
                         command_template=f'{{"parameter":"{p.name}","value":{{{{ value }}}}}}',
                         value_template=template, min=units(p.min), max=units(p.max),
                         step=_step(p.min, p.max, p.default), mode="box")
            if p.duration:
                n.update(unit_of_measurement="s", device_class="duration")
            elif _symbol(p.unit):
                n["unit_of_measurement"] = _symbol(p.unit)
                cls = device_class(p.name, p.unit)
                if cls:
                    n["device_class"] = cls
            cmps[self._key(n)] = n
        if recipe.rules:
            ev = self._entity("event", "rule", "fired", "Rule fired")
            ev.update(state_topic=self.topics.event(self.board),
                      event_types=[r.name for r in recipe.rules],
                      value_template=_event_template("rule_fired"))
            cmps[self._key(ev)] = ev
        if recipe.actuators:
            ev = self._entity("event", "safety", "limit", "Safety limit")
            ev.update(state_topic=self.topics.event(self.board), event_types=list(SAFETY_EVENTS),
                      value_template=_event_template("safety"))
            cmps[self._key(ev)] = ev
        return cmps


def _event_template(key: str) -> str:
    """Renders {"event_type": ...} for the events that carry ``key``, and nothing for the others
    (HA's MQTT event ignores an empty rendering)."""
    return (f"{{% if value_json.{key} is defined %}}"
            f"{{{{ {{'event_type': value_json.{key}}} | to_json }}}}{{% endif %}}")
