"""Host to virtual MicroPython board, end to end over a real pty with the host's real codec.

The board is the real firmware (firmware/micropython/tdfw) under CPython with the machine shim, its
pins reading a scenario through the C model every simulated board shares (tendril.sim.mpy_board,
tendril.sim.scenario).
"""

from __future__ import annotations

import dataclasses

import pytest
from tendril.contract import (
    ConfigOutcome,
    EventKind,
    HelloFlag,
    ImageError,
    Nack,
    OffReason,
    Source,
)
from tendril.image import decode, encode
from tendril.protocol import (
    Ack,
    ConfigData,
    ConfigRead,
    GetParams,
    Lease,
    NackMsg,
    Pause,
    Ping,
    Pong,
    RequestStatus,
    Resume,
    SetParam,
    Status,
    TelemetryMode,
    Telemetry,
)
from tendril.sim.mpy_board import VirtualBoard, plant_waterer_image
from tendril.sim.scenario import Scenario

from .link import Link


@pytest.fixture
def board(tmp_path):
    vb = VirtualBoard("pico", storage=tmp_path, hold=True)  # board time moves only with link.run
    vb.start()
    yield vb
    vb.close()


@pytest.fixture
def link(board):
    lk = Link(board)
    yield lk
    lk.close()


def pump_recipe(**actuator) -> bytes:
    """The plant waterer for a Pico, its pump changed as given (and its rule made unable to fire)."""
    img = decode(plant_waterer_image("pico"))
    act = dataclasses.replace(img.actuators[0], **actuator)
    return encode(dataclasses.replace(img, actuators=(act,), rules=()))


def test_fresh_board_says_who_it_is_and_has_no_config(link):
    hello = link.hello()
    assert hello.text == "tendril-mpy" and hello.board_class == 3
    assert not hello.flags & HelloFlag.HAS_CONFIG and hello.config_generation == 0
    assert isinstance(link.request(Ping(b"\x00\x03abc")), Pong)
    reply = link.request(Lease(0, 1000, 255))
    assert isinstance(reply, NackMsg) and reply.code == Nack.NO_CONFIG


def test_pushed_recipe_runs_streams_telemetry_and_survives_a_reboot(board, link):
    image = plant_waterer_image("pico")
    replies = link.push(image)
    assert all(isinstance(r, Ack) for r in replies), replies
    assert replies[-1].value == 1
    link.run(2500)
    configs = [e for e in link.events() if e.kind == EventKind.CONFIG]
    assert configs and configs[-1].b == ConfigOutcome.APPLIED and configs[-1].value == 1
    tele = [m for m in link.unsolicited if isinstance(m, Telemetry)]
    assert len(tele) >= 2
    soil, tank_empty = tele[-1].values
    assert 30_000 < soil < 45_000 and tank_empty == 0  # the plant model's 37 %, a full tank
    hello = link.hello()
    assert hello.flags & HelloFlag.HAS_CONFIG and hello.recipe_hash == image[14:22]
    again = link.push(image, generation=hello.config_generation + 1)
    assert again[0].detail == 1  # ALREADY_ACTIVE: nothing written
    link.close()
    board.stop()
    rebooted = VirtualBoard("pico", storage=board.storage)
    rebooted.start()
    try:
        lk = Link(rebooted)
        h = lk.hello()
        assert h.recipe_hash == image[14:22] and h.boot_count == hello.boot_count + 1
        data = lk.request(ConfigRead(0, 56))
        assert isinstance(data, ConfigData) and data.total_length == len(image)
        lk.close()
    finally:
        rebooted.close()


def test_pump_stops_when_lease_expires_without_host(board, link):
    assert isinstance(link.push(pump_recipe())[-1], Ack)
    reply = link.request(Lease(0, 800, 255))
    assert isinstance(reply, Ack) and reply.value == 800
    link.run(300)
    assert board.pump_on()
    board.levels.clear()
    link.run(1200)  # the host says nothing; the board ends the lease by itself
    assert not board.pump_on()
    assert board.levels.get(16) == 1  # active-low relay back at its safe level
    on = [e for e in link.events() if e.kind == EventKind.ACT_ON]
    off = [e for e in link.events() if e.kind == EventKind.ACT_OFF]
    assert on[-1].b == Source.LEASE and off[-1].b == OffReason.LEASE_END
    # On for the lease, less the few ms between the command and the tick that switched it on.
    assert 780 <= off[-1].value <= 900


