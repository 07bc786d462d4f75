"""A check of a device-based discovery payload against Home Assistant's documented rules. Pure.

Home Assistant cannot run here (it needs a newer Python), so the rules are written down from its
documentation, each with the page it comes from:

- "MQTT" integration page, "Device discovery payload": the root holds ``dev`` (device) and ``o``
  (origin, with ``name``) and ``cmps`` (components); every component has ``p`` (platform) and, for
  entity platforms, a ``unique_id``; a component sent with only ``p`` is removed; shared options
  (availability, state_topic, command_topic, qos, encoding) may sit at the root. "Discovery
  messages", abbreviations: the short keys normalised by ABBREVIATIONS below.
- "MQTT" integration page, "Using availability topics": ``availability`` is a list of mappings each
  with a ``topic``, not together with ``availability_topic``; ``availability_mode`` is all, any or
  latest.
- "MQTT" integration page, entity naming: ``object_id`` is deprecated (warned since 2025.10,
  ignored from 2026.4); ``default_entity_id`` is ``<platform>.<id>``.
- "MQTT Sensor" and "Sensor" (device classes and their units; since 2025.3 a unit that does not fit
  the device class is refused): SENSOR_UNITS; ``state_class`` one of STATE_CLASSES;
  ``expire_after`` a positive number of seconds; ``state_topic`` required.
- "MQTT Binary sensor": ``state_topic`` required.
- "MQTT Switch": ``command_topic`` required.
- "MQTT Number" and "Number" (device classes and units): ``command_topic`` required; ``min`` below
  ``max``; ``step`` above 0; ``mode`` auto, box or slider; device_class/unit as for a sensor.
- "MQTT Button": ``command_topic`` required.
- "MQTT Event": ``state_topic`` and a non-empty ``event_types`` list required.

``problems(payload)`` lists every broken rule as one line each; ``check(payload)`` raises
DiscoveryRejected with them.
"""

from __future__ import annotations

from ..errors import TendrilError

ABBREVIATIONS = {
    "p": "platform", "dev": "device", "o": "origin", "cmps": "components", "cmp": "components",
    "uniq_id": "unique_id", "stat_t": "state_topic", "cmd_t": "command_topic", "dev_cla": "device_class",
    "unit_of_meas": "unit_of_measurement", "stat_cla": "state_class", "exp_aft": "expire_after",
    "val_tpl": "value_template", "cmd_tpl": "command_template", "avty": "availability",
    "avty_mode": "availability_mode", "avty_t": "availability_topic", "def_ent_id": "default_entity_id",
    "obj_id": "object_id", "evt_typ": "event_types", "t": "topic", "ids": "identifiers",
    "cns": "connections",
}

# Device classes and the units HA accepts with them ("Sensor" page; "Number" lists the same pairs
# for the classes used here). None in a set: no unit is also accepted.
_PRESSURE = frozenset({"Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"})
SENSOR_UNITS: dict[str, frozenset] = {
    "temperature": frozenset({"°C", "°F", "K"}),
    "humidity": frozenset({"%"}),
    "moisture": frozenset({"%"}),
    "battery": frozenset({"%"}),
    "illuminance": frozenset({"lx"}),
    "voltage": frozenset({"V", "mV", "µV", "kV", "MV"}),
    "current": frozenset({"A", "mA"}),
    "distance": frozenset({"km", "m", "cm", "mm", "mi", "nmi", "yd", "in", "ft"}),
    "precipitation": frozenset({"cm", "in", "mm"}),
    "pressure": _PRESSURE,
    "atmospheric_pressure": _PRESSURE,
    "duration": frozenset({"d", "h", "min", "s", "ms", "µs"}),
    "carbon_dioxide": frozenset({"ppm"}),
    "volume": frozenset({"L", "mL", "m³", "gal", "ft³", "CCF", "fl. oz."}),
    "volume_flow_rate": frozenset({"L/min", "L/h", "L/s", "m³/h", "m³/s", "gal/min", "ft³/min",
                                   "mL/s"}),
    "power": frozenset({"W", "kW", "mW", "MW", "GW", "TW", "BTU/h"}),
    "power_factor": frozenset({"%", None}),
    "ph": frozenset({None}),
}
NUMBER_UNITS = SENSOR_UNITS
STATE_CLASSES = frozenset({"measurement", "measurement_angle", "total", "total_increasing"})
AVAILABILITY_MODES = frozenset({"all", "any", "latest"})
NUMBER_MODES = frozenset({"auto", "box", "slider"})
ENTITY_PLATFORMS = frozenset({"sensor", "binary_sensor", "switch", "number", "button", "event", "select",
                              "text", "light", "cover", "fan", "lock", "valve", "update", "image"})
PLATFORMS = ENTITY_PLATFORMS | {"device_automation", "tag"}
NEEDS_STATE_TOPIC = frozenset({"sensor", "binary_sensor", "event"})
NEEDS_COMMAND_TOPIC = frozenset({"switch", "number", "button", "select", "text"})
SHARED = ("availability", "availability_mode", "availability_topic", "state_topic", "command_topic",
          "qos", "encoding")


