"""Wrong answers for notebook 04's exercise (the input pixels a Conv2D_3 cell sees): the poolings' stride
forgotten (or only one of them counted), the window one pixel short (last pixel used as the range's stop),
the pooling window forgotten when walking back, and rows and columns swapped."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
WRONG_ANSWERS = [
    [  # exercise 1: input_window(row, col) -> (range of rows, range of columns)
        ("pooling stride forgotten: cells 1 pixel apart", '''def input_window(row, col):
    """(rows, cols) seen by cell (row, col) of Conv2D_3."""
    return range(row, row + 18), range(col, col + 18)
'''),
        ("only one pooling counted: cells 2 pixels apart", '''def input_window(row, col):
    """(rows, cols) seen by cell (row, col) of Conv2D_3."""
    return range(2 * row, 2 * row + 18), range(2 * col, 2 * col + 18)
'''),
        ("off by one: the last pixel used as the stop", '''def input_window(row, col):
    """(rows, cols) seen by cell (row, col) of Conv2D_3."""
    return range(4 * row, 4 * row + 17), range(4 * col, 4 * col + 17)
'''),
        ("pooling cell i taken as cell 2i only (window 2 too small per pooling)", '''def input_window(row, col):
    """(rows, cols) seen by cell (row, col) of Conv2D_3."""
    def back(first, last):
        for layer in ("Conv2D_3", "Max_Pool_2", "Conv2D_2", "Max_Pool_1", "Conv2D_1"):
            first, last = (first, last + 2) if layer.startswith("Conv") else (2 * first, 2 * last)
        return range(first, last + 1)

    return back(row, row), back(col, col)
'''),
        ("rows and columns swapped", '''def input_window(row, col):
    """(rows, cols) seen by cell (row, col) of Conv2D_3."""
    return range(4 * col, 4 * col + 18), range(4 * row, 4 * row + 18)
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = []
