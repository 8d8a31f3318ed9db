"""The lead import benchmark runs end to end (on a small list; the full run is `python -m bench.lead_import`)."""

import pytest

from bench import lead_import

pytestmark = pytest.mark.slow


def test_the_benchmark_runs_and_checks_its_goal(capsys):
    assert lead_import.main(["--rows", "300"]) == 0
    output = capsys.readouterr().out
    assert "285 created, 15 merged, 0 skipped, 0 errors" in output and "Goals met." in output