class DiscoveryRejected(TendrilError):
    """A discovery payload Home Assistant would refuse; ``problems`` has one line per broken rule."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def expand(value):
    """``value`` with abbreviated keys written out (only mapping keys; lists are walked)."""
    if isinstance(value, dict):
        return {ABBREVIATIONS.get(k, k): expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def check(payload) -> None:
    found = problems(payload)
    if found:
        raise DiscoveryRejected(found)


def problems(payload) -> list[str]:
    """Every rule ``payload`` (the parsed JSON) breaks, one line each; [] when HA would take it."""
    if not isinstance(payload, dict):
        return ["the payload is not a JSON object"]
    root = expand(payload)
    out: list[str] = []
    dev = root.get("device")
    if not isinstance(dev, dict):
        out.append("no device (dev) mapping at the root")
    elif not dev.get("identifiers") and not dev.get("connections"):
        out.append("the device has neither identifiers (ids) nor connections (cns)")
    origin = root.get("origin")
    if not isinstance(origin, dict) or not isinstance(origin.get("name"), str) or not origin["name"]:
        out.append("no origin (o) with a name at the root")
    out += _availability("root", root)
    cmps = root.get("components")
    if not isinstance(cmps, dict) or not cmps:
        out.append("no components (cmps) mapping, or an empty one")
        return out
    seen: dict[str, str] = {}
    for key, comp in cmps.items():
        out += _component(str(key), comp, root, seen)
    return out


def _availability(where: str, conf: dict) -> list[str]:
    out = []
    avail = conf.get("availability")
    if avail is not None:
        if "availability_topic" in conf:
            out.append(f"{where}: availability and availability_topic together")
        if not isinstance(avail, list) or not avail:
            out.append(f"{where}: availability is not a non-empty list")
        elif any(not isinstance(a, dict) or not isinstance(a.get("topic"), str) or not a["topic"]
                 for a in avail):
            out.append(f"{where}: every availability entry needs a topic")
    mode = conf.get("availability_mode")
    if mode is not None and mode not in AVAILABILITY_MODES:
        out.append(f"{where}: availability_mode {mode!r} is not one of all, any, latest")
    return out


def _component(key: str, comp, root: dict, seen: dict[str, str]) -> list[str]:
    where = f"component {key}"
    if not isinstance(comp, dict):
        return [f"{where}: not a mapping"]
    platform = comp.get("platform")
    if platform is None:
        return [f"{where}: no platform (p)"]
    if platform not in PLATFORMS:
        return [f"{where}: unknown platform {platform!r}"]
    if set(comp) == {"platform"}:
        return []  # a removal: HA drops this component's entity
    out = _availability(where, comp)

    def get(name: str):  # a shared option may sit at the root
        return comp.get(name, root.get(name) if name in SHARED else None)

    if platform in ENTITY_PLATFORMS:
        uid = comp.get("unique_id")
        if not isinstance(uid, str) or not uid:
            out.append(f"{where}: no unique_id")
        elif uid in seen:
            out.append(f"{where}: unique_id {uid!r} is also the unique_id of component {seen[uid]}")
        else:
            seen[uid] = key
    if "object_id" in comp:
        out.append(f"{where}: object_id is deprecated (ignored from HA 2026.4); use default_entity_id")
    ent = comp.get("default_entity_id")
    if ent is not None and (not isinstance(ent, str) or not ent.startswith(f"{platform}.")
                            or ent == f"{platform}."):
        out.append(f"{where}: default_entity_id {ent!r} is not '{platform}.<id>'")
    if platform in NEEDS_STATE_TOPIC and not get("state_topic"):
        out.append(f"{where}: {_article(platform)} {platform} needs a state_topic")
    if platform in NEEDS_COMMAND_TOPIC and not get("command_topic"):
        out.append(f"{where}: {_article(platform)} {platform} needs a command_topic")
    if platform == "sensor":
        out += _unit(where, comp, SENSOR_UNITS)
        sc = comp.get("state_class")
        if sc is not None and sc not in STATE_CLASSES:
            out.append(f"{where}: state_class {sc!r} is not one of {', '.join(sorted(STATE_CLASSES))}")
    if platform in ("sensor", "binary_sensor"):
        exp = comp.get("expire_after")
        if exp is not None and (isinstance(exp, bool) or not isinstance(exp, int) or exp <= 0):
            out.append(f"{where}: expire_after {exp!r} is not a positive whole number of seconds")
    if platform == "number":
        out += _unit(where, comp, NUMBER_UNITS)
        lo, hi, step = comp.get("min", 1), comp.get("max", 100), comp.get("step", 1)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi, step)):
            out.append(f"{where}: min, max and step must be numbers")
        else:
            if lo >= hi:
                out.append(f"{where}: min {lo} is not below max {hi}")
            if step <= 0:
                out.append(f"{where}: step {step} is not above 0")
        mode = comp.get("mode")
        if mode is not None and mode not in NUMBER_MODES:
            out.append(f"{where}: mode {mode!r} is not one of auto, box, slider")
    if platform == "event":
        types = comp.get("event_types")
        if not isinstance(types, list) or not types or not all(isinstance(t, str) and t for t in types):
            out.append(f"{where}: an event needs event_types, a non-empty list of names")
    return out


def _unit(where: str, comp: dict, table: dict[str, frozenset]) -> list[str]:
    cls = comp.get("device_class")
    if cls is None:
        return []
    if cls not in table:
        return [f"{where}: device_class {cls!r} is not one this check knows"]
    unit = comp.get("unit_of_measurement")
    if unit not in table[cls]:
        accepted = ", ".join(sorted(u for u in table[cls] if u)) or "none"
        return [f"{where}: device_class {cls} does not take unit {unit!r} (HA accepts: {accepted})"]
    return []


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
