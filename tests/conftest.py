"""Shared test settings: Hypothesis profiles sized for a 2-core CI machine."""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "pipeproof", max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("pipeproof")


@pytest.fixture(scope="session")
def quick_reports():
    """One fresh run of the whole catalogue on the quick profile, shared by the tests that
    compare statuses with a run."""
    from checks.profiles import PROFILES
    from checks.runner import run_checks

    return run_checks(None, PROFILES["quick"], workers=2)
