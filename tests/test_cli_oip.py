"""`python -m helpers gallery | oip | perfect-digits`: files are written, bad arguments refused in one line."""
import os
import subprocess
import sys

import pytest
from PIL import Image

from helpers.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(*args):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}  # fewer TensorFlow start-up lines on stderr
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True, text=True, timeout=300,
                          env=env)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_gallery_subprocess_writes_png_and_losses(tmp_path):
    out, csv = tmp_path / "gallery.png", tmp_path / "losses.csv"
    result = run_cli("gallery", "--layer", "Conv2D_1", "--steps", "20", "--out", str(out), "--losses", str(csv))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert "patterns found 32 / live maps 32 / all maps 32" in result.stdout
    assert "deriving 32 patterns" in result.stderr and "done" in result.stderr  # progress on stderr
    rows = csv.read_text().splitlines()
    assert rows[0] == "map_index,final_loss,live,pattern_found" and len(rows) == 33


def test_subprocess_refuses_an_unknown_layer_in_one_line(tmp_path):
    result = run_cli("gallery", "--layer", "Conv2D_9", "--out", str(tmp_path / "g.png"))
    assert result.returncode == 2
    errors = error_lines(result.stderr)
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "Conv2D_9" in errors[0] and "Conv2D_1, Max_Pool_1, Conv2D_2" in errors[0]
    assert not (tmp_path / "g.png").exists()


def test_oip_writes_figure_and_gif(tmp_path, capsys):
    out, gif = tmp_path / "oip.png", tmp_path / "evolution.gif"
    assert main(["oip", "--map", "120", "--steps", "30", "--out", str(out), "--gif", str(gif)]) == 0
    assert out.read_bytes()[:8] == PNG_MAGIC
    with Image.open(gif) as im:
        assert im.n_frames >= 3                                     # start and snapshots
    assert "map_index=120" in capsys.readouterr().out


def test_oip_default_out_is_oip_png(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["oip", "--map", "3", "--layer", "Conv2D_1", "--steps", "15"]) == 0
    assert (tmp_path / "oip.png").read_bytes()[:8] == PNG_MAGIC


def test_perfect_digits_writes_png(tmp_path, capsys):
    out = tmp_path / "digits.png"
    assert main(["perfect-digits", "--out", str(out), "--steps", "100"]) == 0
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["oip", "--map", "128", "--out", "{d}/o.png"], "0..127"),
    (["oip", "--map", "40", "--layer", "Conv2D_1", "--out", "{d}/o.png"], "0..31"),
    (["oip", "--map", "-1", "--out", "{d}/o.png"], "out of range"),
    (["oip", "--map", "1", "--layer", "Dense_1", "--out", "{d}/o.png"], "not a conv or pool layer"),
    (["oip", "--map", "1", "--out", "{d}/missing/o.png"], "does not exist"),
    (["oip", "--map", "1", "--out", "{d}/o.jpg"], ".png"),
    (["oip", "--map", "1", "--out", "{d}/o.png", "--gif", "{d}/e.png"], ".gif"),
    (["oip", "--map", "1", "--out", "{d}/o.png", "--epsilon", "0"], "epsilon"),
    (["oip", "--map", "1", "--out", "{d}/o.png", "--steps", "0"], "at least 1"),
    (["oip", "--map", "1", "--out", "{d}/o.png", "--seed", "-1"], "--seed must be at least 0; got -1"),
    (["gallery", "--out", "{d}/g.png", "--seed", "-1"], "--seed must be at least 0; got -1"),
    (["perfect-digits", "--out", "{d}/p.png", "--seed", "-5"], "--seed must be at least 0; got -5"),
    (["oip", "--map", "1", "--out", "{d}/o.png", "--no-precursor", "--factors", "0,0,0,0"], "factors"),
    (["oip", "--map", "1", "--out", "{d}/o.png", "--factors", "1,0,0,0"], "Add --no-precursor"),   # was ignored
    (["gallery", "--out", "{d}/g.png", "--model", "{d}/none.keras"], "No model file"),
    (["gallery", "--out", "{d}/g.png", "--model", "{d}/existing.png"], ".keras"),
    (["gallery", "--out", "{d}/existing.png"], "exists"),
    (["gallery", "--out", "{d}"], ".png"),
    (["gallery", "--out", "{d}/g.png", "--losses", "{d}/l.txt"], ".csv"),
    (["perfect-digits", "--out", "{d}/existing.png"], "--overwrite"),
])
def test_bad_arguments_fail_with_one_line(tmp_path, capsys, argv, message):
    existing = tmp_path / "existing.png"
    existing.write_bytes(b"keep me")
    argv = [a.format(d=tmp_path) for a in argv]
    assert main(argv) == 2
    errors = error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and message in errors[0], errors
    assert existing.read_bytes() == b"keep me"
    assert not (tmp_path / "o.png").exists() and not (tmp_path / "g.png").exists()


def test_overwrite_replaces(tmp_path):
    out = tmp_path / "digits.png"
    out.write_bytes(b"old")
    assert main(["perfect-digits", "--out", str(out), "--steps", "20", "--overwrite"]) == 0
    assert out.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("command", ["gallery", "oip", "perfect-digits"])
def test_help_explains_the_options(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "--out" in text and "--steps" in text and "--model" in text and "Example:" in text
