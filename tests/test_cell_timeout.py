"""The notebook tests' time limit per cell (set in conftest.py): a stalled kernel fails within minutes in
quick mode instead of hanging CI for nbval's default of 2000 s; full mode leaves room for notebook 03's training."""
from conftest import CELL_TIMEOUT_S, NBVAL_DEFAULT_CELL_TIMEOUT, _quick_mode


def test_notebook_cells_get_the_time_limit_of_the_mode(pytestconfig):
    given = any(str(arg).startswith("--nbval-cell-timeout") for arg in pytestconfig.invocation_params.args)
    if not given:  # a limit given on the command line wins
        assert int(pytestconfig.option.nbval_cell_timeout) == CELL_TIMEOUT_S["quick" if _quick_mode() else "full"]
        assert CELL_TIMEOUT_S["quick"] < NBVAL_DEFAULT_CELL_TIMEOUT
    assert CELL_TIMEOUT_S["quick"] <= 300 < CELL_TIMEOUT_S["full"]
