"""The one part of tendril that setuptools compiles: the simulated world's C model
(firmware/sim/sim_scenario.c, the scenario format and plant every simulated board shares), built
into the wheel as tendril/sim/_world*.so.

It is a plain shared library, not a Python extension (no PyInit_): tendril.sim.scenario loads it
with ctypes, nothing imports it. A checkout builds the same files with `make -C firmware/sim world`
instead. Without a C compiler the wheel still builds, without it; the MicroPython runtime then
says in one line that it needs one (docs/install.md). Everything else is in pyproject.toml.
"""

from setuptools import Extension, setup

WORLD = ["firmware/sim/sim_world.c", "firmware/sim/sim_scenario.c", "firmware/sim/sim_board.c",
         "firmware/sim/sim_onewire.c", "firmware/sim/sim_sonar.c", "firmware/sim/sim_dht.c",
         "firmware/sim/sim_pulse.c", "firmware/sim/sim_i2c.c", "firmware/sim/sim_i2c_chips.c"]

setup(ext_modules=[Extension("tendril.sim._world", sources=WORLD, include_dirs=["firmware/sim"],
                             extra_compile_args=["-std=c99"], libraries=["m"], optional=True)])
