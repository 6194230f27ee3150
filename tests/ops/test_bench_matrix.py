"""make bench's arithmetic: which run a row shows, its ranges, and PostgreSQL against SQLite."""
from __future__ import annotations

from bench.run_matrix import median_run, postgresql_against_sqlite


def _run(t: float, ratio: float, rounds: list[float], ratios: list[float | None], errors: int = 0, **extra) -> dict:
    return {"clients": 500, "db": "sqlite", "processes": 1, "t_final_s": t, "ratio": ratio,
            "t_final_rounds": rounds, "ratio_rounds": ratios, "errors": errors, **extra}


def test_a_row_is_the_median_run_with_ranges_over_every_round_and_every_error():
    runs = [_run(0.9, 1.4, [0.8, 0.9, 1.1], [1.3, 1.4, None], errors=1), _run(0.5, 1.1, [0.5, 0.45], [1.0, 1.2]),
            _run(0.7, 1.2, [0.7, 0.66], [1.2, 1.25])]
    row = median_run(runs)
    assert (row["t_final_s"], row["ratio"]) == (0.7, 1.2)
    assert row["t_final_range"] == "0.45–1.1"
    assert row["ratio_range"] == "1.0–1.4"  # a round without a ratio does not count
    assert row["errors"] == 1


def test_postgresql_is_compared_with_sqlite_of_the_same_size_raw_and_each_against_its_floor():
    rows = [_run(0.4, 1.25, [], []), _run(0.6, 1.5, [], [], db="postgresql"),
            _run(1.0, 1.2, [], [], clients=1000, db="postgresql"),  # no SQLite row of that size
            _run(0.5, 1.0, [], [], db="postgresql", processes=2)]   # two processes: not this comparison
    lines = postgresql_against_sqlite(rows)
    assert lines[2:] == ["| 500 | 0.6 | 0.4 | 1.50 | 1.20 |"]
