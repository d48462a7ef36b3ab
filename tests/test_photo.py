"""Photo loading for the dream carving: any mode, size and aspect → gray, square, standardized."""
import numpy as np
import pytest
from PIL import Image

from helpers.dream.photo import GRAY_WEIGHTS, Photo, PhotoError, default_photo_path, load_photo


def write(tmp_path, name, array, mode=None):
    path = tmp_path / name
    Image.fromarray(array, mode=mode).save(path) if mode else Image.fromarray(array).save(path)
    return path


def assert_standardized(x):
    assert abs(float(x.mean())) < 1e-4 and abs(float(x.std()) - 1) < 1e-3


def test_default_photo_ships_with_matplotlib():
    assert default_photo_path().is_file()
    photo = load_photo("default")
    assert isinstance(photo, Photo)
    assert photo.image.shape == (560, 560) and photo.color.shape == (560, 560, 3) and photo.size == 560
    assert_standardized(photo.image)
    assert photo.original_size == (512, 600) and photo.fit == "crop"
    assert photo.square_box == (0, 44, 512, 556)                      # the central 512×512
    assert "cropped to its central 512×512" in photo.describe()


def test_colour_becomes_gray_with_the_luma_weights(tmp_path):
    red = np.zeros((40, 40, 3), np.uint8)
    red[..., 0] = 200
    red[:, :20, 1] = 100                                               # a left half with some green
    photo = load_photo(write(tmp_path, "red.png", red), size=40)
    np.testing.assert_allclose(photo.gray[5, 30], GRAY_WEIGHTS[0] * 200, atol=0.5)
    np.testing.assert_allclose(photo.gray[5, 5], GRAY_WEIGHTS[0] * 200 + GRAY_WEIGHTS[1] * 100, atol=0.5)
    assert_standardized(photo.image)


def test_rgba_is_shown_on_white(tmp_path):
    rgba = np.zeros((50, 50, 4), np.uint8)
    rgba[:, 25:] = (0, 0, 0, 255)                                      # right half opaque black, left half transparent
    photo = load_photo(write(tmp_path, "a.png", rgba, "RGBA"), size=50)
    assert photo.gray[10, 5] == pytest.approx(255, abs=1) and photo.gray[10, 45] == pytest.approx(0, abs=1)


@pytest.mark.parametrize("mode", ["L", "I;16", "P", "LA"])
def test_gray_palette_and_16_bit_files(tmp_path, mode):
    ramp = np.tile(np.linspace(0, 250, 64).astype(np.uint8), (48, 1))
    img = Image.fromarray(ramp, "L")
    img = img.convert(mode) if mode != "I;16" else Image.fromarray(ramp.astype(np.uint16) * 257)
    assert img.mode == mode
    path = tmp_path / f"g_{mode.replace(';', '')}.png"
    img.save(path)
    photo = load_photo(path, size=32)
    assert photo.image.shape == (32, 32)
    assert_standardized(photo.image)
    assert np.all(np.diff(photo.gray[16], axis=0) >= -1e-3)           # the ramp still rises left to right


def test_non_square_crop_and_pad(tmp_path):
    wide = np.zeros((100, 300), np.uint8)
    wide[:, :100] = 255                                               # a white left third
    path = write(tmp_path, "wide.png", wide)
    cropped = load_photo(path, size=60)
    assert cropped.fit == "crop" and cropped.square_box == (100, 0, 200, 100)
    assert cropped.gray.max() < 1                                      # the white third was cut away
    padded = load_photo(path, size=60, fit="pad")
    assert padded.fit == "pad" and "padded" in padded.describe()
    assert padded.square_box == (0, -100, 300, 200)
    np.testing.assert_allclose(padded.gray[2, 30], wide.mean(), atol=1)   # border = mean gray
    assert padded.gray[30, 5] == pytest.approx(255, abs=2)


def test_large_jpeg(tmp_path):
    rng = np.random.default_rng(0)
    big = rng.integers(0, 256, size=(2000, 3000, 3), dtype=np.uint8)
    photo = load_photo(write(tmp_path, "big.jpg", big), size=56)
    assert photo.image.shape == (56, 56) and photo.original_size == (3000, 2000)
    assert photo.gray.std() < 20                                       # antialiased: the noise averages out


def test_errors(tmp_path):
    with pytest.raises(PhotoError, match="No photo at"):
        load_photo(tmp_path / "missing.jpg")
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(PhotoError, match="Could not read"):
        load_photo(junk)
    tiny = write(tmp_path, "tiny.png", np.zeros((20, 50), np.uint8))
    with pytest.raises(PhotoError, match="at least 28 px"):
        load_photo(tiny)
    with pytest.raises(PhotoError, match="fit must be one of"):
        load_photo("default", fit="stretch")
    with pytest.raises(PhotoError, match="working size"):
        load_photo("default", size=20)
    with pytest.raises(PhotoError, match="from 28 to 4096 px; got 100000"):
        load_photo("default", size=100_000)
    with pytest.raises(TypeError):
        load_photo(123)
