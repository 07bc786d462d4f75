import random

import pytest

from tendril.plotting.buckets import bucket_series


def week_of_points(n=600_000, seed=7):
    rng = random.Random(seed)
    return [(float(t), 40.0 + rng.gauss(0, 3)) for t in range(n)]


def test_a_week_of_samples_becomes_at_most_one_bucket_per_column():
    points = week_of_points()
    buckets = bucket_series(iter(points), 0.0, float(len(points) - 1), 800)
    assert len(buckets) <= 800
    assert sum(b.count for b in buckets) == len(points)


def test_min_and_max_of_every_spike_survive_bucketing():
    points = week_of_points(50_000)
    points[12_345] = (12_345.0, 999.0)
    points[40_000] = (40_000.0, -999.0)
    buckets = bucket_series(points, 0.0, 49_999.0, 300)
    assert max(b.hi for b in buckets) == 999.0
    assert min(b.lo for b in buckets) == -999.0
    assert max(b.hi for b in buckets) == max(v for _, v in points)
    assert min(b.lo for b in buckets) == min(v for _, v in points)


def test_each_bucket_holds_the_exact_min_max_and_mean_of_its_points():
    points = [(0.0, 1.0), (1.0, 5.0), (2.0, 3.0), (10.0, 7.0), (10.5, 9.0)]
    buckets = bucket_series(points, 0.0, 12.0, 4)  # columns of 3 s
    assert [(b.start, b.count, b.lo, b.hi, b.mean) for b in buckets] == [
        (0.0, 3, 1.0, 5.0, 3.0),
        (9.0, 2, 7.0, 9.0, 8.0),
    ]


def test_points_outside_the_window_are_ignored_and_the_end_is_inside():
    points = [(-1.0, 100.0), (0.0, 1.0), (10.0, 2.0), (10.1, 100.0)]
    buckets = bucket_series(points, 0.0, 10.0, 5)
    assert sum(b.count for b in buckets) == 2
    assert buckets[-1].start == 8.0 and buckets[-1].hi == 2.0


def test_empty_series_gives_no_buckets_and_a_bad_window_is_refused():
    assert bucket_series([], 0.0, 1.0, 10) == []
    with pytest.raises(ValueError):
        bucket_series([], 1.0, 1.0, 10)
    with pytest.raises(ValueError):
        bucket_series([], 0.0, 1.0, 0)
