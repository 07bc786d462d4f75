"""`tendril doctor` run for real on this machine: its checks, their fixes, its exit status."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

NAMES = ["serial ports", "ModemManager", "checkout", "simulated world", "avr-gcc", "avr-libc", "Arduino AVR core", "simavr",
         "avrdude", "mpremote", "node", "tmux"]


def doctor(*args: str, env: dict | None = None, user: int | None = None):
    argv = [sys.executable, "-m", "tendril.cli", "doctor", *args]
    if user is not None:
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, **(env or {})})
    return done


def checks(done) -> dict[str, dict]:
    report = json.loads(done.stdout)
    assert [c["name"] for c in report["checks"]] == NAMES
    return {c["name"]: c for c in report["checks"]}


def test_doctor_checks_this_machine_and_says_how_to_fix_what_is_wrong():
    done = doctor("--json")
    report = json.loads(done.stdout)
    found = checks(done)
    for c in found.values():
        assert c["status"] == ("ok" if c["ok"] else "problem" if c["required"] else "missing")
        assert c["detail"] and c["needed_for"]
        assert bool(c["fix"]) != c["ok"]
    assert [n for n, c in found.items() if c["required"]] == ["serial ports", "ModemManager"]
    required_ok = all(c["ok"] for c in found.values() if c["required"])
    assert report["ok"] == required_ok and done.returncode == (0 if required_ok else 1)
    # this machine was set up by tools/setup.sh: the toolchain and simulator are there
    assert found["avr-gcc"]["ok"] and found["avr-libc"]["ok"] and found["simavr"]["ok"]
    assert found["checkout"]["ok"]  # the tests run from a checkout
    assert found["simulated world"]["ok"] and "python (pico, esp32-devkit)" in found["simulated world"]["needed_for"]

    text = doctor()
    assert text.returncode == done.returncode
    lines = text.stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")][:len(NAMES)] == [
        found[n]["status"] for n in NAMES]


def test_a_tool_missing_from_path_is_reported_with_the_command_that_installs_it(tmp_path):
    # PATH holds everything this machine has but tmux and avrdude
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for d in os.environ["PATH"].split(os.pathsep):
        if not Path(d).is_dir():
            continue
        for exe in Path(d).iterdir():
            target = bin_dir / exe.name
            if exe.name not in ("tmux", "avrdude") and not target.exists() and os.access(exe, os.X_OK):
                target.symlink_to(exe)
    assert shutil.which("tmux", path=str(bin_dir)) is None

    done = doctor("--json", env={"PATH": str(bin_dir)})
    found = checks(done)
    assert found["tmux"]["status"] == "missing" and found["avrdude"]["status"] == "missing"
    assert found["tmux"]["fix"] == "sudo apt-get install tmux"
    assert found["avrdude"]["fix"] == "sudo apt-get install avrdude"
    assert found["avr-gcc"]["ok"] and found["simavr"]["ok"]  # the rest is still found
    assert done.returncode == 0  # optional tools: reported, not an error

    text = doctor(env={"PATH": str(bin_dir)})
    assert "fix: sudo apt-get install tmux" in text.stdout
    assert "2 to fix (0 required)" in text.stdout
    assert doctor("--strict", env={"PATH": str(bin_dir)}).returncode == 1


def test_modemmanager_running_is_a_problem_that_fails_the_doctor(tmp_path):
    fake = tmp_path / "ModemManager"  # a process by that name, as ps and /proc show it
    shutil.copy("/bin/sleep", fake)
    proc = subprocess.Popen([str(fake), "60"])
    try:
        time.sleep(0.1)
        done = doctor("--json")
        mm = checks(done)["ModemManager"]
        assert mm["status"] == "problem" and "opens every new /dev/ttyACM port" in mm["detail"]
        assert mm["fix"].startswith("sudo systemctl disable --now ModemManager")
        assert done.returncode == 1 and json.loads(done.stdout)["ok"] is False
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root and setpriv to run the doctor as a user outside dialout")
def test_a_user_outside_the_dialout_group_is_told_to_join_it():
    done = doctor("--json", user=65534)  # nobody, no supplementary groups
    serial = checks(done)["serial ports"]
    assert serial["status"] == "problem"
    assert serial["fix"].startswith("sudo usermod -aG dialout nobody")
    assert done.returncode == 1


def test_doctor_in_a_checkout_finds_the_firmware_sources():
    from tendril.cli.doctor import check_checkout

    check = check_checkout()
    assert check.ok and not check.required and check.status == "ok"
