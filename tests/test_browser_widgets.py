"""The explorers of notebooks 04, 07, 08 and 09 in a real JupyterLab, driven in a real Chromium; the drawing pad
of notebooks 04 and 05 in JupyterLab and in Jupyter Notebook 7, drawn on with the mouse.

The widget unit tests call the callbacks without a kernel; this test shows what a learner sees: JupyterLab
(started headless on a free port, the kernel in quick mode) runs every cell of a notebook made of the
course notebook's own widget cells (below), the explorer renders, and moving a slider, typing an index or picking from a dropdown the way a user
does (keyboard on the focused control) redraws the figure: the PNG in the explorer's output area changes.
No error output may appear anywhere in the notebook, nor any Python traceback on the kernel's stderr.

Needs Playwright for Python and Debian's Chromium (``/usr/bin/chromium``; another one via COURSE_CHROMIUM).
Without them the test skips (with the reason in the warnings summary); with COURSE_REQUIRE_ALL_TESTS=1,
as CI sets it, it fails instead. Select it with ``pytest -m browser``, leave it out with ``-m "not browser"``.
Screenshots of each explorer before and after every change go to test_artifacts/browser/.

Each widget runs in a small notebook (EXCERPTS, made in a temporary folder): a setup cell written here with what
the course notebook computes before the widget, then the notebook's own widget cells, copied from it. nbval
runs the whole notebooks; here only the widgets cost CI time. 04's explorer and pad share one notebook (one
kernel, one Run All); the pad alone runs in Notebook 7 (the same server serves both front ends).
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from optional_extras import skip_or_fail

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test_artifacts" / "browser"
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
# root needs --no-sandbox; the rest keeps Chromium from calling home over a closed network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SERVER_START_S = 60        # until /api/status answers
RUN_ALL_S = 240            # one notebook, all cells, quick mode (measured: 10-20 s each)
# The explorers run in small notebooks made by excerpt_notebook(): a setup cell written here (what the notebook
# computes before the widget, in quick mode) and the widget cells copied from the course notebook (found by
# their markers, so the test runs the notebook's own widget code) — not all of the notebook, which nbval runs.
# name: (course notebook, markers of the copied cells, setup)
EXCERPTS = {
    # 04's activation explorer and its drawing pad, both in JupyterLab; the pad cell alone for Notebook 7
    "04_explorers": ("04_activation_visualization", ["activation_explorer(", "= drawing_explorer("],
                     "%matplotlib inline\n"
                     "import numpy as np\n"
                     "from helpers import activation_explorer, load_mnist, load_reference_model\n"
                     "from helpers.activations.pad_explorers import drawing_explorer\n"
                     "model = load_reference_model()\n"
                     "(x_train, y_train), (x_test, y_test) = load_mnist()\n"
                     "DIGIT = int(np.flatnonzero(y_test == 4)[0])   # 04's digit: the first test 4"),
    "04_drawing_pad": ("04_activation_visualization", ["= drawing_explorer("],
                       "from helpers import load_reference_model\n"
                       "from helpers.activations.pad_explorers import drawing_explorer\n"
                       "model = load_reference_model()"),
    # 07's map explorer, without the galleries 07 computes before it (a minute of Run All in quick mode)
    "07_map_explorer": ("07_map_gallery", ["= oip_explorer("],
                        "%matplotlib inline\n"
                        "from helpers import load_reference_model, oip_explorer\n"
                        "from helpers.gallery.examples import dataset_examples\n"
                        "model = load_reference_model()\n"
                        "STEPS = 150          # 07's quick mode\n"
                        "SERIES_MAP = 5       # 07's map in quick mode; it and map 4 respond to the explorer's start\n"
                        "examples = dataset_examples(model)   # the strongest test digits of every map, as 07"),
    # 08's dream explorer, without 08's carvings before it
    "08_dream_explorer": ("08_dream_carving", ["= dream_explorer("],
                          "%matplotlib inline\n"
                          "from helpers import DreamCarver, dream_explorer, load_photo\n"
                          "carver = DreamCarver()\n"
                          "photo = load_photo('default', size=280)   # 08's quick mode\n"
                          "ITERATIONS, STEPS = 3, 30                 # 08's quick mode\n"
                          "FULL_MAP, SUB_MAP = 70, 105               # 08's preferred maps (both respond to the photo)"),
    "09_attribution_explorer": ("09_which_pixels_decide", ["attribution_explorer("],
                                "import numpy as np\n"
                                "from helpers import load_mnist, load_reference_model\n"
                                "model = load_reference_model()\n"
                                "(_, _), (x_test, y_test) = load_mnist()\n"
                                "x_test, y_test = (x_test[:30] / 255).astype(np.float32), y_test[:30]  "
                                "# raw pixels 0..1, as 09"),
}
EXPLORERS_04, PAD_NOTEBOOK, OIP_NOTEBOOK, DREAM_NOTEBOOK, ATTRIBUTION_NOTEBOOK = EXCERPTS
REDRAW_S = 90              # one widget change until its new figure is shown and the kernel is idle again

# JupyterLab settings for the run: every cell stays in the DOM (no virtual scrolling), no news/update toasts
# over the page, no extension manager asking PyPI.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"checkForUpdates": False,
                                                                        "fetchNews": "false"},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}

# A Python exception as IPython or the traceback module prints it. TensorFlow's C++ log lines (I0000 …,
# W0000 …, E0000 …) and Python warnings ("file.py:12: UserWarning: …") on stderr are not errors of the
# notebook and pass; they are printed with the test's output.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w+(Error|Exception|Interrupt|Exit): ", re.MULTILINE)


# -- prerequisites: skip for a learner, fail in CI ------------------------------------------------------------
def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright; no `playwright install` needed)"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set COURSE_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def prerequisites():
    reason = _missing()
    if reason is not None:
        skip_or_fail(f"browser test: {reason}")


# -- JupyterLab: own process group, own config/runtime/settings dirs, a copy of the notebooks --------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """All processes below pid (Linux /proc; elsewhere none). Kernels run in sessions of their own
    (jupyter_client starts them with start_new_session), so killing the server's group misses them."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the server's process group (the server then shuts its kernels down), SIGKILL after
    timeout; then SIGKILL to whatever kernel (with its own group) is still alive."""
    below = _descendants(proc.pid)
    _kill_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid, signal.SIGKILL)
        proc.wait(10)
    for pid in below:
        _kill_group(pid, signal.SIGKILL)  # a kernel leads its own group: this ends its children too
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _server_url(runtime: Path, proc: subprocess.Popen, log: Path) -> str:
    """The URL from the server's own jpserver-<pid>.json (the port it really bound), once /api/status answers."""
    deadline = time.monotonic() + SERVER_START_S
    info = runtime / f"jpserver-{proc.pid}.json"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        if info.is_file():
            try:
                url = json.loads(info.read_text())["url"].rstrip("/")
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as answer:
                    if answer.status == 200:
                        return url
            except (OSError, ValueError, KeyError):
                pass
        time.sleep(0.2)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_S} s:\n{log.read_text()[-3000:]}")


