#!/usr/bin/env bash
# Everything `make test` and `make demo` need on a fresh Debian/Ubuntu machine:
# Debian packages (installed directly as root, otherwise the exact command is printed), then
# .venv with tendril and its dev dependencies. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBS=(gcc make clang libfuzzer-14-dev gcc-avr avr-libc python3-venv arduino-core-avr avrdude simavr libsimavr-dev libelf-dev tmux mosquitto mosquitto-clients iproute2)

missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js runs real MicroPython (WebAssembly) for the MicroPython tests. Any node with npm will do,
# e.g. one from NodeSource, whose nodejs bundles npm and conflicts with Debian's npm package.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "tendril setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  else
    echo "tendril setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "Install them, then run make again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "tendril setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
touch .venv/.installed
echo "tendril setup: ready ($(.venv/bin/tendril --version))"
