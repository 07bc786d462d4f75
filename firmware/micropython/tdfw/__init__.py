"""tendril's MicroPython firmware (RP2040, ESP32) and its portable core.

Portable modules, the same files on MicroPython and CPython: const, boardtab, crc, frame, msg,
image, engine. Hardware and storage sit behind hal and store; app ties them together.
"""
