"""Builds the native simulated board once per session (plain -O2 and the ASan/UBSan debug build)."""

from __future__ import annotations

import shutil

import pytest

from ..support.native_board import build_native


@pytest.fixture(scope="session")
def native_bins():
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build firmware/native")
    return build_native()


@pytest.fixture
def plain(native_bins):
    return native_bins[0]


@pytest.fixture
def debug(native_bins):
    """ASan + UBSan, and the TD_DEBUG_HANG command."""
    return native_bins[1]
