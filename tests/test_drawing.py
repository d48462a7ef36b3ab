"""A drawing becomes MNIST input the way MNIST was made (helpers.activations.drawing): MNIST test digits drawn
large and off-centre onto an empty pad come back looking as they did and keep the reference model's prediction."""
import numpy as np
import pytest

from helpers.activations.drawing import (FIELD_CENTRE, MNIST_BOX, PAD_SIZE, PEN_WIDTH, EmptyDrawingError,
                                         center_of_mass, digit_on_pad, example_strokes, ink_box, strokes_to_drawing,
                                         to_mnist_digit)

N_DIGITS = 500


@pytest.fixture(scope="module")
def test_digits():
    from helpers import load_mnist

    _, (x_test, y_test) = load_mnist()
    return x_test[:N_DIGITS], y_test[:N_DIGITS]


@pytest.fixture(scope="module")
def round_trip(test_digits):
    """Each digit enlarged 10 times (its ink box: up to 200×200 pad pixels) at a random place on a 280×280 pad,
    then back through the pipeline."""
    x, _ = test_digits
    rng = np.random.default_rng(0)
    back, origins = [], []
    for digit in x:
        rows, cols = ink_box(digit)
        free = (PAD_SIZE - 10 * (rows.stop - rows.start), PAD_SIZE - 10 * (cols.stop - cols.start))
        origin = (int(rng.integers(0, free[0] + 1)), int(rng.integers(0, free[1] + 1)))
        origins.append(origin)
        back.append(to_mnist_digit(digit_on_pad(digit, scale=10, origin=origin)))
    return np.stack(back), origins


def _correlation(a, b):
    a = a.reshape(len(a), -1) - a.reshape(len(a), -1).mean(axis=1, keepdims=True)
    b = b.reshape(len(b), -1) - b.reshape(len(b), -1).mean(axis=1, keepdims=True)
    return (a * b).sum(axis=1) / np.sqrt((a ** 2).sum(axis=1) * (b ** 2).sum(axis=1))


def test_digits_drawn_large_keep_their_look_and_prediction(test_digits, round_trip):
    from helpers import load_reference_model, predict_classes

    x, _ = test_digits
    back, origins = round_trip
    assert len(set(origins)) > N_DIGITS // 2, "the digits should be placed at many different places"
    corr = _correlation(back.astype(np.float64), x.astype(np.float64))
    print(f"correlation with the original: median {np.median(corr):.3f}, 1st percentile {np.percentile(corr, 1):.3f}, "
          f"min {corr.min():.3f}")
    assert np.mean(corr >= 0.9) >= 0.98, f"{np.sum(corr < 0.9)} of {N_DIGITS} digits changed their look"
    model = load_reference_model()
    before, after = predict_classes(model, x), predict_classes(model, back)
    kept = float(np.mean(before == after))
    print(f"prediction kept for {kept:.1%} of {N_DIGITS} digits")
    assert kept >= 0.98


def test_mnist_itself_has_its_centre_of_mass_at_the_field_centre(test_digits):
    coms = np.array([center_of_mass(d) for d in test_digits[0]])
    assert np.all(np.abs(coms.mean(axis=0) - FIELD_CENTRE) < 0.1), coms.mean(axis=0)


def test_output_is_an_mnist_field_centred_by_mass(round_trip):
    back, _ = round_trip
    assert back.shape == (N_DIGITS, 28, 28) and back.dtype == np.float32
    assert back.min() >= 0 and np.allclose(back.max(axis=(1, 2)), 255)
    for digit in back[:50]:
        rows, cols = ink_box(digit)
        assert max(rows.stop - rows.start, cols.stop - cols.start) == MNIST_BOX
        r, c = center_of_mass(digit)
        assert abs(r - FIELD_CENTRE) <= 0.5 + 1e-9 and abs(c - FIELD_CENTRE) <= 0.5 + 1e-9, (r, c)


def test_place_and_size_on_the_pad_do_not_matter(test_digits):
    digit = test_digits[0][0]
    here = to_mnist_digit(digit_on_pad(digit, scale=10, origin=(0, 0)))
    there = to_mnist_digit(digit_on_pad(digit, scale=10, origin=(60, 75)))
    np.testing.assert_array_equal(here, there)
    smaller = to_mnist_digit(digit_on_pad(digit, scale=6, origin=(30, 10)))
    assert _correlation(here[None].astype(float), smaller[None].astype(float))[0] > 0.95


def test_aspect_ratio_is_kept():
    drawing = np.zeros((280, 280))
    drawing[40:240, 120:160] = 1                       # a bar 200 tall, 40 wide: 5 to 1
    digit = to_mnist_digit(drawing)
    rows, cols = ink_box(digit)
    assert rows.stop - rows.start == 20 and cols.stop - cols.start == 4


def test_pen_strokes_paint_with_the_pen_width():
    drawing = strokes_to_drawing(example_strokes(1))
    assert drawing.shape == (PAD_SIZE, PAD_SIZE)
    rows, cols = ink_box(drawing)
    assert abs((cols.stop - cols.start) - PEN_WIDTH) <= 2       # a vertical line: as wide as the pen
    dot = strokes_to_drawing([[[100.0, 100.0]]])
    assert abs(dot.sum() - np.pi * (PEN_WIDTH / 2) ** 2) < 0.1 * dot.sum()
    # one MNIST stroke: 2-3 pixels of 28 once the line is as tall as a digit
    digit = to_mnist_digit(drawing)
    width = (digit[14] > 0.5 * 255).sum()
    assert 2 <= width <= 3, width


def test_empty_flat_and_broken_drawings_are_refused():
    for flat in (np.zeros((280, 280)), np.full((280, 280), 255.0), strokes_to_drawing([])):
        with pytest.raises(EmptyDrawingError, match="draw a digit first"):
            to_mnist_digit(flat)
    broken = np.zeros((280, 280))
    broken[5, 5] = np.nan
    with pytest.raises(ValueError, match="1 NaN or infinite values"):
        to_mnist_digit(broken)
    with pytest.raises(ValueError, match="2-D array"):
        to_mnist_digit(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="NaN or infinite coordinates"):
        strokes_to_drawing([[[1.0, np.nan]]])
    with pytest.raises(ValueError, match="does not fit"):
        digit_on_pad(np.eye(28), scale=20)
    with pytest.raises(ValueError, match="0, 1 and 4"):
        example_strokes(7)
