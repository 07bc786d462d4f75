"""A pot of soil, a water tank and a pump, for host code that runs one without a board (the story of
tendril.sim.story, the recipe tests): the plant of firmware/sim/sim_scenario.c through
tendril.sim.scenario, the very model every simulated board lives in (same arithmetic, same noise).

Deterministic: time only moves when ``advance`` is called; the sensor's noise is a function of the
seed and the plant's own ms.
"""

from __future__ import annotations

from .scenario import Scenario

SOIL_PIN = 14  # A0 of the Uno the plant is wired to (its readings are 10-bit counts)


class PlantModel:
    """Soil moisture in percent, tank content in millilitres.

    The capacitive soil sensor reads ``dry_raw`` in dry soil and ``wet_raw`` in soaked soil (10-bit
    ADC counts, lower when wetter, like the common v1.2 capacitive sensors). The float switch closes
    to ground when the tank is empty, so on a pulled-up pin it reads 0 when empty. The parameters
    and their defaults are the `plant` line's (firmware/sim/README.md, "Scenario files").
    """

    def __init__(self, moisture: float = 45.0, tank_ml: float = 400.0, dry_per_hour: float = 3.0,
                 pump_ml_per_s: float = 20.0, ml_per_point: float = 4.0, empty_below_ml: float = 30.0,
                 dry_raw: int = 800, wet_raw: int = 350, noise_raw: int = 3, seed: int = 7) -> None:
        self.world = Scenario("uno")
        self.world.line(f"plant soil=A0 moisture={moisture:g} tank_ml={tank_ml:g} "
                        f"dry_per_hour={dry_per_hour:g} pump_ml_per_s={pump_ml_per_s:g} "
                        f"ml_per_point={ml_per_point:g} empty_below_ml={empty_below_ml:g} "
                        f"dry_raw={dry_raw} wet_raw={wet_raw} noise_raw={noise_raw} seed={seed}")
        self.pump_on = False
        self.now_ms = 0

    def advance(self, ms: int) -> None:
        """Let ``ms`` milliseconds pass."""
        self.now_ms += ms
        self.world.advance(self.now_ms, ms, self.pump_on)

    @property
    def moisture(self) -> float:
        return self.world.moisture

    @property
    def tank_ml(self) -> float:
        return self.world.tank_ml

    @property
    def tank_empty(self) -> bool:
        return self.world.tank_empty

    def soil_raw(self) -> int:
        """What the soil sensor's ADC reads now."""
        return self.world.read(SOIL_PIN, self.now_ms)

    def float_raw(self) -> int:
        """The float switch pin: 0 (closed to ground) when the tank is empty, 1 otherwise."""
        return 0 if self.tank_empty else 1

    def refill(self, ml: float) -> None:
        self.world.refill(ml)
