"""serve's bounded MQTT out-queue (serve/outqueue.py): pure, no broker."""

import threading

from tendril.serve.outqueue import OutQueue


def drain(q: OutQueue) -> list:
    out = []
    while (item := q.take()) is not None:
        out.append(item)
    return out


def test_everything_in_order_with_a_state_kept_at_its_place_and_only_its_newest():
    q = OutQueue(limit=100)
    q.put("t/b1/frames", b"r1")
    q.put("t/b1/state", '{"n": 1}', retain=True, latest=True)
    q.put("t/b1/frames", b"r2")
    q.put("t/b1/state", '{"n": 2}', retain=True, latest=True)
    q.put("t/b2/state", '{"m": 1}', retain=True, latest=True)
    q.put("t/b1/state", '{"n": 3}', retain=True, latest=True)
    assert drain(q) == [("t/b1/frames", b"r1", False, 1), ("t/b1/state", '{"n": 3}', True, 1),
                        ("t/b1/frames", b"r2", False, 1), ("t/b2/state", '{"m": 1}', True, 1)]
    q.put("t/b1/state", '{"n": 4}', retain=True, latest=True)  # once taken, it queues again
    assert drain(q) == [("t/b1/state", '{"n": 4}', True, 1)]
    assert q.dropped == 0 and q.episode() is None


def test_a_full_queue_drops_new_records_counts_them_and_says_so_once_an_episode():
    q = OutQueue(limit=10)
    assert all(q.put("t/b/frames", bytes([i])) for i in range(10))
    assert not q.put("t/b/frames", b"late") and not q.put("t/b/events", "{}")
    assert q.put("t/b/state", "{}", retain=True, latest=True)  # a state is never dropped
    assert q.dropped == 2
    said = q.episode()
    assert "fell behind" in said and "log database keeps every sample" in said
    assert q.episode() is None  # said once
    assert [q.take()[1] for _ in range(3)] == [bytes([0]), bytes([1]), bytes([2])]
    assert q.episode() is None  # 8 still wait: not half empty yet
    q.take(), q.take(), q.take(), q.take()  # 4 left: under half the limit
    assert q.episode() == "MQTT publishing caught up; 2 messages were dropped meanwhile"
    assert q.episode() is None
    assert q.put("t/b/frames", b"again")  # room again
    assert q.dropped == 2


def test_many_threads_lose_nothing_below_the_limit():
    q = OutQueue(limit=1_000_000)
    def board(n):
        for i in range(2000):
            q.put(f"t/{n}/frames", i.to_bytes(2, "big"))
            q.put(f"t/{n}/state", str(i), retain=True, latest=True)
    threads = [threading.Thread(target=board, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    got = []
    while any(t.is_alive() for t in threads) or len(q):
        item = q.take()
        if item is not None:
            got.append(item)
    for t in threads:
        t.join()
    got += drain(q)
    for n in range(8):
        records = [int.from_bytes(p, "big") for t, p, *_ in got if t == f"t/{n}/frames"]
        assert records == list(range(2000))
        states = [p for t, p, *_ in got if t == f"t/{n}/state"]
        assert states[-1] == "1999" and states == sorted(states, key=int)
