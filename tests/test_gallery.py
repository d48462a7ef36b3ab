"""The OIP gallery of a layer, the series of starts for one map, and the similarity numbers."""
import dataclasses

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers.files import check_output_path  # noqa: E402
from helpers.gallery import (final_loss_figure, gallery_figure, layer_gallery, live_maps_by_layer,  # noqa: E402
                             mean_pairwise_correlation, mnist_test_images, save_figure, start_series,
                             start_series_figure)
from helpers.gallery.figures import GAP_X, GAP_Y, PANEL, gallery_mosaic, grid_shape  # noqa: E402
from helpers.gallery.layer import Gallery  # noqa: E402
from helpers.gallery.similarity import pairwise_correlations, shift_tolerant_correlation  # noqa: E402
from helpers.oip import My_OIP  # noqa: E402


@pytest.fixture(scope="module")
def oip3():
    return My_OIP(layer_name="Conv2D_3")  # the reference model


@pytest.fixture(scope="module")
def test_images():
    return mnist_test_images()


@pytest.fixture(scope="module")
def gallery3(oip3, test_images):
    return layer_gallery(oip3, n_epochs=60, images=test_images)


def test_every_live_map_of_the_reference_model_gets_a_pattern(gallery3, oip3, test_images):
    g = gallery3
    assert g.layer_name == "Conv2D_3" and g.n_maps == 128
    assert [r.map_index for r in g.results] == list(range(128))        # one result per map, in order
    some = oip3.live_maps(test_images[:1000])                          # live maps come from the test digits:
    assert set(some) <= set(g.live.tolist())                           # 1000 of them already activate these
    assert len(g.live) >= 120                                          # a trained model has few dead maps
    assert g.missing.size == 0, g.summary()                            # the goal: every live map has a pattern
    found, live, total = g.counts
    assert found >= live and total == 128
    assert g.summary().startswith(f"Conv2D_3: patterns found {found} / live maps {live} / all maps 128")
    assert g.final_losses.shape == (128,) and np.all(g.final_losses[g.found] > 0)
    assert g.images.shape == (128, 28, 28)
    assert g.settings["precursor"] and g.settings["stop_early"]        # the documented defaults


def test_live_maps_of_several_layers_in_one_pass_agree_with_my_oip(oip3, test_images):
    x = test_images[:500]
    both = live_maps_by_layer(oip3.model, x, ["Conv2D_1", "Conv2D_3"])
    np.testing.assert_array_equal(both["Conv2D_3"], oip3.live_maps(x))
    np.testing.assert_array_equal(both["Conv2D_1"], My_OIP(oip3.model, "Conv2D_1").live_maps(x))
    with pytest.raises(ValueError, match="Conv2D_1"):
        live_maps_by_layer(oip3.model, x, ["conv2d_1"])


def test_grid_has_one_panel_per_map_and_variant(gallery3):
    assert grid_shape(128, 16) == (8, 16) and grid_shape(32, 16) == (2, 16) and grid_shape(5, 16) == (1, 5)
    for variant, n_panels, shape in [("raw", 128, (8, 16)), ("contrast", 128, (8, 16)), ("both", 256, (16, 16))]:
        mosaic, panels, grid = gallery_mosaic(gallery3, variant=variant, n_cols=16)
        assert grid == shape and len(panels) == n_panels
        assert mosaic.shape == (shape[0] * (PANEL + GAP_Y), shape[1] * (PANEL + GAP_X) - GAP_X, 3)
        assert [p.map_index for p in panels][:4] == ([0, 0, 1, 1] if variant == "both" else [0, 1, 2, 3])
        x0, y0, w, h = panels[17].box
        assert (panels[17].row, panels[17].col) == divmod(17, 16)
        if panels[17].has_pattern:                                     # the pattern is drawn in its box
            assert mosaic[y0:y0 + h, x0:x0 + w].std() > 0
        fig = gallery_figure(gallery3, variant=variant, n_cols=16)
        labels = [t.get_text() for t in fig.axes[0].texts]
        assert fig.gallery_grid == shape and len(labels) == n_panels  # one label per panel
        assert [lab.rstrip("*") for lab in labels[:4]] == (["0", "0+", "1", "1+"] if variant == "both"
                                                           else ["0", "1", "2", "3"])
        plt.close(fig)
    with pytest.raises(ValueError, match="variant"):
        gallery_figure(gallery3, variant="fancy")


