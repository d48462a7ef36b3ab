"""Wrong answers for notebook 02's exercise: the per-digit accuracy divided along the wrong axis or by
the wrong total, and the hardest digit read from counts or with argmax."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
WRONG_ANSWERS = [
    [  # the exercise: my_per_class_accuracy(cm) and my_hardest_digit
        ("divided by the column sums (that is the precision per predicted digit)", '''def my_per_class_accuracy(cm):
    """The 10 accuracies."""
    return np.diag(cm) / cm.sum(axis=0)


my_hardest_digit = int(np.argmin(my_per_class_accuracy(cm)))
'''),
        ("divided by all test images instead of the images of each digit", '''def my_per_class_accuracy(cm):
    """The 10 accuracies."""
    return np.diag(cm) / cm.sum()


my_hardest_digit = int(np.argmin(my_per_class_accuracy(cm)))
'''),
        ("the hardest digit with argmax", '''def my_per_class_accuracy(cm):
    """The 10 accuracies."""
    return np.diag(cm) / cm.sum(axis=1)


my_hardest_digit = int(np.argmax(my_per_class_accuracy(cm)))
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = [
    ("the hardest digit as the one with the most errors (a count, not a rate)",
     "each digit has 892-1,135 test images, so the digit with the most errors is also the one with the lowest "
     "rate in the notebook's runs; the check compares with the rate's argmin and cannot see which was used"),
]
