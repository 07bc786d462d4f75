"""A tiny logger for the kill -9 test: logs telemetry without pause and prints, after each commit,
the highest sequence number it has committed. Run: python logger_child.py DB"""

import sys
import time

from tendril.protocol import Hello, Telemetry
from tendril.store import Store


def main(path: str) -> None:
    store = Store.open(path)
    sid = store.begin_session(Hello(protocol_version=1, board_class=1, fw_major=1, fw_minor=0,
                                    fw_patch=0, reset_cause=1, flags=0, device_id=1, boot_count=1,
                                    capabilities=0, config_generation=0, recipe_hash=bytes(8),
                                    max_payload=64, max_image=512))
    seq = 0
    while True:
        for _ in range(200):
            seq += 1
            store.add_telemetry(sid, Telemetry(seq, 0, 0, (seq, -seq, seq * 3)), time.time(),
                                seq & 0xFFFF)
        if store.flush_due():
            print(seq, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
