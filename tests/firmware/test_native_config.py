"""Config push on the native board over its pty: end to end, hostile images, power cuts, params."""

from __future__ import annotations

import hashlib
import shutil
import struct
import zlib

import pytest
from tendril.contract import EventKind, ImageError, MsgType, Nack
from tendril.image.codec import with_generation
from tendril.protocol import (
    Ack,
    ConfigAbort,
    ConfigBegin,
    ConfigChunk,
    ConfigCommit,
    ConfigData,
    ConfigRead,
    Event,
    GetParams,
    Hello,
    NackMsg,
    Ping,
    RequestHello,
    SetParam,
    UnknownCommand,
    encode_frame,
)
from tendril.sim.story import plant_waterer_image

from ..support.images import waterer_image
from ..support.native_board import NativeBoard

A = with_generation(plant_waterer_image(), 1)
B = with_generation(waterer_image(4), 2)


def reseal(body: bytearray) -> bytes:
    """Recompute recipe hash and CRC after editing an image's bytes."""
    body[14:22] = hashlib.sha256(bytes(body[22:])).digest()[:8]
    struct.pack_into("<I", body, 2, zlib.crc32(bytes(body[6:])) & 0xFFFFFFFF)
    return bytes(body)


def read_config(board: NativeBoard) -> bytes:
    data, off = b"", 0
    while True:
        part = board.request(ConfigRead(off, 56))
        assert isinstance(part, ConfigData)
        data += part.data
        off += len(part.data)
        if not part.data or off >= part.total_length:
            return data


def hello(board: NativeBoard) -> Hello:
    reply = board.request(RequestHello())
    assert isinstance(reply, Hello)
    return reply


def test_config_push_end_to_end(plain, tmp_path):
    ee = tmp_path / "ee.bin"
    board = NativeBoard(plain, ee, "--fast", "--seed", "7")
    try:
        first = hello(board)
        assert first.config_generation == 0 and not first.flags & 0x04 and first.device_id == 7
        replies = board.push(A)
        assert all(isinstance(r, Ack) for r in replies), replies
        assert [r.value for r in replies[1:-1]] == [56, 112, len(A)]
        assert replies[-1].value == 1
        applied = board.wait_for(lambda m: isinstance(m, Event) and m.kind == EventKind.CONFIG)
        assert (applied.b, applied.value) == (1, 1)
        assert read_config(board) == A
        h = hello(board)
        assert (h.config_generation, h.recipe_hash, h.flags & 0x04) == (1, A[14:22], 0x04)
        again = board.request(ConfigBegin(len(A), zlib.crc32(A[6:]), A[14:22], 2))
        assert isinstance(again, Ack) and again.detail == 1  # ALREADY_ACTIVE, nothing written
        commit = board.request(ConfigCommit())
        assert isinstance(commit, NackMsg) and commit.code == Nack.NO_TRANSFER
    finally:
        board.close()
    board = NativeBoard(plain, ee, "--fast")  # a power cycle: the config is still there
    try:
        h = hello(board)  # the boot HELLO went out before the port was opened (and flushed)
        assert (h.config_generation, h.recipe_hash, h.boot_count, h.device_id) == (1, A[14:22], 2, 7)
        assert read_config(board) == A
    finally:
        board.close()


def _nack(reply, code, detail=None):
    assert isinstance(reply, NackMsg), reply
    assert reply.code == code, reply
    if detail is not None:
        assert reply.detail == detail, reply


def _image_error(code: ImageError, index: int = 0) -> int:
    return (int(code) << 8) | index


