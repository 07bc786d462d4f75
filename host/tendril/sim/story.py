"""The plant-waterer story: the reference engine running a recipe against the plant model.

Pure: a generator of (virtual ms, line) pairs. The CLI decides how fast to show them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..boards import boards_dir, load_board
from ..contract import EventKind, OffReason, SkipReason
from ..engine import Engine
from ..image import decode
from ..recipes import compile_recipe, load
from .plant import PlantModel

TICK_MS = 100
SOIL, FLOAT = 0, 1
PUMP = 0


def plant_waterer_image(board: str = "uno") -> bytes:
    """The shipped plant-waterer recipe (boards/recipes/plant-waterer.toml) compiled for ``board``."""
    recipe = load(boards_dir() / "recipes" / "plant-waterer.toml")
    return compile_recipe(recipe, load_board(board))


def clock(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _describe(event, soil: float, plant: PlantModel) -> str | None:
    if event.kind == EventKind.ACT_ON:
        return f"pump ON for a watering pulse: soil reads {soil:.1f} %, tank {plant.tank_ml:.0f} ml"
    if event.kind == EventKind.ACT_OFF:
        why = {
            OffReason.RULE_DONE: "pulse done, letting the water soak in",
            OffReason.INTERLOCK: "the tank ran dry mid-pulse: the interlock stopped the pump",
            OffReason.MAX_ON: "max_on reached: the safety limit stopped the pump",
            OffReason.DAILY_CAP: "daily cap used up",
        }.get(event.b, f"off ({getattr(event.b, 'name', event.b)})")
        return f"pump OFF after {event.value / 1000:.1f} s: {why}"
    if event.kind == EventKind.RULE_SKIP:
        why = {
            SkipReason.INTERLOCK: "the tank is empty, so the pump stays off (interlock)",
            SkipReason.DAILY_CAP: "today's watering budget is used up",
            SkipReason.MIN_OFF: "the pump is resting (min_off)",
        }.get(event.b, getattr(event.b, "name", str(event.b)))
        return f"soil is dry ({soil:.1f} %) but {why}"
    return None


def story(hours: float = 8.0, refill_at_h: float = 6.0) -> Iterator[tuple[int, str]]:
    """Run the recipe for ``hours`` of virtual time; yield what happens, as it happens."""
    image = decode(plant_waterer_image())
    engine = Engine(image)
    plant = PlantModel(moisture=37.0, tank_ml=400.0, dry_per_hour=4.0, ml_per_point=20.0)
    yield 0, (f"recipe {image.name!r}: water below 35 % soil moisture in 4 s pulses, 2 min soak "
              f"between pulses, never when the tank is empty; pump max 10 s on, 30 s rest, 5 min a day")
    end = int(hours * 3_600_000)
    refill = int(refill_at_h * 3_600_000)
    for now in range(0, end + 1, TICK_MS):
        if now == refill:
            plant.refill(400.0)
            yield now, "you refill the tank with 400 ml"
        engine.set_raw(SOIL, plant.soil_raw())
        engine.set_raw(FLOAT, plant.float_raw())
        for event in engine.tick(now):
            line = _describe(event, (engine.value(SOIL) or 0) / 1000, plant)
            if line:
                yield now, line
        if now % 1_800_000 == 0:
            state = "ON" if engine.output(PUMP) else "off"
            yield now, (f"soil {(engine.value(SOIL) or 0) / 1000:5.1f} %   tank {plant.tank_ml:4.0f} ml   "
                        f"pump {state}")
        plant.pump_on = bool(engine.output(PUMP))
        plant.advance(TICK_MS)
