"""Hypothesis settings shared by the fuzz tests of the API and of the live channel."""
from __future__ import annotations

import hypothesis


def fuzz_settings(max_examples: int) -> hypothesis.settings:
    """Reproducible generation on a live database: same cases on every run and in CI, no shrinking
    (the database changes between cases, so a replay would not reach the same state), every health
    check off (function-scoped fixtures and slow cases are the point here)."""
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
