"""A pot of soil, a water tank and a pump: the world a simulated plant waterer lives in.

Pure and deterministic: time only moves when ``advance`` is called, noise comes from a seeded
generator. The simulated boards feed its sensor readings to the firmware and its pump from the
firmware's output pin.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class PlantModel:
    """Soil moisture in percent, tank content in millilitres.

    The capacitive soil sensor reads ``dry_raw`` in dry soil and ``wet_raw`` in soaked soil (10-bit
    ADC counts, lower when wetter, like the common v1.2 capacitive sensors). The float switch closes
    to ground when the tank is empty, so on a pulled-up pin it reads 0 when empty.
    """

    moisture: float = 45.0
    tank_ml: float = 400.0
    dry_per_hour: float = 3.0  # percentage points lost per hour (sun, a thirsty plant)
    pump_ml_per_s: float = 20.0
    ml_per_point: float = 4.0  # water that raises the soil one percentage point
    empty_below_ml: float = 30.0
    dry_raw: int = 800
    wet_raw: int = 350
    noise_raw: int = 3
    seed: int = 7
    pump_on: bool = False
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def advance(self, ms: int) -> None:
        """Let ``ms`` milliseconds pass."""
        seconds = ms / 1000
        self.moisture -= self.dry_per_hour * seconds / 3600
        if self.pump_on and self.tank_ml > 0:
            water = min(self.tank_ml, self.pump_ml_per_s * seconds)
            self.tank_ml -= water
            self.moisture += water / self.ml_per_point
        self.moisture = min(100.0, max(0.0, self.moisture))

    @property
    def tank_empty(self) -> bool:
        return self.tank_ml < self.empty_below_ml

    def soil_raw(self) -> int:
        """What the soil sensor's ADC reads now."""
        span = self.wet_raw - self.dry_raw
        raw = self.dry_raw + span * self.moisture / 100 + self._rng.randint(-self.noise_raw, self.noise_raw)
        return max(0, min(1023, round(raw)))

    def float_raw(self) -> int:
        """The float switch pin: 0 (closed to ground) when the tank is empty, 1 otherwise."""
        return 0 if self.tank_empty else 1

    def refill(self, ml: float) -> None:
        self.tank_ml += ml
