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


def test_a_read_only_folder_is_refused_before_any_work(tmp_path, capsys):
    """A folder the user may not write to: every command says so in one line, before loading the model, and
    writes nothing. Root may write into any folder whatever its mode, so under root (CI) the folder is made
    immutable (chattr +i: not even root can add files) instead of read-only. The commands run in this
    process (``helpers.cli.main``, what ``python -m helpers`` calls; test_cli runs it as a subprocess):
    four interpreter start-ups with TensorFlow cost about 25 s."""
    import os
    import subprocess

    from helpers.cli import main

    read_only = tmp_path / "nur lesen"
    read_only.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chattr", "+i", str(read_only)], check=True)
    else:
        read_only.chmod(0o555)
    try:
        for command in (["gallery", "--layer", "Conv2D_1", "--steps", "1"], ["perfect-digits", "--steps", "1"],
                        ["dream", "default", "--map", "1"], ["oip", "--map", "1"]):
            out = read_only / "out.png"
            assert main([*command, "--out", str(out)]) == 2
            stderr = capsys.readouterr().err
            errors = [line for line in stderr.splitlines() if line.startswith("error:")]
            assert errors == [f"error: --out: Cannot write to {out}: no write permission; choose another path."], \
                stderr
            assert "loading the model" not in stderr and not any(read_only.iterdir())
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(read_only)], check=True)
        else:
            read_only.chmod(0o755)
