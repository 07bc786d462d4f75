"""The Python image codec and validator against tests/vectors/images/images.json."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from tendril.boards import load_board
from tendril.errors import ImageRefused
from tendril.image import decode, encode, validate

from ..conftest import VECTORS

CASES = json.loads((VECTORS / "images" / "images.json").read_text())["cases"]


def _outcome(data: bytes, board: str) -> dict:
    try:
        validate(data, load_board(board))
    except ImageRefused as exc:
        return {"ok": False, "error": exc.code.name, "code": int(exc.code), "index": exc.index}
    return {"ok": True}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_validator_gives_the_vector_outcome(case):
    assert _outcome(bytes.fromhex(case["image"]), case["board"]) == case["expect"]


VALID = [c for c in CASES if c["expect"]["ok"]]


@pytest.mark.parametrize("case", VALID, ids=[c["name"] for c in VALID])
def test_valid_images_decode_to_their_fields_and_reencode_to_the_same_bytes(case):
    data = bytes.fromhex(case["image"])
    image = decode(data)
    fields = json.loads(json.dumps(asdict(image), default=bytes.hex))
    assert fields == case["decoded"]
    assert encode(image) == data


def test_vectors_cover_every_image_error_code():
    from tendril.contract import ImageError as Code

    covered = {c["expect"]["error"] for c in CASES if not c["expect"]["ok"]}
    assert covered == {code.name for code in Code}
