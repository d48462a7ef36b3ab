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
