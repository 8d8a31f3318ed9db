"""The tax import benchmark runs end to end (on a small workbook; the full run is `python -m bench.tax_import`)."""

import pytest

from bench import tax_import

pytestmark = pytest.mark.slow


def test_the_benchmark_runs_and_checks_its_goals(capsys):
    assert tax_import.main(["--rows", "3000", "--projects", "10"]) == 0
    output = capsys.readouterr().out
    assert "3,000 records written" in output and "Peak memory" in output and "0 changes" in output
