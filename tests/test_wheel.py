"""The package outside the checkout: build the wheel, install it into a fresh venv in a temporary folder,
and from yet another folder load the reference model, run `python -m helpers gallery` and execute a
notebook copied out of the checkout (quick mode).

The fresh venv gets the wheel by a real `pip install` with no index, so pip must find every dependency
the wheel declares already installed: the venv sees this environment's packages through a path file
(TensorFlow is not downloaded again). That path file lists site-packages folders only, so their own
`.pth` hooks, the editable install of the checkout among them, are not run: `helpers` can only come
from the wheel, and the test checks that it does.
"""
from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "04_activation_visualization.ipynb"
PACKAGE_DATA = ("helpers/models/reference_cnn.keras", "helpers/models/reference_cnn.json")


def _run(cmd, cwd, timeout=600, env=None):
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env=env)
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _source_copy(dest: Path) -> Path:
    """The project's files as git sees them (tracked or new, not ignored), so that leftovers of an editable
    install (an egg-info's SOURCES.txt, build/) cannot put files into the wheel that its config leaves out."""
    listed = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the wheel test builds from the git checkout's files")
    source = _source_copy(tmp_path_factory.mktemp("source"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--quiet", "-w", dist], cwd=dist)
    (built,) = dist.glob("mnist_cnn_course-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> dict:
    """A fresh venv outside the repository with the wheel installed (not editable)."""
    home = tmp_path_factory.mktemp("outside")
    env_dir = home / "venv"
    _run([sys.executable, "-m", "venv", env_dir], cwd=home)
    python = env_dir / "bin" / "python"
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=home)
                   .stdout.strip())
    ours = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (purelib / "course_dependencies.pth").write_text("\n".join(ours) + "\n")
    _run([python, "-m", "pip", "install", "--no-index", "--quiet", wheel], cwd=home)
    work = home / "somewhere_else"
    work.mkdir()
    env = {**os.environ, "CI": "true", "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2",
           "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    return {"python": python, "purelib": purelib, "work": work, "env": env}


def _installed_package_files(purelib: Path) -> set[str]:
    return {str(p.relative_to(purelib)) for p in (purelib / "helpers").rglob("*") if "__pycache__" not in p.parts}


def test_wheel_ships_the_reference_model_and_no_checkout_folders(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in PACKAGE_DATA if n not in names]
    assert not missing, f"the wheel lacks package data {missing}; see [tool.setuptools.package-data]"
    stray = sorted({n.split("/")[0] for n in names} - {"helpers"} - {n.split("/")[0] for n in names
                                                                      if ".dist-info" in n})
    assert not stray, f"the wheel holds more than the package: {stray}"


def test_installed_package_loads_the_reference_model_from_anywhere(venv):
    code = ("import helpers, pathlib; from helpers.model import REFERENCE_MODEL_PATH; "
            "import helpers.activations.pad_explorers; "  # the drawing pad: anywidget, a declared dependency
            "m = helpers.load_reference_model(); print(helpers.__file__); print(REFERENCE_MODEL_PATH); "
            "print(m.count_params()); print(helpers.reference_record()['test_accuracy'])")
    lines = _run([venv["python"], "-c", code], cwd=venv["work"], env=venv["env"]).stdout.strip().splitlines()[-4:]
    package_file, model_path, n_params, accuracy = lines
    assert Path(package_file).is_relative_to(venv["purelib"]), f"helpers imported from {package_file}, not the wheel"
    assert Path(model_path).is_relative_to(venv["purelib"]) and Path(model_path).is_file()
    assert int(n_params) == 208_982
    assert 0.99 < float(accuracy) <= 1.0


def test_wheel_declares_the_drawing_pad_library_and_its_front_end_is_local(wheel):
    """The pad (notebooks 04, 05) needs anywidget at run time: the wheel says so, and pip installs anywidget's
    JupyterLab/Notebook 7 extension beside Jupyter, so the browser loads the pad from the machine, not a CDN."""
    from jupyter_core.paths import jupyter_path

    from helpers.activations.pad import DrawingPad

    metadata = zipfile.ZipFile(wheel).read("mnist_cnn_course-0.1.0.dist-info/METADATA").decode()
    assert re.search(r"^Requires-Dist: anywidget", metadata, re.M), "pyproject.toml should list anywidget"
    found = [Path(p) / "anywidget" / "package.json" for p in jupyter_path("labextensions")]
    assert any(f.is_file() for f in found), f"anywidget's front end is in none of {found}"
    assert not re.search(r"(import|from)\s*\(?['\"](https?:)?//", DrawingPad._esm), "the pad imports from the web"


def test_cli_gallery_writes_into_the_working_directory_only(venv):
    before = _installed_package_files(venv["purelib"])
    out = _run([venv["python"], "-m", "helpers", "gallery", "--layer", "Conv2D_1", "--steps", "40",
                "--out", "gallery.png"], cwd=venv["work"], env=venv["env"])
    png = venv["work"] / "gallery.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", out.stderr[-2000:]
    assert "patterns found" in out.stdout + out.stderr
    assert _installed_package_files(venv["purelib"]) == before, "the command wrote into site-packages"


def test_notebook_copied_outside_the_checkout_runs(venv):
    if not os.environ.get("MNIST_NPZ") and not (Path.home() / ".keras" / "datasets" / "mnist.npz").exists():
        pytest.skip("needs MNIST offline: set MNIST_NPZ")
    nb_dir = venv["work"] / "my_notebooks"
    nb_dir.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, nb_dir / NOTEBOOK)
    # one more cell at the end: the kernel must have imported the wheel's helpers, not the checkout's
    script = f"""
import nbformat, sys
from nbclient import NotebookClient
nb = nbformat.read({NOTEBOOK!r}, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import helpers; print('HELPERS_FROM', helpers.__file__)"))
NotebookClient(nb, timeout=600, kernel_name="python3", resources={{"metadata": {{"path": "."}}}}).execute()
print([o.get("text", "") for o in nb.cells[-1].outputs])
"""
    result = _run([venv["python"], "-c", script], cwd=nb_dir, env=venv["env"], timeout=900)
    printed = result.stdout.strip().splitlines()[-1]
    assert "HELPERS_FROM" in printed and str(venv["purelib"]) in printed, printed
    assert sorted(p.name for p in nb_dir.iterdir()) == [NOTEBOOK], "the notebook left files beside itself"
