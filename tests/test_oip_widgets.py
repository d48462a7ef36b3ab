"""The OIP explorer of notebook 07, driven by setting widget values (no kernel needed)."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from helpers import load_reference_model  # noqa: E402
from helpers.oip import initial_image  # noqa: E402
from helpers.oip.widgets import OIPExplorer, oip_explorer  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return load_reference_model()


def test_map_slider_follows_the_layer(model):
    ex = oip_explorer(model, render=False)
    assert ex.layer.options == ("Conv2D_1", "Conv2D_2", "Conv2D_3")
    assert (ex.layer.value, ex.map_index.max) == ("Conv2D_3", 127)
    ex.map_index.value = 100
    ex.layer.value = "Conv2D_1"
    assert ex.map_index.max == 31 and ex.map_index.value == 31       # clamped into the smaller layer
    ex.layer.value = "Conv2D_2"
    assert ex.map_index.max == 63 and ex.map_index.value == 31
    ex.map_index.value = 200                                           # the slider clamps what is typed
    assert ex.map_index.value == 63
    assert ex.runs == 0 and ex.result is None                          # no derivation without the button


def test_run_derives_the_chosen_map_with_the_chosen_settings(model):
    ex = OIPExplorer(model, render=False)
    ex.map_index.value = 5
    ex.n_epochs.value = 40
    ex.seed.value = 3
    for w, f in zip(ex.factors, (0.6, 0.4, 0.0, 0.0)):
        w.value = f
    ex.run_button.click()                                              # what a learner does
    res = ex.result
    assert ex.runs == 1 and res.map_index == 5 and len(res.losses) == 40
    expected_start = initial_image((0.6, 0.4, 0.0, 0.0), n=1, seed=3)[0, :, :, 0]
    np.testing.assert_allclose(res.initial_image, expected_start, atol=1e-5)
    again = ex.oip.derive(5, n_epochs=40, start=expected_start)       # the callback computed exactly this
    np.testing.assert_allclose(res.image, again.image, atol=1e-4)
    assert "map 5" in ex.status.value and "40 steps" in ex.status.value


def test_settings_change_the_start_at_once_and_the_result_on_run(model):
    ex = OIPExplorer(model, render=False, n_epochs=30)
    first_start = ex.start.copy()
    ex.factors[3].value = 0.0                                          # drop the pixel-scale noise
    assert not np.allclose(ex.start, first_start)                      # start preview recomputed
    ex.seed.value = 9
    np.testing.assert_allclose(ex.start, initial_image((0.5, 0.5, 0.5, 0.0), n=1, seed=9)[0, :, :, 0], atol=1e-6)
    ex.run()
    a = ex.result
    ex.epsilon.value = 0.02
    ex.run()
    assert ex.runs == 2 and not np.allclose(ex.result.image, a.image)


def test_live_update_recomputes_when_a_slider_changes(model):
    ex = OIPExplorer(model, render=False, n_epochs=30, live_update=True)
    ex.map_index.value = 7
    assert ex.runs == 1 and ex.result.map_index == 7
    ex.n_epochs.value = 50
    assert ex.runs == 2 and len(ex.result.losses) == 50
    ex.map_index.value = 100
    assert ex.runs == 3 and ex.result.map_index == 100
    ex.layer.value = "Conv2D_1"                 # one derivation for the layer change (not a 2nd for the clamp)
    assert ex.runs == 4 and ex.result.map_index == 31 and ex.oip.layer_name == "Conv2D_1"
    ex.precursor.value = True
    assert ex.runs == 5 and ex.result.responded


def test_all_zero_factors_are_refused_with_a_message(model):
    ex = OIPExplorer(model, render=False, n_epochs=20)
    for w in ex.factors:
        w.value = 0.0
    assert ex.start is None and "at least one factor" in ex.status.value
    with pytest.raises(ValueError, match="at least one factor"):
        ex.run()
    ex.run_button.click()                                              # the button reports instead of raising
    assert ex.runs == 0 and "at least one factor" in ex.status.value
    ex.precursor.value = True                                          # the precursor needs no factors
    ex.run()
    assert ex.runs == 1


def test_rendering_shows_start_snapshots_and_loss_curve(model):
    ex = OIPExplorer(model, render=True, n_epochs=30)
    assert ex.figure.axes[0].get_title().startswith("start: factors 0.5, 0.5, 0.5, 0.5, seed 0")  # preview
    ex.seed.value = 4
    assert "seed 4" in ex.figure.axes[0].get_title()
    ex.run()
    titles = [ax.get_title() for ax in ex.figure.axes]
    assert titles[0] == "start" and "step 29" in titles and "loss curve" in titles
    ex.contrast.value = True                                           # redraw only, no new derivation
    assert ex.runs == 1 and ex.figure is not None


def test_bad_arguments(model):
    with pytest.raises(ValueError, match="not among"):
        OIPExplorer(model, layer="Max_Pool_1", render=False)
    with pytest.raises(IndexError, match="0..127"):
        OIPExplorer(model, map_index=128, render=False)
    with pytest.raises(ValueError, match="one factor per scale"):
        OIPExplorer(model, factors=(0.5, 0.5), render=False)


def test_rendering_shows_the_start_then_the_evolution(model):
    ex = OIPExplorer(model, map_index=5, n_epochs=30, render=True)
    ex.seed.value = 4                                                  # a change redraws the start preview
    assert ex.figure.axes[0].get_title().startswith("start: factors")
    assert "seed 4" in ex.figure.axes[0].get_title()
    ex.run()
    titles = [ax.get_title() for ax in ex.figure.axes]
    assert len(ex.figure.axes) > 2 and any("map 5" in t for t in titles + [ex.figure._suptitle.get_text()])


def test_the_strip_of_strongest_digits_follows_the_slider(model):
    from helpers import load_mnist
    from helpers.gallery import dataset_examples

    examples = dataset_examples(model, load_mnist()[1][0][:200], k=5)      # 200 test digits: cheap
    ex = OIPExplorer(model, render=True, map_index=3, examples=examples)

    def shown():
        return [int(ax.get_title().split(":")[0][1:]) for ax in ex.strip_figure.axes]

    assert ex.strip == ("Conv2D_3", 3, examples["Conv2D_3"].top_indices[3].tolist())
    assert shown() == examples["Conv2D_3"].top_indices[3].tolist()
    ex.map_index.value = 77
    assert ex.strip[:2] == ("Conv2D_3", 77) and shown() == examples["Conv2D_3"].top_indices[77].tolist()
    ex.layer.value = "Conv2D_1"                                        # the map is clamped to 31
    assert shown() == examples["Conv2D_1"].top_indices[31].tolist()
    assert "Conv2D_1, map 31" in ex.strip_figure._suptitle.get_text()
    ex.n_epochs.value = 20
    ex.run()                                                           # the strip stays below the evolution
    assert ex.figure.axes[0].get_title() == "start" and shown() == examples["Conv2D_1"].top_indices[31].tolist()
    assert OIPExplorer(model, render=False).strip is None              # no examples given: no strip