def test_hostile_images_are_refused_and_the_old_config_keeps_running(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast")
    try:
        assert isinstance(board.push(A)[-1], Ack)
        bad_pin = bytearray(B)
        bad_pin[40 + 12 * 4 + 13 * 3] = 13  # actuator 0 on D13: marked no-actuator on an Uno
        ceiling = bytearray(B)
        struct.pack_into("<H", ceiling, 40 + 12 * 4 + 13 * 3 + 2, 0x4000 | 601)  # max_on 601 s
        zero_interval = bytearray(waterer_image(2))
        rule2 = 40 + 12 * 4 + 13 * 3 + 11 * 2 + 26 * 2
        zero_interval[rule2 + 7] = 0  # operands: literal period ...
        struct.pack_into("<H", zero_interval, rule2 + 20, 0)  # ... of 0: an interval of nothing
        cases = [
            (reseal(bad_pin), Nack.IMAGE_INVALID, _image_error(ImageError.BAD_PIN, 0)),
            (reseal(ceiling), Nack.IMAGE_INVALID, _image_error(ImageError.ABOVE_CEILING, 0)),
            (with_generation(reseal(zero_interval), 2), Nack.IMAGE_INVALID,
             _image_error(ImageError.BAD_RULE, 2)),
        ]  # fmt: skip
        for image, code, detail in cases:
            _nack(board.push(image, 2)[-1], code, detail)
        # Wrong CRC in CONFIG_BEGIN: the staged bytes do not match it.
        bad = board.request(ConfigBegin(len(B), 0x12345678, B[14:22], 2))
        assert isinstance(bad, Ack)
        for off in range(0, len(B), 56):
            board.request(ConfigChunk(off, B[off : off + 56]))
        _nack(board.request(ConfigCommit()), Nack.BAD_CRC)
        _nack(board.request(ConfigBegin(481, 0, b"\1" * 8, 2)), Nack.TOO_LARGE, 480)
        _nack(board.request(ConfigBegin(len(B), 0, b"\2" * 8, 1)), Nack.STALE_GENERATION, 1)
        # Transfer ordering.
        _nack(board.request(ConfigChunk(0, b"TD")), Nack.NO_TRANSFER)
        assert isinstance(board.request(ConfigBegin(len(B), zlib.crc32(B[6:]), B[14:22], 3)), Ack)
        assert board.request(ConfigChunk(0, B[:56])).value == 56
        assert board.request(ConfigChunk(0, B[:56])).value == 56  # a repeat: acknowledged again
        _nack(board.request(ConfigChunk(100, B[100:120])), Nack.BAD_OFFSET, 56)
        _nack(board.request(ConfigCommit()), Nack.BAD_LENGTH)
        assert isinstance(board.request(ConfigAbort()), Ack)
        _nack(board.request(ConfigCommit()), Nack.NO_TRANSFER)
        # The old config is in force through all of it.
        h = hello(board)
        assert (h.config_generation, h.recipe_hash) == (1, A[14:22])
        assert read_config(board) == A
        rejected = [m for m in board.messages(Event) if m.kind == EventKind.CONFIG and m.b == 2]
        assert len(rejected) == 5
    finally:
        board.close()


def test_malformed_requests_get_the_right_nack(plain, tmp_path):
    board = NativeBoard(plain, tmp_path / "ee.bin", "--fast")
    try:
        _nack(board.request(UnknownCommand(0x42)), Nack.UNKNOWN_OP, 0x42)
        board.send_raw(encode_frame(0x55, 9001, b""))
        board.send_raw(encode_frame(MsgType.COMMAND, 9002, b"\x01\x00"))  # LEASE, too short
        board.send_raw(encode_frame(MsgType.PING, 9003, b"x" * 33))  # PING too long
        board.send_raw(encode_frame(MsgType.PING, 9004, b"", version=2))
        board.wait_until(lambda: len(board._replies) >= 4)
        got = {seq: (r.code, r.detail) for seq, _t, r in board._replies}
        assert got == {
            9001: (Nack.UNKNOWN_TYPE, 0),
            9002: (Nack.BAD_LENGTH, 0),
            9003: (Nack.BAD_LENGTH, 0),
            9004: (Nack.BAD_VERSION, 1),
        }
        assert board.request(Ping(b"still here")).data == b"still here"
        _nack(board.request(ConfigRead(0, 8)), Nack.NO_CONFIG)
    finally:
        board.close()


@pytest.mark.slow
def test_power_cut_at_every_eeprom_write_leaves_the_old_or_the_new_config(plain, tmp_path):
    base = tmp_path / "base.bin"
    setup = NativeBoard(plain, base, "--fast")
    assert isinstance(setup.push(A)[-1], Ack)
    setup.close()
    probe_ee = tmp_path / "probe.bin"
    shutil.copy(base, probe_ee)
    probe = NativeBoard(plain, probe_ee, "--fast")
    assert isinstance(probe.push(B)[-1], Ack)
    probe.close()
    writes = int(probe.stderr[-1].split("eeprom writes ")[1].split(";")[0])
    assert writes > 100  # boot records plus the bytes of B that differ from the blank slot
    outcomes = {"old": 0, "new": 0}
    for cut in range(1, writes + 1):
        ee = tmp_path / f"cut{cut}.bin"
        shutil.copy(base, ee)
        env = {"TD_NATIVE_CUT_AFTER": str(cut)}
        try:
            board = NativeBoard(plain, ee, "--fast", env=env)
        except ConnectionError:
            board = None  # the power went off while it booted
        if board is not None:
            try:
                board.push(B)
            except (ConnectionError, TimeoutError):
                pass
            assert board.close() == 99, f"cut {cut}: the power never went off"
        after = NativeBoard(plain, ee, "--fast")
        try:
            h = hello(after)
            config = read_config(after)
        finally:
            after.close()
        if (h.config_generation, h.recipe_hash, config) == (1, A[14:22], A):
            outcomes["old"] += 1
        else:
            assert (h.config_generation, h.recipe_hash, config) == (2, B[14:22], B), f"cut {cut}"
            outcomes["new"] += 1
        ee.unlink()
    assert outcomes["old"] >= writes - 3 and outcomes["new"] >= 1, outcomes
    print(f"power cut after each of {writes} EEPROM writes: {outcomes}")


def test_set_param_survives_a_restart_until_the_next_config(plain, tmp_path):
    ee = tmp_path / "ee.bin"
    board = NativeBoard(plain, ee, "--fast")
    try:
        assert isinstance(board.push(A)[-1], Ack)
        reply = board.request(SetParam(0, 40_000))
        assert isinstance(reply, Ack) and reply.value == 40_000
        _nack(board.request(SetParam(0, 90_000)), Nack.OUT_OF_RANGE, 0)
        _nack(board.request(SetParam(5, 1)), Nack.BAD_INDEX, 5)
    finally:
        board.close()
    board = NativeBoard(plain, ee, "--fast")
    try:
        params = board.request(GetParams(0))
        assert (params.total, params.values) == (2, (40_000, 4_000))
        same = board.push(with_generation(A, 2))
        assert len(same) == 1 and same[0].detail == 1  # the same recipe: ALREADY_ACTIVE
        assert isinstance(board.push(B)[-1], Ack)
        params = board.request(GetParams(0))  # B's defaults, every one of them
        assert (params.first, params.total, params.values) == (0, 4, (35_000, 2_000, 600, 5_000))
        params = board.request(GetParams(2))
        assert (params.first, params.total, params.values) == (2, 4, (600, 5_000))
        params = board.request(GetParams(4))
        assert (params.first, params.total, params.values) == (4, 4, ())
    finally:
        board.close()


SLOT_0, SLOT_1 = 64, 544  # EEPROM addresses of the Uno's two image slots (docs/firmware.md)


@pytest.mark.parametrize(
    ("stage", "worn"),
    [("begin", SLOT_0), ("chunk", SLOT_1 + 30), ("commit", SLOT_1)],
    ids=["begin invalidates the old slot", "a chunk byte", "commit writes the magic"],
)
def test_a_worn_eeprom_cell_is_a_storage_nack_and_an_error_event_and_the_old_config_runs_on(
        plain, tmp_path, stage, worn):
    ee = tmp_path / "ee.bin"
    board = NativeBoard(plain, ee, "--fast")
    try:
        assert isinstance(board.push(A)[-1], Ack)  # slot 0
        if stage == "begin":
            assert isinstance(board.push(B)[-1], Ack)  # slot 1; slot 0 still holds A's bytes
    finally:
        board.close()
    running, new = (B, with_generation(A, 3)) if stage == "begin" else (A, B)
    board = NativeBoard(plain, ee, "--fast", "--worn-cell", str(worn))
    try:
        replies = board.push(new)
        first = next(i for i, r in enumerate(replies) if isinstance(r, NackMsg))
        assert first == {"begin": 0, "chunk": 1, "commit": 6}[stage], replies  # B: 5 chunks
        _nack(replies[first], Nack.STORAGE)
        error = board.wait_for(lambda m: isinstance(m, Event) and m.kind == EventKind.ERROR)
        assert error.b == 1  # storage write
        h = hello(board)
        assert (h.config_generation, h.recipe_hash) == (struct.unpack_from("<I", running, 10)[0],
                                                         running[14:22])
        assert read_config(board) == running
    finally:
        board.close()
    board = NativeBoard(plain, ee, "--fast")  # a good EEPROM again: the same push goes through
    try:
        assert read_config(board) == running
        assert isinstance(board.push(new)[-1], Ack)
        assert read_config(board) == new
    finally:
        board.close()
