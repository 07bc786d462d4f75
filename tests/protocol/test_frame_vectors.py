"""FrameDecoder against tests/vectors/frames/stream.json, fed whole, byte by byte and in random splits."""

from __future__ import annotations

import importlib.util
import json
import random
from collections import Counter

import pytest

from tendril.protocol import Frame, FrameDecoder

from ..conftest import VECTORS, load_vectors

CASES = load_vectors("frames/stream.json")


def as_vector(outcomes: list[str], frames: list[Frame]) -> list[dict]:
    """The decoder's report in the vector file's shape: frames slot in where `frame` outcomes are."""
    pending = iter(frames)
    out = []
    for outcome in outcomes:
        if outcome == "frame":
            f = next(pending)
            out.append(
                {
                    "outcome": "frame",
                    "version": f.version,
                    "type": f.type,
                    "seq": f.seq,
                    "payload": f.payload.hex(),
                }
            )
        else:
            out.append({"outcome": outcome})
    assert next(pending, None) is None, "a frame was returned without a `frame` outcome"
    return out


def run(pieces: list[bytes]) -> tuple[list[dict], FrameDecoder]:
    decoder = FrameDecoder()
    outcomes: list[str] = []
    frames: list[Frame] = []
    for piece in pieces:
        frames += decoder.feed(piece, outcomes)
    return as_vector(outcomes, frames), decoder


def random_split(data: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pieces, i = [], 0
    while i < len(data):
        n = rng.randint(0, 80)  # 0 feeds an empty piece, which must change nothing
        pieces.append(data[i : i + n])
        i += n
    return pieces


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_stream_case_whole(case):
    wire = bytes.fromhex(case["wire"])
    got, decoder = run([wire])
    assert got == case["outcomes"]
    counts = Counter(
        "frames" if o["outcome"] == "frame" else o["outcome"] for o in case["outcomes"]
    )
    stats = decoder.stats.as_dict()
    assert stats.pop("bytes") == len(wire)
    assert stats == {name: counts.get(name, 0) for name in stats}, (
        "stats must count every outcome once"
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_stream_case_byte_at_a_time(case):
    wire = bytes.fromhex(case["wire"])
    got, _ = run([wire[i : i + 1] for i in range(len(wire))])
    assert got == case["outcomes"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_stream_case_random_splits(case):
    wire = bytes.fromhex(case["wire"])
    for seed in range(20):
        got, _ = run(random_split(wire, seed))
        assert got == case["outcomes"], f"split seed {seed}"


def test_stream_cases_back_to_back_give_their_outcomes_in_order():
    closed = [
        c for c in CASES if c["wire"].endswith("00")
    ]  # no truncated tail to merge with the next
    got, _ = run(random_split(b"".join(bytes.fromhex(c["wire"]) for c in closed), seed=1))
    assert got == [o for c in closed for o in c["outcomes"]]


def test_frame_vector_files_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("cases_frames", VECTORS / "cases_frames.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for rel, content in module.build().items():
        assert json.loads((VECTORS / rel).read_text(encoding="utf-8")) == content, f"{rel} is stale"
