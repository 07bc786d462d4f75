"""tendril installs: a wheel built from this checkout, installed into a fresh venv, runs from
outside the checkout with its board files, shipped recipes and MicroPython firmware as package data.

No network: the wheel is built with this venv's own setuptools (pip --no-build-isolation), and the
fresh venv sees this venv's installed dependencies through a .pth file, never the checkout's tendril.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import ROOT

# Not part of a source tree: the venv, build outputs, caches, the Node.js MicroPython's packages.
JUNK = shutil.ignore_patterns(".git", ".venv", "build", "dist", "__pycache__", "*.egg-info",
                              ".pytest_cache", ".hypothesis", "node_modules")
HANG = 300  # seconds: only guards against a hang, never a measure of speed


def _run(argv: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=HANG, check=False)


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, f"{done.args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _setuptools_reads_pyproject() -> None:
    version = importlib.metadata.version("setuptools")
    if int(version.split(".")[0]) < 77:
        pytest.fail(f"setuptools {version} cannot read pyproject.toml (license = \"MIT\" needs 77): "
                    "run make setup (the dev extra brings setuptools>=77)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh venv with tendril installed from a wheel of this checkout; its paths and environment."""
    _setuptools_reads_pyproject()
    tmp = tmp_path_factory.mktemp("package")
    src, dist, env_dir, home = tmp / "src", tmp / "dist", tmp / "venv", tmp / "home"
    # Build from a copy: an in-tree build leaves build/ and egg-info behind, and a stale build/
    # could slip files into the wheel that the tree no longer has. Symlinks stay symlinks.
    shutil.copytree(ROOT, src, symlinks=True, ignore=JUNK)
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
              "-q", "-w", dist, src], cwd=tmp))
    wheel, = dist.glob("tendril-*.whl")

    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(_ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                            cwd=tmp)).strip())
    # This venv's installed packages (click, textual, pip...), appended after the fresh venv's own
    # site-packages. Only site folders: the checkout's host/ (PYTHONPATH, or an editable install's
    # finder, which a path in a .pth file does not run) stays out. The venv may sit inside the
    # checkout (make setup puts it there): only the source folder is kept off.
    deps = [p for p in dict.fromkeys(site.getsitepackages() + [site.getusersitepackages()])
            if Path(p).is_dir() and not Path(p).resolve().is_relative_to(ROOT / "host")]
    (purelib / "tendril-test-deps.pth").write_text("".join(f"{p}\n" for p in deps))

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "TENDRIL_BOARDS")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"))
    _ok(_run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel], cwd=tmp, env=env))
    work = tmp / "elsewhere"
    work.mkdir()
    return {"venv": env_dir, "python": python, "tendril": env_dir / "bin" / "tendril", "env": env,
            "cwd": work}


def _tendril(installed: dict, *args) -> subprocess.CompletedProcess:
    return _run([installed["tendril"], *args], cwd=installed["cwd"], env=installed["env"])


def _show(installed: dict, expr: str) -> str:
    code = f"import tendril, tendril.resources; print({expr})"
    return _ok(_run([installed["python"], "-c", code], cwd=installed["cwd"], env=installed["env"])).strip()


def _where(installed: dict, expr: str) -> Path:
    return Path(_show(installed, expr)).resolve()


def test_the_installed_package_is_the_one_in_the_venv(installed):
    where = _where(installed, "tendril.__file__")
    assert where.is_relative_to(installed["venv"].resolve())
    assert not where.is_relative_to(ROOT)
    # Its data are copies in the venv, not the checkout's files behind the symlinks.
    assert _where(installed, "tendril.resources.boards()").is_relative_to(installed["venv"].resolve())
    assert _show(installed, "tendril.resources.checkout()") == "None"


def test_installed_tendril_lists_the_shipped_boards(installed):
    out = _ok(_tendril(installed, "boards"))
    for board in ("uno", "nano", "mega2560", "pico", "esp32-devkit"):
        assert board in out


def test_installed_tendril_validates_a_shipped_recipe(installed):
    recipe = _where(installed, "tendril.resources.recipes() / 'plant-waterer.toml'")
    assert recipe.is_relative_to(installed["venv"].resolve())
    out = _ok(_tendril(installed, "recipe", "validate", recipe))
    assert "ok for uno" in out and "pico" in out


def test_installed_tendril_runs_the_demo_on_the_micropython_firmware(installed):
    out = _ok(_tendril(installed, "demo", "--headless", "--runtime", "python", "--duration", "5"))
    assert "the board runs plant-waterer" in out
    assert "summary:" in out


def test_the_installed_package_carries_the_simulated_worlds_c_model(installed):
    """setup.py built firmware/sim/sim_scenario.c into the wheel: the MicroPython board's world is
    the same C as the other simulated boards', with no checkout and no compiler at run time."""
    code = ("from tendril.sim.scenario import Scenario, _library_path; w = Scenario('pico'); "
            "w.line('adc GP26 0:100 10s:900'); print(_library_path()); print(w.read(26, 5000))")
    lib, reading = _ok(_run([installed["python"], "-c", code], cwd=installed["cwd"],
                            env=installed["env"])).split()
    assert Path(lib).resolve().is_relative_to(installed["venv"].resolve()) and Path(lib).name.startswith("_world")
    assert reading == str(500 << 6)  # 10-bit counts of the reference, on a 16-bit ADC


def test_installed_tendril_says_in_one_line_what_needs_a_checkout(installed):
    for args in (["sim", "--board", "uno"], ["sim", "--board", "uno", "--runtime", "native"],
                 ["flash", "--board", "uno", "--port", "/dev/null"]):
        done = _tendril(installed, *args)
        assert done.returncode != 0
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "needs a tendril checkout" in lines[0], done.stderr


def test_installed_tendril_doctor_says_it_has_no_firmware_sources(installed):
    import json

    checks = {c["name"]: c for c in json.loads(_tendril(installed, "doctor", "--json").stdout)["checks"]}
    assert checks["checkout"]["ok"] is False and checks["checkout"]["status"] == "missing"
    assert checks["simulated world"]["ok"]  # built into the wheel
    assert "make demo" in checks["checkout"]["fix"]
