"""Wrong answers for notebook 01's exercises: the output-size rule with a term missing, and the fourth
layer's size and receptive field with the wrong jump or an off-by-one."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
WRONG_ANSWERS = [
    [  # exercise 1: my_output_size(n, k, s, padding)
        ("valid without the + 1", '''def my_output_size(n, k, s, padding):
    """Side length of the map."""
    if padding == "valid":
        return (n - k) // s
    return -(-n // s)
'''),
        ("valid ignores the stride", '''def my_output_size(n, k, s, padding):
    """Side length of the map."""
    if padding == "valid":
        return n - k + 1
    return -(-n // s)
'''),
        ("same rounds down", '''def my_output_size(n, k, s, padding):
    """Side length of the map."""
    if padding == "valid":
        return (n - k) // s + 1
    return n // s
'''),
    ],
    [  # exercise 2: a fourth 3x3 conv layer after Conv2D_3
        ("receptive field grown with jump 1 (as if no pooling came before)", '''my_map_side = 1
my_receptive_field = 20
'''),
        ("receptive field grown with jump 2 (one pooling forgotten)", '''my_map_side = 1
my_receptive_field = 22
'''),
        ("map side off by one (n - k instead of n - k + 1)", '''my_map_side = 0
my_receptive_field = 26
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = []
