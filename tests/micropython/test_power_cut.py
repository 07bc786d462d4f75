"""A power cut at every file-write step of a config push: after the reboot the board runs the old
config or the new one, whole, never garbage (tendril.sim.mpy_board.FaultyFiles cuts the power)."""

from __future__ import annotations

import dataclasses

import pytest
from tendril.image import decode, encode, with_generation
from tendril.protocol import Ack, ConfigData, ConfigRead
from tendril.sim.mpy_board import VirtualBoard, plant_waterer_image

from .link import Link

pytestmark = pytest.mark.slow  # a power cut at every write step


OLD = with_generation(plant_waterer_image("pico"), 1)
NEW = with_generation(encode(dataclasses.replace(decode(OLD), name="new-recipe")), 2)


def boot(storage) -> tuple[VirtualBoard, Link]:
    board = VirtualBoard("pico", storage=storage)
    board.start()
    return board, Link(board)


def read_active(link: Link) -> bytes:
    out = b""
    while True:
        reply = link.request(ConfigRead(len(out), 56))
        assert isinstance(reply, ConfigData)
        if not reply.data:
            return out
        out += reply.data


def push_steps(tmp_path) -> int:
    """How many file-write steps one push of NEW takes (counted with the fault armed at none)."""
    board, link = boot(tmp_path / "count")
    try:
        assert isinstance(link.push(OLD, generation=1)[-1], Ack)
        board.files.arm(None)
        assert isinstance(link.push(NEW, generation=2)[-1], Ack)
        return board.files.steps
    finally:
        link.close()
        board.close()


def test_push_without_a_cut_takes_several_write_steps(tmp_path):
    assert push_steps(tmp_path) >= 4  # remove stale stage, create, >= 2 chunk writes, rename


def test_power_cut_at_every_config_write_step_leaves_old_or_new_config(tmp_path):
    steps = push_steps(tmp_path)
    outcomes = []
    for cut in range(steps + 1):  # cut == steps: the power goes right after the commit's ACK
        storage = tmp_path / f"cut{cut}"
        board, link = boot(storage)
        assert isinstance(link.push(OLD, generation=1)[-1], Ack)
        board.files.arm(cut)
        if cut < steps:
            with pytest.raises(AssertionError, match="no reply"):
                for _ in range(3):  # the push, then requests that nobody answers any more
                    link.push(NEW, generation=2)
            assert not board.alive, f"cut at step {cut} did not stop the board"
        else:
            assert isinstance(link.push(NEW, generation=2)[-1], Ack)
        link.close()
        board.power_cut()

        board, link = boot(storage)
        try:
            hello = link.hello()
            active = read_active(link)
            assert active in (OLD, NEW), f"cut at step {cut}: garbage config {active.hex()}"
            assert hello.recipe_hash == active[14:22]
            assert hello.config_generation == (1 if active == OLD else 2)
            outcomes.append("old" if active == OLD else "new")
            # and the board takes the next push as if nothing had happened
            assert isinstance(link.push(NEW, generation=3)[-1], Ack)
        finally:
            link.close()
            board.close()
    # Every cut up to and including the rename boots the old config; after it, the new one.
    assert outcomes == ["old"] * steps + ["new"]
