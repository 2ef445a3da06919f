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
    from pipeproof.checks.profiles import PROFILES
    from pipeproof.checks.runner import run_checks

    return run_checks(None, PROFILES["quick"], workers=2)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The attack suite's kill ratio and each mutation's time, when mutations ran."""
    results = getattr(config, "attack_results", None)
    if not results:
        return
    kills = sum(killed for killed, _ in results.values())
    terminalreporter.section("attack suite")
    for name, (killed, seconds) in results.items():
        verdict = "killed  " if killed else "SURVIVED"
        terminalreporter.write_line(f"{verdict} {seconds:5.1f}s  {name}")
    terminalreporter.write_line(f"kill ratio: {kills}/{len(results)} "
                                f"({100 * kills / len(results):.0f}%)")
