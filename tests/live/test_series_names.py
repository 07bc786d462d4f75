"""Series (what a chart asks for) and names (which recipe a board runs, events in words)."""

from __future__ import annotations

import pytest
from tendril.boards import load_board
from tendril.contract import EventKind, OffReason, SensorFault, SkipReason
from tendril.live import Bucket, Series, find_recipe
from tendril.words import event_text
from tendril.live.series import FINE_SECONDS
from tendril.protocol import Event
from tendril.recipes import compile_recipe, load, parse
from tendril.store import Store

from ..support.boards import WATERER

T = 1_763_600_000.0


def test_window_gives_min_max_mean_per_column_and_none_where_nothing_fell():
    s = Series()
    for i in range(100):  # 10 s at 10 Hz: values 0..99
        s.add(T + i * 0.1, float(i))
    cols = s.window(20.0, 4, T + 10.0)  # 5 s columns; the first two are before the data
    assert cols[0] is None and cols[1] is None
    assert cols[2].lo == 0 and cols[2].hi == 49 and cols[2].n == 50
    assert cols[3].lo == 50 and cols[3].hi == 99 and cols[3].mean == pytest.approx(74.5)
    assert s.lo == 0 and s.hi == 99 and s.last == 99 and s.count == 100


def test_fine_samples_last_a_minute_and_coarse_seconds_cover_longer_windows():
    s = Series()
    for i in range(300):  # 5 minutes at 1 Hz
        s.add(T + i, float(i % 7))
    assert s.fine[0][0] >= T + 299 - FINE_SECONDS - 1  # older samples trimmed from `fine`
    assert len(s.coarse) == 300  # one bucket a second for the whole span
    hour = s.window(300.0, 5, T + 300)  # beyond the fine minute: built from the coarse buckets
    assert sum(b.n for b in hour if b) == 300
    assert all(b.lo == 0 and b.hi == 6 for b in hour if b)


def test_a_clock_step_back_only_counts_in_the_fine_samples():
    s = Series()
    s.add(T + 10, 1.0)
    s.add(T + 5, 9.0)
    assert len(s.coarse) == 1 and s.coarse[-1][2] == 1.0 and s.count == 2


def test_preload_puts_older_history_in_front_of_live_buckets():
    s = Series()
    s.add(T + 100, 5.0)
    s.preload([Bucket(T + 1, 1.0, 3.0, 2.0, 4), Bucket(T + 2, 0.5, 0.5, 0.5, 1),
               Bucket(T + 100, 9.0, 9.0, 9.0, 1)])  # not older than what is live: ignored
    assert [int(b[0]) for b in s.coarse] == [int(T + 1), int(T + 2), int(T + 100)]
    cols = s.window(200.0, 200, T + 101)
    got = [b for b in cols if b]
    assert got[0].lo == 1.0 and got[0].hi == 3.0 and got[0].mean == 2.0 and got[-1].mean == 5.0


def test_find_recipe_by_hash_from_the_given_list():
    board = load_board("uno")
    recipe = load(WATERER)
    image = compile_recipe(recipe, board)
    other = parse(WATERER.read_text().replace('name = "plant-waterer"', 'name = "other"')
                  .replace('"35 %"', '"36 %"'), "other.toml")
    assert find_recipe(image, board, given=[other, recipe]).meta.name == "plant-waterer"


def test_find_recipe_from_the_text_the_log_database_kept(tmp_path):
    board = load_board("uno")
    text = WATERER.read_text().replace('name = "plant-waterer"', 'name = "my-balcony"')
    image = compile_recipe(parse(text, "x.toml"), board)
    with Store.open(tmp_path / "log.db") as store:
        store.record_config(0xC0FFEE, image, "pushed", recipe_text=text)
        found = find_recipe(image, board, logged=lambda h: store.recipe_text(0xC0FFEE, h))
    assert found.meta.name == "my-balcony"


def test_find_recipe_from_the_shipped_catalog():
    board = load_board("uno")
    image = compile_recipe(load(WATERER), board)
    assert find_recipe(image, board).meta.name == "plant-waterer"


def test_an_unknown_image_is_decompiled_with_generic_names():
    board = load_board("uno")
    text = WATERER.read_text().replace('default = "35 %"', 'default = "37 %"')
    image = compile_recipe(parse(text, "x.toml"), board)
    found = find_recipe(image, board)
    assert found.meta.name != "plant-waterer"  # not in the catalog: named from the image
    assert recipe_hash_of(found, board) == recipe_hash_of_image(image)


def recipe_hash_of(recipe, board):
    from tendril.image import recipe_hash
    return recipe_hash(compile_recipe(recipe, board))


def recipe_hash_of_image(image):
    from tendril.image import recipe_hash
    return recipe_hash(image)


def test_event_text_uses_the_recipe_names_and_falls_back_to_numbers():
    recipe = load(WATERER)
    on = Event(1000, EventKind.ACT_ON, 0, 1, 0xFF, 255)
    off = Event(5000, EventKind.ACT_OFF, 0, OffReason.LEASE_END, 0, 4000)
    assert event_text(on, recipe) == "pump ON (lease)"
    assert event_text(off, recipe) == "pump OFF after 4 s: lease ended"
    assert event_text(off, None) == "actuator 0 OFF after 4 s: lease ended"


def test_a_sensor_event_names_the_channel_and_the_fault_in_words():
    recipe = load(WATERER)
    lost = Event(1000, EventKind.SENSOR, 0, SensorFault.NO_ANSWER, 0, 0)
    back = Event(9000, EventKind.SENSOR, 0, SensorFault.RECOVERED, 0, 35_500)
    stale = Event(1000, EventKind.SENSOR, 1, SensorFault.STALE, 0, 0)
    assert event_text(lost, recipe) == "soil: no answer from the sensor"
    assert event_text(back, recipe) == "soil: reading again"
    assert event_text(stale, None) == "channel 1: no new reading for 3 samples"
    skip = Event(1000, EventKind.RULE_SKIP, 0, SkipReason.NO_READING, 0, 0)
    off = Event(1000, EventKind.ACT_OFF, 0, OffReason.NO_READING, 0, 2000)
    assert event_text(skip, recipe).endswith("skipped: its interlock sensor has no reading")
    assert event_text(off, recipe) == "pump OFF after 2 s: a sensor it needs has no reading"


def test_a_sample_with_no_reading_leaves_a_gap_and_says_so():
    s = Series()
    s.add(T, 5.0)
    s.gap(T + 1)
    assert s.no_reading and s.count == 1 and s.window(10.0, 10, T + 2)[1] is None
    s.add(T + 2, 6.0)
    assert not s.no_reading and s.last == 6.0


def test_finished_seconds_are_untracked_tuples_and_a_preloaded_second_keeps_filling():
    import gc

    from tendril.live import Bucket, Series
    s = Series()
    s.preload([Bucket(99.0, 1.0, 3.0, 2.0, 2)])
    s.add(99.5, 5.0)  # the same second as the last preloaded bucket
    for i in range(30):
        s.add(100 + i * 0.1, float(i))
    gc.collect()
    assert tuple(s.coarse[0]) == (99, 1.0, 5.0, 9.0, 3)
    assert all(type(b) is tuple and not gc.is_tracked(b) for b in list(s.coarse)[:-1])
    assert type(s.coarse[-1]) is list