def excerpt_notebook(folder: Path, name: str) -> None:
    """The notebook ``name`` of EXCERPTS: its setup cell, then the cells of the course notebook that hold the
    markers (one cell each), as the notebook has them."""
    import nbformat

    source, markers, setup = EXCERPTS[name]
    nb = nbformat.read(NOTEBOOKS / f"{source}.ipynb", as_version=4)
    cells = [nbformat.v4.new_code_cell(setup)]
    for marker in markers:
        (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
        cells.append(nbformat.v4.new_code_cell(cell.source))
    nb.cells = cells
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture(scope="module")
def lab(prerequisites, tmp_path_factory):
    """A running JupyterLab (and Notebook 7, the same server) over a temporary folder with the EXCERPTS
    notebooks; yields (url, server log path). Stopped by its process id in the finalizer, also when a test
    failed."""
    base = tmp_path_factory.mktemp("lab")
    root, runtime, settings = base / "notebooks", base / "runtime", base / "settings"
    root.mkdir()
    for name in EXCERPTS:   # made in a temporary folder: JupyterLab saves, never into the checkout
        excerpt_notebook(root, name)
    for rel, values in LAB_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(values))
    env = dict(os.environ, CI="true", MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
               JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(runtime),
               IPYTHONDIR=str(base / "ipython"))
    # as a learner's kernel: ipykernel does not forward fd-level output (TensorFlow's C++ log) to the notebook
    # when it sees PYTEST_CURRENT_TEST, and the kernels would inherit it from this process
    env.pop("PYTEST_CURRENT_TEST", None)
    log = base / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={_free_port()}", "--IdentityProvider.token=", "--ServerApp.password=",
             f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={base / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
             "--JupyterNotebookApp.expose_app_in_browser=True",
             "--ServerApp.open_browser=False"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # its own process group, killed as a whole
    try:
        yield _server_url(runtime, proc, log), log
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def browser(prerequisites):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# -- one notebook in one browser page -------------------------------------------------------------------------
# What the page is asked (read-only): the notebook panel, its kernel status as the toolbar shows it, the
# input prompts. JupyterLab exposes its app object with --LabApp.expose_app_in_browser.
# the kernel's state as the notebook toolbar's indicator shows it (JupyterLab); Notebook 7's toolbar has none,
# there the session's kernel status
KERNEL_STATUS_JS = """function kernelStatus(panel) {
    const indicator = panel.node.querySelector('.jp-Notebook-ExecutionIndicator');
    if (indicator) return indicator.dataset.status;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return kernel ? kernel.status : undefined;
}"""
KERNEL_READY_JS = """(path) => {
    if (document.querySelector('.jp-Dialog')) return 'dialog';
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    if (!panel || !panel.context || panel.context.path !== path) return false;
    if (document.querySelectorAll('.jp-NotebookPanel').length !== 1) return 'more than one notebook open';
    return panel.sessionContext.session && kernelStatus(panel) === 'idle' ? 'idle' : false;
}"""
# every kernel message on the way: error messages and stderr text, wherever JupyterLab shows them
# (a cell, an Output widget, or the log console for messages of widget callbacks)
LISTEN_JS = """() => {
    window.__kernelErrors = []; window.__kernelStderr = [];
    window.jupyterapp.shell.currentWidget.sessionContext.iopubMessage.connect((_, msg) => {
        if (msg.header.msg_type === 'error')
            window.__kernelErrors.push(msg.content.ename + ': ' + msg.content.evalue);
        else if (msg.header.msg_type === 'stream' && msg.content.name === 'stderr')
            window.__kernelStderr.push(msg.content.text);
    });
}"""
# all cells ran: the prompts read [1]: … [n]: in order (a fresh kernel counts from 1) and the kernel is idle;
# or stop early at the first error (Run All stops there and the later cells never get a number) or dialog
RUN_ALL_DONE_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    if (window.__kernelErrors.length) return 'error';
    const dialog = document.querySelector('.jp-Dialog');  // e.g. "Kernel Restarting": the kernel died
    if (dialog) return 'dialog: ' + dialog.textContent;
    const prompts = [...panel.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
    const status = kernelStatus(panel);
    return status === 'idle' && prompts.length > 0 && prompts.every((p, i) => p === `[${i + 1}]:`) ? 'done' : false;
}"""
IDLE_JS = """() => kernelStatus(window.jupyterapp.shell.currentWidget) === 'idle'"""
PROMPTS_JS = """() => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                  .map(e => e.textContent.trim())"""
STDERR_SELECTOR = '.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.stderr"]'


class Notebook:
    """A notebook opened in JupyterLab (ui="lab") or Notebook 7 (ui="notebook") in its own browser context;
    run_all() runs all cells as a user does."""

    def __init__(self, browser, url: str, name: str, log: Path, ui: str = "lab"):
        self.name, self.log, self.ui, self._stderr_seen = name, log, ui, 0
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.add_init_script(f"window.kernelStatus = {KERNEL_STATUS_JS};")
        # JupyterLab: a workspace of its own, reset: it would otherwise restore the tabs of the notebooks opened
        # before (each with a kernel of its own), and the current tab might not be this notebook
        self.page.goto(f"{url}/lab/workspaces/{name}/tree/{name}.ipynb?reset" if ui == "lab"
                       else f"{url}/notebooks/{name}.ipynb")
        self._wait_for_kernel()
        self.page.evaluate(LISTEN_JS)

    def _wait_for_kernel(self) -> None:
        deadline = time.monotonic() + SERVER_START_S
        while (state := self.page.wait_for_function(KERNEL_READY_JS, arg=f"{self.name}.ipynb", polling=200,
                                                    timeout=SERVER_START_S * 1000).json_value()) == "dialog":
            self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()  # "Select Kernel": accept
            self.page.locator(".jp-Dialog").wait_for(state="detached")
            assert time.monotonic() < deadline, "a dialog keeps coming back"
        assert state == "idle", f"{self.name}: {state}"

    def run_all(self) -> float:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        start = time.monotonic()
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text=re.compile(r"^Run All Cells")).click()
        try:
            state = self.page.wait_for_function(RUN_ALL_DONE_JS, timeout=RUN_ALL_S * 1000, polling=250).json_value()
        except PlaywrightTimeout:
            state = f"not done within {RUN_ALL_S} s"
        if state not in ("done", "error"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=ARTIFACTS / f"{self.name[:2]}_run_all_failed.png")
            raise AssertionError(f"{self.name}: Run All: {state}; prompts "
                                 f"{self.page.evaluate(PROMPTS_JS)}\n{self.problems()}\n"
                                 f"server log:\n{self.log.read_text()[-3000:]}")
        self.assert_no_errors("Run All")
        return time.monotonic() - start

    def wait_idle(self) -> None:
        self.page.wait_for_function(IDLE_JS, timeout=REDRAW_S * 1000, polling=100)

    def problems(self) -> str:
        shown = self.page.locator(STDERR_SELECTOR).all_text_contents()
        stderr = self.page.evaluate("() => window.__kernelStderr")
        errors = self.page.evaluate("() => window.__kernelErrors")
        tracebacks = [t for t in shown + stderr if TRACEBACK.search(t)]
        return "\n".join([*(f"error output: {e}" for e in errors), *(f"traceback: {t[-2000:]}" for t in tracebacks)])

    def assert_no_errors(self, when: str) -> None:
        """No error output and no traceback on stderr, in the page (cells, Output widgets) or in any kernel
        message; other stderr text (TensorFlow's log lines, Python warnings) is printed, not failed on."""
        found = self.problems()
        stderr = self.page.evaluate("() => window.__kernelStderr")
        for text in stderr[self._stderr_seen:]:
            if not TRACEBACK.search(text):
                print(f"[{self.name}] stderr (not an error): {' | '.join(text.strip().splitlines())[:300]}")
        self._stderr_seen = len(stderr)
        assert not found, f"{self.name}, after {when}:\n{found}"

    def close(self) -> None:
        """Shut the kernel down (frees its memory for the next notebook) and close the browser context; a
        page that broke does not hide the test's own failure (the server's finalizer ends any kernel left)."""
        try:
            self.page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except Exception as exc:  # noqa: BLE001
            print(f"[{self.name}] kernel shutdown from the page failed: {exc}")
        finally:
            self.context.close()


class Explorer:
    """An explorer of a notebook: the code cell whose output holds an ipywidgets Output area and whose source
    holds ``source`` (e.g. "activation_explorer("; None: the notebook's only such cell). Screenshots are named
    ``tag``_<n>_<step>.png (tag: the notebook's number unless given)."""

    def __init__(self, notebook: Notebook, source: str | None = None, tag: str | None = None):
        self.nb, self.page, self.tag = notebook, notebook.page, tag or notebook.name[:2]
        self.cell = self.page.locator(".jp-CodeCell").filter(has=self.page.locator(".widget-output"))
        if source is not None:
            self.cell = self.cell.filter(has=self.page.locator(".jp-InputArea", has_text=source))
        self.cell.wait_for(state="visible")  # widget views render after their output arrived
        self.box = self.cell.locator(".jp-OutputArea-output > .widget-vbox")
        self.images = self.cell.locator(".widget-output img")
        self.figure = self.images.first  # the explorer's figure; 07's map explorer adds the digits strip below it
        self.shots: list[Path] = []
        for old in ARTIFACTS.glob(f"{self.tag}_*.png"):
            old.unlink()  # no stale pictures from an earlier run next to this run's

    def control(self, kind: str, label: str):
        """The widget of CSS class widget-<kind> whose description reads exactly `label`."""
        return self.cell.locator(f".widget-{kind}").filter(
            has=self.page.locator("label.widget-label", has_text=re.compile(rf"^{re.escape(label)}$")))

    def screenshot(self, step: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if self.figure.count():
            self.figure.evaluate("img => img.decode()")  # the new PNG is decoded, so it is what gets painted
        path = ARTIFACTS / f"{self.tag}_{len(self.shots)}_{step}.png"
        self.box.screenshot(path=path, animations="disabled")
        self.shots.append(path)
        return path

    def src(self) -> str:
        self.figure.wait_for(state="visible")
        return self.figure.get_attribute("src")

    def redraws(self, step: str, act) -> None:
        """Do act() as a user; wait until the figure's PNG differs from before and the kernel is idle;
        then a screenshot, and no error anywhere."""
        from playwright.sync_api import expect

        before, start = self.src(), time.monotonic()
        act()
        try:
            expect(self.figure).not_to_have_attribute("src", before, timeout=REDRAW_S * 1000)
        except AssertionError as exc:
            raise AssertionError(f"{self.nb.name}: the figure did not change after '{step}'\n"
                                 f"{self.nb.problems()}") from exc
        self.nb.wait_idle()
        print(f"[{self.nb.name}] {step}: redrawn after {time.monotonic() - start:.1f} s")
        self.screenshot(step)
        self.nb.assert_no_errors(step)

    def move_slider(self, label: str, key: str = "ArrowRight") -> None:
        """Focus the slider's handle and press an arrow key, as with the keyboard; wait for its readout."""
        slider = self.control("slider", label)
        readout = slider.locator(".widget-readout")
        old = readout.inner_text()
        slider.locator(".noUi-handle").press(key)
        self.page.wait_for_function("([el, old]) => el.textContent.trim() !== old",
                                    arg=[readout.element_handle(), old.strip()])


# -- the tests ---------------------------------------------------------------------------------------------
@pytest.fixture
def notebook(request, lab, browser):
    url, log = lab
    nb = Notebook(browser, url, request.param, log)
    try:
        yield nb
    finally:
        nb.close()


def _explorer_after_run_all(notebook: Notebook) -> Explorer:
    print(f"[{notebook.name}] Run All: {notebook.run_all():.1f} s")
    explorer = Explorer(notebook)
    explorer.screenshot("before")
    return explorer


class TestNotebook04InJupyterLab:
    """04's explorer and pad run once (one kernel, one Run All) for both tests; closed after both."""

    @pytest.fixture(scope="class")
    def notebook_04(self, lab, browser):
        url, log = lab
        nb = Notebook(browser, url, EXPLORERS_04, log)
        try:
            print(f"[{nb.name}] Run All: {nb.run_all():.1f} s")
            yield nb
        finally:
            nb.close()

    def test_activation_explorer_redraws(self, notebook_04):
        ex = Explorer(notebook_04, "activation_explorer(")
        ex.screenshot("before")
        index = ex.control("text", "test image:").locator("input")
        start = int(index.input_value())
        ex.redraws("index_up", lambda: index.press("ArrowUp"))  # a number field: the arrow key steps it
        assert int(index.input_value()) == start + 1
        status = ex.cell.locator(".widget-html-content")
        assert f"test image {start + 1}," in status.inner_text()
        layer = ex.control("dropdown", "layer:").locator("select")
        ex.redraws("layer_conv2d_2", lambda: layer.select_option("Conv2D_2"))
        assert "Conv2D_2 output" in status.inner_text()

    def test_drawing_pad_reads_a_drawn_1_and_0(self, notebook_04):
        pad_reads_a_drawn_1_and_0(notebook_04)


@pytest.mark.parametrize("notebook", [OIP_NOTEBOOK], indirect=True)
def test_oip_explorer_redraws(notebook):
    ex = _explorer_after_run_all(notebook)
    status = ex.cell.locator(".widget-html-content")
    map_before = int(ex.control("slider", "map:").locator(".widget-readout").inner_text())
    strip_before = ex.images.nth(1).get_attribute("src")   # the strongest test digits of the map
    # map 5 -> 4: a map that responds to this start, so "derive" grows a pattern (map 6 does not respond)
    ex.redraws("map_left", lambda: ex.move_slider("map:", "ArrowLeft"))
    assert f"map {map_before - 1}:" in status.inner_text()
    assert ex.images.nth(1).get_attribute("src") != strip_before, "the digits strip did not follow the map"
    ex.redraws("factor_3x3_right", lambda: ex.move_slider("factor 3×3:"))
    assert "Press derive" in status.inner_text()
    ex.redraws("derive", lambda: ex.cell.locator("button", has_text="derive").click())
    assert re.search(rf"map {map_before - 1}: \d+ steps", status.inner_text())


@pytest.mark.parametrize("notebook", [DREAM_NOTEBOOK], indirect=True)
def test_dream_explorer_redraws(notebook):
    ex = _explorer_after_run_all(notebook)
    status = ex.cell.locator(".widget-html-content")
    full = int(ex.control("slider", "map (full image):").locator(".widget-readout").inner_text())
    ex.redraws("full_map_right", lambda: ex.move_slider("map (full image):"))
    assert f"map {full + 1} on the full image" in status.inner_text()
    quadrants = ex.control("dropdown", "quadrants:").locator("select")
    ex.redraws("quadrants_1_4", lambda: quadrants.select_option("1,4"))
    assert "on quadrants 1,4" in status.inner_text()


def test_attribution_explorer_of_notebook_09_redraws(lab, browser):
    """09's explorer: the digit slider, a typed index, the method and the class menus each redraw the figure; the
    pad appears for "my drawing" and a 1 drawn with the mouse is explained."""
    from playwright.sync_api import expect

    from helpers.activations.drawing import example_strokes

    url, log = lab
    nb = Notebook(browser, url, ATTRIBUTION_NOTEBOOK, log)
    try:
        print(f"[{nb.name}] Run All: {nb.run_all():.1f} s")
        ex = Explorer(nb, "attribution_explorer(", tag="09")
        ex.screenshot("before")
        status = ex.cell.locator(".widget-html-content")
        canvas = ex.cell.locator("canvas.course-drawing-pad")
        expect(status).to_contain_text("test digit 0 (label")
        expect(canvas).to_be_hidden()                                    # the pad only for "my drawing"
        ex.redraws("digit_right", lambda: ex.move_slider("test digit:"))
        assert "test digit 1 (label" in status.inner_text()
        typed = ex.control("text", "or type:").locator("input")
        ex.redraws("digit_typed_12", lambda: (typed.fill("12"), typed.press("Enter")))
        assert "test digit 12 (label" in status.inner_text()
        assert ex.control("slider", "test digit:").locator(".widget-readout").inner_text().strip() == "12"
        method = ex.control("dropdown", "method:").locator("select")
        ex.redraws("method_grad_cam_conv2d_3", lambda: method.select_option("Grad-CAM Conv2D_3"))
        assert "Grad-CAM Conv2D_3 for class" in status.inner_text()
        target = ex.control("dropdown", "explain class:").locator("select")
        predicted = int(re.search(r"the model says (\d)", status.inner_text()).group(1))
        other = (predicted + 1) % 10
        ex.redraws(f"class_{other}", lambda: target.select_option(str(other)))
        assert f"for class {other}:" in status.inner_text()
        ex.cell.locator(".widget-toggle-button", has_text="my drawing").click()
        expect(status).to_contain_text("Draw a digit on the pad")
        expect(canvas).to_be_visible()
        target.select_option("predicted class")
        draw_with_mouse(canvas, example_strokes(1))
        expect(status).to_contain_text("your drawing: the model says 1", timeout=REDRAW_S * 1000)
        ex.figure.wait_for(state="visible", timeout=REDRAW_S * 1000)
        nb.wait_idle()
        ex.screenshot("drawn_1")
        nb.assert_no_errors("drawing a 1")
    finally:
        nb.close()


# -- the drawing pad: strokes with the mouse, in both front ends ----------------------------------------------
def draw_with_mouse(pad, strokes) -> None:
    """Draw strokes (lists of [x, y] in the pad's own pixels) on the pad's canvas as a user does with the mouse:
    press, move through the points, release; the canvas may be shown scaled, so its box on the page is used."""
    from helpers.activations.drawing import PAD_SIZE

    page = pad.page
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    scale = box["width"] / PAD_SIZE
    for stroke in strokes:
        points = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=2)
        page.mouse.up()


def test_drawing_pad_in_notebook_7_reads_a_drawn_1_and_0(lab, browser):
    url, log = lab
    nb = Notebook(browser, url, PAD_NOTEBOOK, log, ui="notebook")
    try:
        print(f"[{nb.name}] Run All: {nb.run_all():.1f} s")
        pad_reads_a_drawn_1_and_0(nb)
    finally:
        nb.close()


def pad_reads_a_drawn_1_and_0(pad_page: Notebook) -> None:
    """Clear the example 4, draw a vertical stroke (a 1), clear, draw a closed loop (a 0): the status shows the
    model's answer, the figure changes, no error anywhere. Screenshots pad_<ui>_*.png."""
    from playwright.sync_api import expect

    from helpers.activations.drawing import example_strokes

    app = pad_page.page.evaluate("() => window.jupyterapp.name")
    assert app == {"lab": "JupyterLab", "notebook": "Jupyter Notebook"}[pad_page.ui], app
    ex = Explorer(pad_page, "drawing_explorer(", tag=f"pad_{pad_page.ui}")
    ex.screenshot("before")
    status = ex.cell.locator(".widget-html-content")
    canvas = ex.cell.locator("canvas.course-drawing-pad")
    expect(status).to_contain_text("The model says")                   # the example 4 drawn by code
    example = ex.src()
    ex.cell.locator("button", has_text="Clear").click()
    expect(status).to_contain_text("Draw a digit on the pad")
    expect(ex.figure).to_have_count(0)
    shown = {}
    for digit in (1, 0):
        start = time.monotonic()
        draw_with_mouse(canvas, example_strokes(digit))
        expect(status).to_contain_text("The model says", timeout=REDRAW_S * 1000)
        ex.figure.wait_for(state="visible", timeout=REDRAW_S * 1000)
        pad_page.wait_idle()
        print(f"[{pad_page.ui}] drawn {digit}: {status.inner_text()} ({time.monotonic() - start:.1f} s)")
        ex.screenshot(f"drawn_{digit}")
        pad_page.assert_no_errors(f"drawing a {digit}")
        assert re.search(rf"The model says {digit} \(probability", status.inner_text()), status.inner_text()
        shown[digit] = ex.src()
        if digit == 1:
            ex.cell.locator("button", has_text="Clear").click()
            expect(ex.figure).to_have_count(0)
    assert len({example, shown[1], shown[0]}) == 3, "the figure should change with each drawing"
    pad_page.page.screenshot(path=ARTIFACTS / f"pad_{pad_page.ui}_page.png")   # the front end around the pad
