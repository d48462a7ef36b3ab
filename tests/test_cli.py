"""The command line `python -m helpers` (never trains here: only help and refusals)."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.cli import main


def run_cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}  # fewer TensorFlow start-up lines on stderr
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, timeout=300,
                          env=env)


CLI_DIR = Path(__file__).resolve().parents[1] / "helpers" / "cli"


def test_a_command_module_imported_first_works():
    """CliError lives in helpers.cli.errors, so a command module imported before the package's
    __init__ has finished (here: first thing in a fresh interpreter) still finds it."""
    code = ("import helpers.cli.oip, helpers.cli, helpers.cli.errors; "
            "assert helpers.cli.errors.CliError is helpers.cli.CliError is helpers.cli.oip.CliError")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", sorted(p.name for p in CLI_DIR.glob("*.py") if p.name != "__init__.py"))
def test_no_command_module_imports_from_the_package_init(module):
    """`from . import X` in a module of helpers.cli reads helpers/cli/__init__.py, which imports the
    command modules: an import cycle that works only by the order of the lines in __init__."""
    tree = ast.parse((CLI_DIR / module).read_text(encoding="utf-8"))
    from_init = [node.lineno for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None]
    assert not from_init, f"{module} imports from helpers.cli's __init__ (lines {from_init}); import from the submodule"


def test_train_reference_help():
    result = run_cli("train-reference", "--help")
    assert result.returncode == 0, result.stderr
    assert "--out" in result.stdout and "--overwrite" in result.stdout and "--epochs" in result.stdout


def test_existing_model_is_not_overwritten(tmp_path):
    out = tmp_path / "reference_cnn.keras"
    out.write_bytes(b"an existing model")
    result = run_cli("train-reference", "--out", str(out))
    assert result.returncode != 0
    # TensorFlow may log start-up lines of its own; ours is exactly one line, and no traceback
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "exists" in errors[0] and "--overwrite" in errors[0]
    assert out.read_bytes() == b"an existing model"


def test_existing_record_alone_also_blocks(tmp_path, capsys):
    (tmp_path / "m.json").write_text("{}")
    assert main(["train-reference", "--out", str(tmp_path / "m.keras")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "m.json exists" in err
    assert not (tmp_path / "m.keras").exists()


@pytest.mark.parametrize("args, message", [(["--out", "model.h5"], "`.keras`"), (["--epochs", "0"], "at least 1")])
def test_bad_arguments_fail_fast_with_one_line(args, message, capsys):
    assert main(["train-reference", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_ctrl_c_prints_one_line_exits_130_and_leaves_no_file(tmp_path):
    """Ctrl-C while `oip` derives: "interrupted", exit status 130, no traceback, no (partial) PNG. 100,000
    steps without early stopping take over a minute, so the signal surely comes while it works (the gallery
    stops converged maps early and was once done before the signal arrived). The compiled loop returns at its
    next log-spaced snapshot, so the exit waits for that: with a million steps the wait was 8 s, now ~2 s."""
    import signal
    import time

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "oip", "--map", "120", "--steps", "100000",
                             "--out", "o.png"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True,
                            # a shell's background job ignores SIGINT, and a child inherits that: restore it
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    for line in proc.stderr:                     # the stage lines go to stderr; interrupt while deriving
        seen.append(line)
        if "loading the model" in line:          # a stage's line ends when it is done: the derivation is next
            time.sleep(3)
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=120)[1]
    stderr = "".join(seen) + rest
    assert proc.returncode == 130, stderr[-2000:]
    assert "interrupted" in rest and "Traceback" not in stderr, stderr[-2000:]
    assert list(tmp_path.iterdir()) == []


def test_interrupted_training_leaves_the_existing_model_untouched(tmp_path, monkeypatch):
    from helpers.cnn import reference

    out = tmp_path / "reference_cnn.keras"
    out.write_bytes(b"the existing model")
    monkeypatch.setattr(reference, "load_mnist", lambda: ((None, None), (None, None)))
    monkeypatch.setattr(reference, "split_train_validation", lambda *a, **k: {})

    def interrupted_training(model, splits, config, *, best_model_path, **kwargs):
        best_model_path.write_bytes(b"a checkpoint of epoch 3")   # the best epoch so far, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(reference, "train_cnn", interrupted_training)
    with pytest.raises(KeyboardInterrupt):
        reference.train_reference(out, overwrite=True)
    assert out.read_bytes() == b"the existing model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reference_cnn.keras"]
