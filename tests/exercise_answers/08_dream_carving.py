"""Wrong answers for notebook 08's exercise (what iteration 1's full-image step adds to the photo, from the two
28×28 images): the difference of the 28×28 images enlarged in one go (back_to_size standardizes that
difference, so its strength is wrong), the same with a plain bicubic resize (the course's enlargement is
standardized, so the strength is off by the std of a bicubic enlargement), the sign flipped (before minus
after), the 28×28 difference not enlarged at all, and the carved image itself instead of its difference
from the photo (the correction added back), the enlarged carved image alone, or the change taken after the
final standardization (step.full minus the photo)."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
WRONG_ANSWERS = [
    [  # exercise 1: change_from_28(small_in, small_out) -> (SIZE, SIZE)
        ("the 28×28 difference enlarged with back_to_size in one go", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    difference = small_out - small_in
    return back_to_size(difference[None, :, :, None], SIZE).numpy()[0, :, :, 0]
'''),
        ("the 28×28 difference enlarged by a plain bicubic resize", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    difference = (small_out - small_in)[None, :, :, None]
    return tf.image.resize(difference, (SIZE, SIZE), method="bicubic", antialias=True).numpy()[0, :, :, 0]
'''),
        ("sign flipped: before minus after", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    before_ascent = back_to_size(small_in[None, :, :, None], SIZE).numpy()[0, :, :, 0]
    after_ascent = back_to_size(small_out[None, :, :, None], SIZE).numpy()[0, :, :, 0]
    return before_ascent - after_ascent
'''),
        ("not enlarged: the 28×28 difference", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    return small_out - small_in
'''),
        ("the carved image itself: enlarged + correction", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    after_ascent = back_to_size(small_out[None, :, :, None], SIZE).numpy()[0, :, :, 0]
    return after_ascent + one.preparation.correction
'''),
        ("only the enlarged carved image, the photo's blur not subtracted", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    return back_to_size(small_out[None, :, :, None], SIZE).numpy()[0, :, :, 0]
'''),
        ("after the final standardization: step.full minus the photo", '''def change_from_28(small_in, small_out):
    """(SIZE, SIZE): what iteration 1's full-image step adds to the photo, from its 28×28 images (28, 28)."""
    return step.full - one.original
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = [
    ("the change computed from the photo: step.enlarged + correction - photo",
     "not wrong but not from the 28×28 images as asked; by section 1 it is the same array to float precision"),
]
