"""`python -m helpers dream`: writes its PNG; bad input → one line on stderr, exit 2, no traceback."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from helpers.cli import main


def run_cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "helpers", "dream", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def our_errors(stderr: str) -> list[str]:
    # TensorFlow may log start-up lines of its own; ours start with "error:"
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_help_documents_the_default_photo():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    for words in ("`default`", "--map", "--sub-map", "--quadrants", "--iterations", "--size", "--out",
                  "--overwrite", "--layer", "--model"):
        assert words in result.stdout


def test_writes_its_png_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "dream.png"
    args = ["default", "--map", "25", "--sub-map", "123", "--quadrants", "1,4", "--size", "64", "--iterations", "1",
            "--steps", "5", "--out", str(out)]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    with Image.open(out) as img:
        assert img.size == (64, 64) and img.mode == "L"
    assert "carving" in result.stderr and "1/1" in result.stderr and "saved" in result.stdout  # tqdm's bar
    again = run_cli(*args)                                   # a second run must not replace the file
    assert again.returncode == 2 and "Traceback" not in again.stderr
    errors = our_errors(again.stderr)
    assert len(errors) == 1 and "exists" in errors[0] and "--overwrite" in errors[0]
    assert "loading" not in again.stderr                     # refused before any slow work


def test_unknown_map_in_a_subprocess(tmp_path):
    result = run_cli("default", "--map", "999", "--size", "56", "--out", str(tmp_path / "d.png"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = our_errors(result.stderr)
    assert len(errors) == 1 and "0..127" in errors[0]
    assert not (tmp_path / "d.png").exists()


def test_in_process_run_with_a_photo_file(tmp_path, capsys):
    photo = tmp_path / "p.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (80, 120, 4), dtype=np.uint8), "RGBA").save(photo)
    out = tmp_path / "d.png"
    assert main(["dream", str(photo), "--map", "25", "--quadrants", "none", "--size", "40", "--iterations", "2",
                 "--steps", "3", "--fit", "pad", "--out", str(out)]) == 0
    assert "padded" in capsys.readouterr().err
    assert Image.open(out).size == (40, 40)
    assert main(["dream", str(photo), "--map", "25", "--quadrants", "none", "--size", "40", "--iterations", "1",
                 "--steps", "3", "--out", str(out), "--overwrite"]) == 0


@pytest.mark.parametrize("args, words", [
    (["--quadrants", "1,5"], "no quadrant 5"),
    (["--quadrants", "corners"], "'all', 'none'"),
    (["--iterations", "0"], "--iterations must be at least 1"),
    (["--steps", "-2"], "--steps must be at least 0"),
    (["--noise", "0.1", "--seed", "-1"], "--seed must be at least 0; got -1"),
    (["--size", "20"], "--size must be at least 28"),
    (["--size", "61"], "even"),
    (["--size", "100000"], "--size must be at most 4096 px"),   # refused before anything is allocated
    (["--noise", "-1"], "--noise"),
    (["--map", "3", "--sub-map", "1,2"], "one per chosen quadrant"),
    (["--layer", "Dense_1"], "not a conv or pool layer"),
    (["--layer", "nope"], "Conv2D_1, Max_Pool_1"),
    (["--model", "missing.keras"], "No model file"),
])
def test_bad_arguments_give_one_line(args, words, tmp_path, capsys):
    base = {"--map": "3", "--size": "56", "--iterations": "1", "--steps": "1", "--out": str(tmp_path / "d.png")}
    given = dict(zip(args[::2], args[1::2]))
    argv = ["dream", "default"] + [x for k, v in {**base, **given}.items() for x in (k, v)]
    assert main(argv) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and words in err[0], err
    assert not (tmp_path / "d.png").exists()


@pytest.mark.parametrize("photo, words", [("missing.jpg", "no file"), ("junk", "Could not read")])
def test_bad_photos(photo, words, tmp_path, capsys):
    (tmp_path / "junk").write_text("not an image")
    path = str(tmp_path / photo)
    assert main(["dream", path, "--map", "3", "--size", "56", "--out", str(tmp_path / "d.png")]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and words in err[0]


def test_bad_sub_map_and_missing_map_are_usage_errors(capsys):
    for argv in (["dream", "default", "--map", "3", "--sub-map", "x", "--out", "d.png"],
                 ["dream", "default", "--out", "d.png"], ["dream", "default", "--map", "3"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