def test_maps_without_pattern_are_marked_not_blank(gallery3):
    results = list(gallery3.results)
    results[3] = dataclasses.replace(results[3], responded=False, losses=np.zeros(60, np.float32))
    g = Gallery("Conv2D_3", results, gallery3.live)
    assert 3 not in g.found and 3 in g.missing
    assert "live maps without a pattern: [3]" in g.summary()
    mosaic, panels, _ = gallery_mosaic(g, variant="raw")
    x0, y0, w, h = panels[3].box
    assert not panels[3].has_pattern and np.all(mosaic[y0:y0 + h, x0:x0 + w] == 1)  # no pattern pixels ...
    fig = gallery_figure(g, variant="raw")
    ax = fig.axes[0]
    label = [t for t in ax.texts if t.get_text() == "3"]
    assert len(label) == 1 and label[0].get_color() == "red"          # ... but a red label,
    assert sum("response" in t.get_text() for t in ax.texts) == 1      # a "no response" text,
    assert len(ax.lines) == 2 and ax.patches and ax.patches[0].get_hatch() == "///"  # a red cross, hatching
    plt.close(fig)


def test_dead_maps_with_a_pattern_are_reported(gallery3):
    live = np.setdiff1d(gallery3.live, [7])
    g = Gallery("Conv2D_3", gallery3.results, live)
    assert 7 in g.dead_with_pattern and "no test digit activates: [7" in g.summary()


def test_final_loss_figure_has_one_bar_per_map_and_marks_dead_maps(gallery3):
    g = Gallery("Conv2D_3", gallery3.results, np.setdiff1d(gallery3.live, [7]))
    fig = final_loss_figure(g)
    bars = fig.axes[0].patches
    assert len(bars) == 128
    heights = sorted((b.get_height() for b in bars), reverse=True)
    np.testing.assert_allclose(heights, np.sort(g.final_losses)[::-1], rtol=1e-6)
    orange = [b for b in bars if b.get_facecolor()[:3] == matplotlib.colors.to_rgb("darkorange")]
    assert len(orange) == 128 - len(g.live)
    plt.close(fig)


def test_png_is_written_and_not_overwritten(gallery3, tmp_path):
    fig = gallery_figure(gallery3, variant="raw")
    out = save_figure(fig, tmp_path / "g.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(FileExistsError, match="overwrite"):
        save_figure(fig, out)
    save_figure(fig, out, overwrite=True)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "g.png")
    with pytest.raises(ValueError, match=".png"):
        check_output_path(tmp_path / "g.jpg")
    plt.close(fig)


def test_correlation_numbers():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 28, 28))
    assert mean_pairwise_correlation([a, 2 * a + 1]) == pytest.approx(1.0)
    assert mean_pairwise_correlation([a, -a]) == pytest.approx(-1.0)
    assert abs(mean_pairwise_correlation([a, b])) < 0.15
    c = pairwise_correlations([a, b, a])
    assert c.shape == (3, 3) and c[0, 2] == pytest.approx(1.0)
    shifted = np.roll(a, (2, -3), axis=(0, 1))
    assert abs(mean_pairwise_correlation([a, shifted])) < 0.15        # plain correlation misses a shift ...
    assert shift_tolerant_correlation(a, shifted, max_shift=4) == pytest.approx(1.0)  # ... this one does not
    assert shift_tolerant_correlation(a, shifted, max_shift=1) < 0.2
    with pytest.raises(ValueError):
        mean_pairwise_correlation([a])


def test_series_of_starts_for_one_map(oip3):
    mixes = [(0.6, 0.4, 0, 0), (0.2, 0.2, 0, 0), (0.3, 0.5, 0.3, 0)]
    s = start_series(oip3, 5, mixes, n_epochs=60, seed=3)
    assert len(s.results) == 3 and {r.map_index for r in s.results} == {5}
    starts = [r.initial_image for r in s.results]
    assert not np.allclose(starts[0], starts[1])                       # different random starts
    assert s.responded.sum() >= 2
    ok = np.flatnonzero(s.responded)
    manual = np.mean([np.corrcoef(s.results[i].image.ravel(), s.results[j].image.ravel())[0, 1]
                      for k, i in enumerate(ok) for j in ok[k + 1:]])
    assert s.similarity == pytest.approx(manual)
    assert -1 <= s.similarity <= s.shifted_similarity <= 1
    fig = start_series_figure(s)
    assert len(fig.axes) == 6 and "mean pairwise correlation" in fig._suptitle.get_text()
    plt.close(fig)
    with pytest.raises(IndexError, match="0..127"):
        start_series(oip3, 128, mixes, n_epochs=10)
    with pytest.raises(ValueError, match="two"):
        start_series(oip3, 5, mixes[:1], n_epochs=10)
