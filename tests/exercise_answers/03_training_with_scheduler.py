"""Wrong answers for notebook 03's exercise: the decay applied one epoch too early (`** (epoch + 1)`), a
linear instead of an exponential decay (two ways to write it), and the first epoch below a tenth counted from 1
(16) or taken one epoch too early (14, where the rate is still just above a tenth), and the reference
configuration's numbers written into the function."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
WRONG_ANSWERS = [
    [  # exercise 1: my_learning_rate(epoch, config) and my_first_epoch_below_a_tenth
        ("decay applied one epoch too early: ** (epoch + 1)", '''def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0)."""
    return config.learning_rate * config.decay_rate ** (epoch + 1)


my_first_epoch_below_a_tenth = 15
'''),
        ("linear decay: decay_rate * epoch", '''def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0)."""
    return config.learning_rate * config.decay_rate * epoch


my_first_epoch_below_a_tenth = 15
'''),
        ("linear decay: a fixed step (1 - decay_rate) per epoch", '''def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0)."""
    return config.learning_rate * (1 - (1 - config.decay_rate) * epoch)


my_first_epoch_below_a_tenth = 15
'''),
        ("first epoch below a tenth counted from 1: 16", '''def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0)."""
    return config.learning_rate * config.decay_rate ** epoch


my_first_epoch_below_a_tenth = 16
'''),
        ("first epoch below a tenth one too early: 14", '''def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0)."""
    return config.learning_rate * config.decay_rate ** epoch


my_first_epoch_below_a_tenth = 14
'''),
        ("the reference configuration's numbers written in", '''def my_learning_rate(epoch, config):
    """The learning rate in epoch ``epoch`` (from 0)."""
    return 0.01 * 0.85 ** epoch


my_first_epoch_below_a_tenth = 15
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = [
    ("the first epoch whose rate is at most a tenth (<= instead of <)",
     "no epoch's rate equals a tenth of the initial rate exactly (0.85**14 ≈ 0.103, 0.85**15 ≈ 0.087), so both "
     "rules give epoch 15"),
]
