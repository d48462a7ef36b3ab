"""The command line `python -m helpers` (never trains here: only help and refusals)."""
import os
import subprocess
import sys

import pytest

from helpers.cli import main


def run_cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}  # fewer TensorFlow start-up lines on stderr
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, timeout=300,
                          env=env)


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
