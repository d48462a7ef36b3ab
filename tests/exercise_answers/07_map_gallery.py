"""Wrong answers for notebook 07's exercises. Exercise 1 (covered_width): one jump too many (counting n steps
between n nodes), the fields laid side by side as if they did not overlap, a single node's field, the index of
the last pixel instead of a count, and the first wrong formula clipped to the 28-pixel image. Exercise 2
(oip_data_ratio, the maps whose pattern does not beat the strongest digit): the ratio upside down, the
strongest unit's activation instead of the map's mean, the ninth digit instead of the first, the mean of the
nine, and the maps above 1 instead of those at or below."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it). The test runs the student
# notebook once in quick mode, then for each entry runs this source and the exercise's self-check cell(s),
# and asserts the self-check fails with an AssertionError carrying a message; then the solution passes.
_DOC = '''    """Number of input pixels along one axis, from pixel 0 on, that the ``n_nodes`` nodes of a map see
    together, when each sees ``field`` pixels and neighbouring nodes are ``jump`` pixels apart."""
'''
_RATIO_DOC = '''    """For every map of the gallery's layer: the OIP's mean activation over the strongest test digit's,
    NaN for a map that no digit activates."""
'''


def _ratio(strongest, ratio, not_beaten="ratios3 <= 1"):
    """The second exercise's cell with the given lines."""
    return ("def oip_data_ratio(gallery, layer_examples):\n" + _RATIO_DOC + f"    {strongest}\n"
            "    with np.errstate(divide=\"ignore\", invalid=\"ignore\"):\n"
            f"        return np.where(strongest > 0, {ratio}, np.nan)\n\n\n"
            "ratios3 = oip_data_ratio(gallery3, examples[\"Conv2D_3\"])\n"
            f"my_not_beaten = np.flatnonzero({not_beaten}).tolist()\n")


WRONG_ANSWERS = [
    [  # exercise 1: the width the nodes of a map see together, (n_nodes - 1) * jump + field
        ("n jumps for n nodes (off by one node)",
         "def covered_width(n_nodes, field, jump):\n" + _DOC + "    return n_nodes * jump + field\n"),
        ("fields side by side, no overlap",
         "def covered_width(n_nodes, field, jump):\n" + _DOC + "    return n_nodes * field\n"),
        ("one node's field",
         "def covered_width(n_nodes, field, jump):\n" + _DOC + "    return field\n"),
        ("index of the last pixel, not a count",
         "def covered_width(n_nodes, field, jump):\n" + _DOC + "    return (n_nodes - 1) * jump + field - 1\n"),
        ("n jumps, clipped to the image",
         "def covered_width(n_nodes, field, jump):\n" + _DOC + "    return min(n_nodes * jump + field, 28)\n"),
    ],
    [  # exercise 2: OIP / strongest digit per map, and the Conv2D_3 maps whose ratio is at most 1
        ("ratio upside down (digit over OIP)", _ratio("strongest = layer_examples.top_values[:, 0]",
                                                       "strongest / gallery.final_losses")),
        ("the strongest unit's activation instead of the map's mean",
         _ratio("strongest = layer_examples.top_unit_values[:, 0]", "gallery.final_losses / strongest")),
        ("the ninth digit, not the first", _ratio("strongest = layer_examples.top_values[:, -1]",
                                                  "gallery.final_losses / strongest")),
        ("the mean of the nine strongest digits", _ratio("strongest = layer_examples.top_values.mean(axis=1)",
                                                         "gallery.final_losses / strongest")),
        ("the maps whose pattern does beat the digits",
         _ratio("strongest = layer_examples.top_values[:, 0]", "gallery.final_losses / strongest", "ratios3 > 1")),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = []
