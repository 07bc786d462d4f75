"""`tendril flash` against real ports: a pty is a real serial port on which no boot loader
answers, so the real avrdude must fail on it, and the command must say so in one line."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tendril.flash_avr import avrdude_command, check_port

from ..support.avr_build import BUDGET, elf_sizes, make, needs_avr_gcc

pytestmark = pytest.mark.slow  # the real avrdude against simulated bootloaders


needs_avrdude = pytest.mark.skipif(shutil.which("avrdude") is None,
                                   reason="avrdude is not installed (tools/setup.sh installs it)")


def tendril(*args: str, env: dict | None = None, timeout: float = 120):
    return subprocess.run([sys.executable, "-m", "tendril.cli", "flash", *args], check=False,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def pty_port():
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(slave)
    os.close(master)


@pytest.fixture(scope="module")
def demo_hex(tmp_path_factory):
    if shutil.which("avr-gcc") is None:
        pytest.skip("gcc-avr is not installed")
    out = tmp_path_factory.mktemp("fw")
    run = make(out, "uno", "hal-demo")
    assert run.returncode == 0, run.stderr
    return out / "uno" / "hal_demo.hex"


def one_error_line(run) -> str:
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tendril: "), run.stderr
    return lines[0]


def test_missing_port_is_named():
    line = one_error_line(tendril("--board", "uno", "--port", "/dev/ttyNOPE0"))
    assert "no serial port /dev/ttyNOPE0" in line


@needs_avrdude
def test_a_port_without_a_bootloader_is_reported_by_the_real_avrdude(pty_port, demo_hex):
    run = tendril("--board", "uno", "--port", pty_port, "--hex", str(demo_hex), "--attempts", "1")
    line = one_error_line(run)
    assert f"no bootloader answered on {pty_port}: is it an Arduino" in line
    assert "avrdude -p m328p -c arduino -P " + pty_port in run.stdout


@needs_avrdude
def test_an_old_nano_hint_comes_with_the_nano(pty_port, demo_hex):
    run = tendril("--board", "nano", "--port", pty_port, "--hex", str(demo_hex), "--attempts", "1",
                  "--old-bootloader")
    assert "-b 57600" in run.stdout
    assert "old Nano needs --old-bootloader" in one_error_line(run)


@needs_avrdude
def test_mega_upload_that_gets_no_answer_is_given_up_after_the_timeout(pty_port, demo_hex):
    run = tendril("--board", "mega2560", "--port", pty_port, "--hex", str(demo_hex),
                  "--timeout", "3")
    line = one_error_line(run)
    assert f"no bootloader answered on {pty_port}" in line and "within 3 s" in line
    assert "-c wiring" in run.stdout and " -D " in run.stdout


@needs_avrdude
def test_busy_port_is_reported(pty_port, demo_hex):
    holder = os.open(pty_port, os.O_RDWR | os.O_NOCTTY)
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a serial monitor (pyserial) holds it
    try:
        line = one_error_line(tendril("--port", pty_port, "--hex", str(demo_hex)))
    finally:
        os.close(holder)
    assert f"{pty_port} is busy" in line


def _check_port_as(uid: int, port: str) -> str:
    """check_port() in a forked child running as `uid`; its error message, or "" if none."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: no exec, so the interpreter needs no access rights of its own
        os.close(r)
        msg = ""
        try:
            os.setuid(uid)
            check_port(port)
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            msg = str(exc)
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        msg = f.read()
    os.waitpid(pid, 0)
    return msg


def test_permission_denied_says_dialout(tmp_path, pty_port):
    if os.geteuid() == 0:  # root opens anything: check as nobody, on a pty only root may open
        os.chmod(pty_port, 0o600)
        msg = _check_port_as(65534, pty_port)
    else:
        port = tmp_path / "ttyLOCKED"
        port.write_bytes(b"")
        port.chmod(0)
        msg = _check_port_as(os.geteuid(), str(port))
    assert msg.startswith("permission denied on") and "dialout group" in msg


def test_missing_avrdude_names_the_apt_command(pty_port):
    run = tendril("--port", pty_port, env={"PATH": "/nonexistent"})
    assert "avrdude is not installed: sudo apt-get install -y avrdude" in one_error_line(run)


def test_old_bootloader_is_refused_for_other_boards(pty_port, demo_hex):
    if shutil.which("avrdude") is None:
        pytest.skip("avrdude is not installed")
    run = tendril("--board", "uno", "--port", pty_port, "--hex", str(demo_hex), "--old-bootloader")
    assert "--old-bootloader is for the Nano" in one_error_line(run)


def test_avrdude_commands_per_board(tmp_path):
    hexf = tmp_path / "f.hex"
    assert avrdude_command("uno", "P", hexf)[1:9] == ["-p", "m328p", "-c", "arduino", "-P", "P",
                                                       "-b", "115200"]
    assert "-D" in avrdude_command("mega2560", "P", hexf)
    assert "-D" not in avrdude_command("nano", "P", hexf)
    assert avrdude_command("nano", "P", hexf, old_bootloader=True)[8] == "57600"
    assert avrdude_command("uno", "P", hexf)[-1] == f"flash:w:{hexf}:i"


@needs_avr_gcc
@needs_avrdude
def test_flash_builds_the_firmware_before_uploading(tmp_path, pty_port):
    run = tendril("--board", "uno", "--port", pty_port, "--attempts", "1",
                  env={"TENDRIL_FIRMWARE_BUILD": str(tmp_path)})
    assert f"building: make -C {Path(__file__).parents[2] / 'firmware'} BOARD=uno" in run.stdout
    elf = tmp_path / "uno" / "tendril.elf"
    assert elf.exists()
    flash, ram = elf_sizes(elf)
    line = one_error_line(run)
    flash_budget, ram_budget = BUDGET["uno"]
    if flash > flash_budget or ram > ram_budget:  # the build gate stops it before avrdude runs
        assert f"the firmware for uno does not fit: tendril uno (atmega328p): flash {flash}" in line
        assert "uploading:" not in run.stdout
    else:
        assert f"uploading: avrdude -p m328p -c arduino -P {pty_port}" in run.stdout
        assert f"no bootloader answered on {pty_port}" in line
