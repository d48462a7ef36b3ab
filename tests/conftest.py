"""Markers of the course's tests (registered here, so `pytest --strict-markers` knows them)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: end-to-end in JupyterLab and Chromium (needs playwright and /usr/bin/chromium); "
                   "select with -m browser, leave out with -m 'not browser'")
