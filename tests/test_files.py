"""helpers.files: output paths are checked first, and every file is written completely or not at all."""
import pytest

from helpers.files import written_atomically


def test_written_atomically_replaces_the_file_when_the_block_succeeds(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    with written_atomically(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and tmp != target
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_write_leaves_the_old_file_and_no_partial_one(tmp_path, interruption):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    with pytest.raises(interruption):
        with written_atomically(target) as tmp:
            tmp.write_bytes(b"half a fi")
            raise interruption()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_an_interrupted_first_write_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with written_atomically(tmp_path / "new.gif") as tmp:
            tmp.write_bytes(b"GIF8")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_folder_is_refused_before_any_work(tmp_path):
    """A folder the user may not write to: every command says so in one line, before loading the model, and
    writes nothing. Root may write into any folder whatever its mode, so under root (CI) the folder is made
    immutable (chattr +i: not even root can add files) instead of read-only."""
    import os
    import subprocess
    import sys

    read_only = tmp_path / "nur lesen"
    read_only.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(read_only)], check=True)
    else:
        read_only.chmod(0o555)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        for command in (["gallery", "--layer", "Conv2D_1", "--steps", "1"], ["perfect-digits", "--steps", "1"],
                        ["dream", "default", "--map", "1"], ["oip", "--map", "1"]):
            out = read_only / "out.png"
            result = subprocess.run([sys.executable, "-m", "helpers", *command, "--out", str(out)],
                                    capture_output=True, text=True, timeout=120, env=env)
            assert result.returncode == 2, result.stderr
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            assert errors == [f"error: --out: Cannot write to {out}: no write permission; choose another path."], \
                result.stderr
            assert "loading the model" not in result.stderr and not any(read_only.iterdir())
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(read_only)], check=True)
        else:
            read_only.chmod(0o755)