def test_lease_longer_than_max_on_is_refused_and_status_reports_the_lease(link):
    assert isinstance(link.push(pump_recipe(max_on_ms=5000))[-1], Ack)
    reply = link.request(Lease(0, 6000, 255))
    assert isinstance(reply, NackMsg) and reply.code == Nack.LIMIT_MAX_ON and reply.detail == 5
    assert isinstance(link.request(Lease(0, 3000, 200)), Ack)
    link.run(200)
    status = link.request(RequestStatus(0, 0))
    assert isinstance(status, Status) and status.total == 1
    entry = status.entries[0]
    assert entry.state & 0x03 == 0x03 and entry.owner == 0xFE and 2000 < entry.ms_left <= 3000


def test_hostile_images_are_refused_and_the_old_config_keeps_running(link):
    good = plant_waterer_image("pico")
    assert isinstance(link.push(good)[-1], Ack)
    before = link.hello()
    img = decode(good)
    hostile = {
        "above the ceiling": dataclasses.replace(img, actuators=(
            dataclasses.replace(img.actuators[0], max_on_ms=3_600_000),)),
        "reserved pin": dataclasses.replace(img, channels=(
            dataclasses.replace(img.channels[0], pin=29), img.channels[1])),
        "wrong board": dataclasses.replace(img, board_class=1, name="for-an-uno"),
    }
    codes = {}
    for name, bad in hostile.items():
        replies = link.push(encode(bad), generation=before.config_generation + 1)
        last = replies[-1]
        assert isinstance(last, NackMsg) and last.code == Nack.IMAGE_INVALID, (name, replies)
        codes[name] = last.detail >> 8
    assert codes == {"above the ceiling": ImageError.ABOVE_CEILING,
                     "reserved pin": ImageError.BAD_PIN, "wrong board": ImageError.BAD_BOARD}
    replies = link.push(pump_recipe(), generation=before.config_generation + 1, damage=60)
    assert isinstance(replies[-1], NackMsg) and replies[-1].code == Nack.BAD_CRC
    link.run(200)
    rejected = [e for e in link.events() if e.kind == EventKind.CONFIG and e.b == ConfigOutcome.REJECTED]
    assert len(rejected) == 4
    after = link.hello()
    assert after.recipe_hash == before.recipe_hash and after.config_generation == before.config_generation
    stale = link.push(pump_recipe(), generation=before.config_generation)
    assert isinstance(stale[0], NackMsg) and stale[0].code == Nack.STALE_GENERATION


def test_boot_loop_starts_safe_mode_until_the_host_clears_it(tmp_path):
    from tendril.contract import ModeChange
    from tendril.protocol import ClearSafeMode

    image = pump_recipe()
    # A boot that dies, then watchdog resets that die before they ran 30 s: a boot loop (the third
    # watchdog reset in a row starts safe mode, as on the C firmware).
    for cause in ("power_on", "watchdog", "watchdog"):
        vb = VirtualBoard("pico", image=image, storage=tmp_path, reset_cause=cause)
        vb.start()
        vb.power_cut()
    vb = VirtualBoard("pico", storage=tmp_path, reset_cause="watchdog")
    vb.start()
    try:
        lk = Link(vb)
        hello = lk.hello()
        assert hello.flags & HelloFlag.SAFE_MODE and hello.flags & HelloFlag.HAS_CONFIG
        assert vb.levels.get(16) == 1  # the pump relay (active-low) held off
        reply = lk.request(Lease(0, 1000, 255))
        assert isinstance(reply, NackMsg) and reply.code == Nack.SAFE_MODE
        assert isinstance(lk.request(ConfigRead(0, 8)), ConfigData)  # config reads still work
        assert isinstance(lk.request(ClearSafeMode()), Ack)
        lk.listen(0.2)
        assert any(e.kind == EventKind.MODE and e.b == ModeChange.SAFE_MODE_CLEARED for e in lk.events())
        assert not lk.hello().flags & HelloFlag.SAFE_MODE
        assert isinstance(lk.request(Lease(0, 1000, 255)), Ack)
        lk.close()
    finally:
        vb.close()


def test_quick_power_cycles_are_not_a_boot_loop(tmp_path):
    image = pump_recipe()
    for _ in range(4):  # the user unplugs and replugs the board four times in a row
        vb = VirtualBoard("pico", image=image, storage=tmp_path)
        vb.start()
        vb.power_cut()
    vb = VirtualBoard("pico", storage=tmp_path)
    vb.start()
    try:
        assert not Link(vb).hello().flags & HelloFlag.SAFE_MODE
    finally:
        vb.close()


