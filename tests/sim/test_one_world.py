"""One simulated world: every simulated board reads its inputs from the same scenario format through
the same C model (firmware/sim/sim_scenario.c), the MicroPython board through ctypes
(tendril.sim.scenario). The same scenario file gives the same readings at the same board ms on
every runtime, scaled to the board's ADC width."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import BoardClass, ChannelKind, TelemetryFlag
from tendril.image import encode
from tendril.image.model import Channel, Image
from tendril.protocol import RequestStatus, Telemetry, TelemetryMode
from tendril.sim.link import PtyLink
from tendril.sim.runner import SimBoard, SimSpec
from tendril.sim.runner import push_image as push_over_link
from tendril.sim.scenario import Scenario

# Pin numbers both a Pico and the native build for a Pico know: 26 and 27 are ADC inputs, 15 a
# digital one. The soil dries fast and its sensor is noisy; the tank starts below its float
# switch and is refilled at 30 s.
SCENARIO = """\
adc 27 0:100 20s:900 40s:300
plant soil=26 float=15 moisture=60 dry_per_hour=1800 noise_raw=5 tank_ml=20 refill=30s:100
"""


def test_a_scenario_reads_the_same_on_every_board_in_its_own_adc_counts():
    """A scenario's ADC values are 10-bit counts of the reference: a 10-bit Uno reads them as they
    are, a 12-bit ESP32 four times, a 16-bit Pico 64 times; noise and all, at every board ms."""
    worlds = {}
    for board, soil, series in (("uno", "A0", "A1"), ("esp32-devkit", "GPIO34", "GPIO35"),
                                ("pico", "GP26", "GP27")):
        w = Scenario(board)
        w.line(f"adc {series} 0:100 20s:900")
        w.line(f"plant soil={soil} moisture=60 dry_per_hour=1800 noise_raw=5")
        worlds[board] = (w, load_board(board).pins)
    readings = {}
    for board, (w, pins) in worlds.items():
        number = {p.name: p.number for p in pins}
        soil, series = sorted(n for n, (_, digital) in w.inputs().items() if not digital)
        if board == "uno":
            soil, series = number["A0"], number["A1"]
        out = []
        for ms in range(0, 25_000, 250):
            out.append((w.read(soil, ms), w.read(series, ms)))
            w.advance(ms + 250, 250, False)
        readings[board] = out
    uno = readings["uno"]
    assert readings["esp32-devkit"] == [(s << 2, v << 2) for s, v in uno]
    assert readings["pico"] == [(s << 6, v << 6) for s, v in uno]
    assert len({s for s, _ in uno}) > 20 and uno[40][1] == 100 + 800 * 10_000 // 20_000


def test_the_plants_noise_is_a_function_of_the_board_ms_not_of_how_often_it_is_read():
    a, b = Scenario("uno"), Scenario("uno")
    for w in (a, b):
        w.line("plant soil=A0 noise_raw=5 dry_per_hour=0")
    often = [[a.read(14, ms) for _ in range(5)] for ms in range(200)]
    assert all(len(set(r)) == 1 for r in often)  # the same ms reads the same
    assert [r[0] for r in often] == [b.read(14, ms) for ms in range(200)]
    assert len({r[0] for r in often}) == 11  # 640 +-5


def test_a_bad_scenario_line_is_refused_naming_the_board_and_the_pin():
    w = Scenario("pico")
    with pytest.raises(Exception, match="pin 3 is not an analog input on pico"):
        w.line("adc 3 100")
    w.line("adc GP28 7")  # the board file's names work too
    assert w.read(28, 0) == 7 << 6


def _image() -> bytes:
    pico = load_board("pico")
    channels = (Channel(26, period_ms=100), Channel(27, period_ms=100),
                Channel(15, kind=ChannelKind.DIGITAL, period_ms=100))
    return encode(Image("one-world", BoardClass(pico.board_class), telemetry_ms=500, channels=channels))


def _readings(runtime: str, scenario, tmp_path) -> dict[int, tuple[int, ...]]:
    """Raw telemetry of a Pico on ``runtime`` living ``scenario`` for 45 board s, by board ms."""
    spec = SimSpec(board="pico", runtime=runtime, realtime=False, hold=True, scenario=scenario,
                   eeprom=tmp_path / runtime)
    with SimBoard(spec) as sim, PtyLink(sim.port) as link:
        push_over_link(link, _image())
        link.request(TelemetryMode(TelemetryFlag.RAW))
        start = sim.clock.time()
        got = {}
        for _ in range(9):  # in steps, so the host reads along
            sim.clock.run(5_000)
            link.request(RequestStatus(0, 0))
            got |= {m.time_ms - start: m.values for _, m in link.take() if isinstance(m, Telemetry)}
        return got


@pytest.mark.slow  # two simulated boards for 45 board s each
def test_the_same_scenario_file_reads_the_same_on_the_python_and_the_native_board(tmp_path):
    scenario = tmp_path / "world.scn"
    scenario.write_text(SCENARIO)
    python = _readings("python", scenario, tmp_path)
    native = _readings("native", scenario, tmp_path)
    common = sorted(set(python) & set(native))
    assert len(common) >= 80, (sorted(python)[:5], sorted(native)[:5])
    assert [python[t] for t in common] == [native[t] for t in common]
    soil = [python[t][0] for t in common]
    assert len(set(soil)) > 20 and all(s % 64 == 0 for s in soil)  # 16-bit counts of the 10-bit world
    assert {python[t][2] for t in common if t < 29_000} == {0}  # the tank below its float ...
    assert {python[t][2] for t in common if t > 31_000} == {1}  # ... until the refill
