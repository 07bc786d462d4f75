import numpy as np
import pytest

from tendril.plotting.buckets import (
    broken,
    bucket_series,
    gaps_after,
    typical_step,
)


def reference(times, values, since, until, columns):
    """The definition, point by point: (column, count, lo, hi, mean, first, last) per non-empty column."""
    width = (until - since) / columns
    out: dict[int, list] = {}
    for t, v in zip(times.tolist(), values.tolist()):
        if t < since or t > until:
            continue
        i = min(int((t - since) / width), columns - 1)
        b = out.setdefault(i, [i, 0, v, v, 0.0, t, t])
        b[1] += 1
        b[2], b[3] = min(b[2], v), max(b[3], v)
        b[4] += v
        b[6] = t
    return [(i, n, lo, hi, total / n, first, last) for i, n, lo, hi, total, first, last
            in (out[k] for k in sorted(out))]


def as_rows(b):
    return list(zip(b.column.tolist(), b.count.tolist(), b.lo.tolist(), b.hi.tolist(),
                    b.mean.tolist(), b.first.tolist(), b.last.tolist()))


@pytest.mark.parametrize("seed", range(8))
def test_buckets_equal_the_point_by_point_definition_on_random_series_with_gaps(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    steps = rng.exponential(1.0, n)
    steps[rng.random(n) < 0.01] += rng.uniform(50, 500)  # pauses: some columns stay empty
    times = np.cumsum(steps) + rng.uniform(-100, 100)
    values = rng.normal(40, 5, n).round(3)
    since = float(times[0] + rng.uniform(-20, 20))
    until = float(times[-1] + rng.uniform(-20, 20))
    columns = int(rng.integers(1, 400))
    got = bucket_series(times, values, since, until, columns)
    want = reference(times, values, since, until, columns)
    rows = as_rows(got)
    assert [r[:4] + r[5:] for r in rows] == [r[:4] + r[5:] for r in want]  # exact
    assert [r[4] for r in rows] == pytest.approx([r[4] for r in want], rel=1e-12)
    assert got.start.tolist() == pytest.approx([since + i * (until - since) / columns
                                                for i in got.column.tolist()])
    assert len(set(got.column.tolist())) < columns or n >= columns


def test_a_week_at_1_hz_becomes_one_bucket_per_column_and_keeps_every_spike():
    rng = np.random.default_rng(7)
    times = np.arange(604_800, dtype=np.float64)
    values = rng.normal(40, 3, len(times))
    values[12_345], values[400_000] = 999.0, -999.0
    b = bucket_series(times, values, 0.0, times[-1], 1300)
    assert len(b) == 1300 and int(b.count.sum()) == len(times)
    assert b.hi.max() == 999.0 and b.lo.min() == -999.0
    assert b.mean.sum() == pytest.approx(sum(values[b.first.astype(int)[i]:b.last.astype(int)[i] + 1].mean()
                                             for i in range(len(b))))


def test_each_bucket_holds_the_exact_min_max_and_mean_of_its_points():
    times = np.array([0.0, 1.0, 2.0, 10.0, 10.5])
    values = np.array([1.0, 5.0, 3.0, 7.0, 9.0])
    b = bucket_series(times, values, 0.0, 12.0, 4)  # columns of 3 s
    assert as_rows(b) == [(0, 3, 1.0, 5.0, 3.0, 0.0, 2.0), (3, 2, 7.0, 9.0, 8.0, 10.0, 10.5)]
    assert b.start.tolist() == [0.0, 9.0]


def test_points_outside_the_window_are_ignored_and_the_end_is_inside():
    b = bucket_series(np.array([-1.0, 0.0, 10.0, 10.1]), np.array([100.0, 1.0, 2.0, 100.0]),
                      0.0, 10.0, 5)
    assert int(b.count.sum()) == 2
    assert b.start[-1] == 8.0 and b.hi[-1] == 2.0


def test_empty_series_gives_no_buckets_and_a_bad_window_is_refused():
    assert len(bucket_series(np.zeros(0), np.zeros(0), 0.0, 1.0, 10)) == 0
    with pytest.raises(ValueError):
        bucket_series(np.zeros(0), np.zeros(0), 1.0, 1.0, 10)
    with pytest.raises(ValueError):
        bucket_series(np.zeros(0), np.zeros(0), 0.0, 1.0, 0)


def test_a_pause_longer_than_a_few_sampling_intervals_breaks_the_line():
    times = np.array([0.0, 1.0, 2.0, 3.0, 100.0, 101.0, 102.0])
    assert typical_step(times) == 1.0
    gaps = gaps_after(times, times, 5 * typical_step(times))
    assert gaps.tolist() == [3]
    xs, ys = broken(times, times * 2, gaps)
    assert len(xs) == len(times) + 1 and np.isnan(ys[4]) and 3.0 < xs[4] < 100.0
    assert np.nan_to_num(ys).tolist() == [0, 2, 4, 6, 0, 200, 202, 204]


def test_gaps_between_buckets_come_from_their_first_and_last_points():
    times = np.r_[np.arange(0.0, 100.0), np.arange(400.0, 500.0)]  # 1 Hz, a 300 s pause
    b = bucket_series(times, times, 0.0, 499.0, 50)
    assert gaps_after(b.first, b.last, 5.0).tolist() == [9]  # column 9 ends at 99 s, the next starts at 400 s
    assert gaps_after(b.first, b.last, 400.0).tolist() == []


@pytest.mark.parametrize("seed", range(6))
def test_the_reducer_fed_blocks_in_any_order_equals_bucketing_the_whole_series(seed):
    from tendril.plotting.buckets import ColumnReducer

    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 5000))
    steps = rng.exponential(1.0, n)
    steps[rng.random(n) < 0.01] += rng.uniform(50, 500)
    times = np.cumsum(steps)
    values = rng.normal(40, 5, n)
    since, until = float(times[0] - 3), float(times[-1] + rng.uniform(-30, 3))
    columns = int(rng.integers(1, 500))
    cuts = np.sort(rng.integers(0, n, int(rng.integers(0, 12))))
    blocks = list(zip(np.split(times, cuts), np.split(values, cuts)))
    rng.shuffle(blocks)
    r = ColumnReducer(since, until, columns)
    for t, v in blocks:
        r.add(t, v)
    got, want = r.buckets(), bucket_series(times, values, since, until, columns)
    for name in ("column", "start", "count", "lo", "hi", "first", "last"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    assert got.mean == pytest.approx(want.mean, rel=1e-12)
    inside = (times >= since) & (times <= until)
    kept = r.kept()
    if inside.sum() <= columns:
        assert kept[0].tolist() == times[inside].tolist() and kept[1].tolist() == values[inside].tolist()
    else:
        assert kept is None