def test_a_reset_by_the_button_between_watchdog_resets_is_not_a_boot_loop(tmp_path):
    # Only watchdog resets in a row count (docs/firmware.md, "Safe mode"); any other reset clears the
    # count, and once in safe mode only CLEAR_SAFE_MODE leaves it.
    image = pump_recipe()
    causes = ("power_on", "watchdog", "watchdog", "hard", "watchdog", "watchdog", "watchdog", "hard")
    safe = []
    for cause in causes:
        vb = VirtualBoard("pico", image=image, storage=tmp_path, reset_cause=cause)
        vb.start()
        try:
            lk = Link(vb)
            safe.append(bool(lk.hello().flags & HelloFlag.SAFE_MODE))
            lk.close()
        finally:
            vb.power_cut()
        image = None
    assert safe == [False, False, False, False, False, False, True, True]


def test_a_pause_survives_a_reboot_until_resume(board, link):
    # Seen on every firmware: a reboot silently resumed the automation.
    assert all(isinstance(r, Ack) for r in link.push(plant_waterer_image("pico")))
    assert isinstance(link.request(Pause()), Ack)
    link.close()
    board.stop()
    for want_paused, command in ((True, Resume()), (False, None)):
        again = VirtualBoard("pico", storage=board.storage)
        again.start()
        try:
            lk = Link(again)
            assert bool(lk.hello().flags & HelloFlag.PAUSED) == want_paused
            if command is not None:
                assert isinstance(lk.request(command), Ack)
            lk.close()
        finally:
            again.close()


def test_a_tuned_parameter_survives_a_reboot_until_a_new_config(board, link):
    # Seen: the MicroPython firmware forgot SET_PARAM values at every reboot (the C firmware keeps them).
    image = plant_waterer_image("pico")
    assert all(isinstance(r, Ack) for r in link.push(image))
    assert isinstance(link.request(SetParam(0, 38_000)), Ack)
    link.close()
    board.stop()

    def params_after_reboot(push_generation=None):
        again = VirtualBoard("pico", storage=board.storage)
        again.start()
        try:
            lk = Link(again)
            if push_generation is not None:
                changed = decode(image)
                changed = encode(dataclasses.replace(changed, telemetry_ms=2000))
                assert all(isinstance(r, Ack) for r in lk.push(changed, generation=push_generation))
            got = lk.request(GetParams(0))
            lk.close()
            return got.values
        finally:
            again.close()

    assert params_after_reboot()[0] == 38_000
    assert params_after_reboot(push_generation=2)[0] == 35_000  # a new config: its own defaults


def test_the_board_is_wired_as_its_scenario_says(tmp_path):
    """No pins by hand: the scenario's plant waters through GP17 (active high) and its soil sensor
    is on GP27; another input reads its series; the readings are 16-bit read_u16 counts."""
    world = Scenario("pico")
    world.line("plant soil=GP27 pump=GP17 pump_active=high moisture=60 noise_raw=0")
    world.line("adc GP28 0:100 1s:900")
    img = decode(plant_waterer_image("pico"))
    channels = (dataclasses.replace(img.channels[0], pin=27), dataclasses.replace(img.channels[0], pin=28))
    pump = dataclasses.replace(img.actuators[0], pin=17, flags=0)
    image = encode(dataclasses.replace(img, channels=channels, actuators=(pump,), rules=(), telemetry_ms=200))
    vb = VirtualBoard("pico", storage=tmp_path, hold=True, world=world)
    vb.start()
    lk = Link(vb)
    try:
        assert isinstance(lk.push(image)[-1], Ack)
        assert isinstance(lk.request(TelemetryMode(1)), Ack)  # raw readings
        lk.run(600)
        soil, series = [m for m in lk.unsolicited if isinstance(m, Telemetry)][-1].values
        assert soil == round(800 + (350 - 800) * 0.6) << 6  # 60 % moist, in the Pico's 16-bit counts
        assert 100 << 6 < series < 900 << 6
        reply = lk.request(Lease(0, 800, 255))
        assert isinstance(reply, Ack)
        lk.run(400)
        assert vb.pump_on() and vb.levels.get(17) == 1  # HIGH runs this pump
        lk.run(1000)
        assert not vb.pump_on() and world.moisture > 62  # it watered: 20 ml/s, 4 ml a point
        assert world.tank_ml < 400
    finally:
        lk.close()
        vb.close()
