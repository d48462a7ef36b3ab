"""Wrong answers for notebook 07's exercise (covered_width): one jump too many (counting n steps between
n nodes), the fields laid side by side as if they did not overlap, a single node's field, the index of the
last pixel instead of a count, and the first wrong formula clipped to the 28-pixel image."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it). The test runs the student
# notebook once in quick mode, then for each entry runs this source and the exercise's self-check cell(s),
# and asserts the self-check fails with an AssertionError carrying a message; then the solution passes.
_DOC = '''    """Number of input pixels along one axis, from pixel 0 on, that the ``n_nodes`` nodes of a map see
    together, when each sees ``field`` pixels and neighbouring nodes are ``jump`` pixels apart."""
'''
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
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = []
