"""Wrong answers for notebook 05's exercise: the Dense_1 nodes taken without ranking (nodes 0..k-1), ranked by
the signed separation (either way round: only nodes that fire more for one digit), ranked the wrong way round,
ranked on the test or training images instead of the validation images, ranked by the mean difference without
the standardization of section 7, or the classifier scored on the images it was fitted on."""
# One list per exercise cell (the code cells holding `# solution`, in notebook order). Each entry:
# (label, the whole exercise cell's source as a learner might write it).
WRONG_ANSWERS = [
    [  # exercise 1: accuracy_with_top_nodes(k) -> (test accuracy, nodes)
        ("no ranking: nodes 0..k-1", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the first k Dense_1 nodes."""
    nodes = np.arange(k)
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
        ("ranked by the signed separation", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the k nodes with the largest separation."""
    nodes = np.argsort(-separation)[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
        ("ranked by the signed separation, most negative first", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the k nodes with the smallest separation."""
    nodes = np.argsort(separation)[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
        ("ascending instead of descending |separation|", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on k nodes ranked by |separation|."""
    nodes = np.argsort(np.abs(separation))[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
        ("scored on the training images it was fitted on", '''def accuracy_with_top_nodes(k):
    """(accuracy, nodes) of a logistic regression on the k best-separating nodes."""
    nodes = np.argsort(-np.abs(separation), kind="stable")[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": train_acts["Dense_1"][:, nodes]}, y_tr)
    return result["nodes"][0], nodes
'''),
        ("ranked on the test images", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the k nodes that separate the test 4s and 9s best."""
    ranking = node_separation(test_acts["Dense_1"][y49 == 4], test_acts["Dense_1"][y49 == 9])
    nodes = np.argsort(-np.abs(ranking), kind="stable")[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
        ("ranked on the training images", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the k nodes that separate the training 4s and 9s best."""
    ranking = node_separation(train_acts["Dense_1"][~y_tr], train_acts["Dense_1"][y_tr])
    nodes = np.argsort(-np.abs(ranking), kind="stable")[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
        ("ranked by the mean difference, not standardized", '''def accuracy_with_top_nodes(k):
    """(test accuracy, nodes) of a logistic regression on the k nodes whose means differ most."""
    difference = val_acts["Dense_1"][y49_val == 4].mean(0) - val_acts["Dense_1"][y49_val == 9].mean(0)
    nodes = np.argsort(-np.abs(difference), kind="stable")[:k]
    result = linear_separability({"nodes": train_acts["Dense_1"][:, nodes]}, y_tr,
                                 {"nodes": test_acts["Dense_1"][:, nodes]}, y_te)
    return result["nodes"][0], nodes
'''),
    ],
]
# Wrong answers the self-check cannot tell from the solution, and why (listed, not tested).
INDISTINGUISHABLE = [
    ("nodes ranked on the test (or training) images, as far as k = 1 and 3 go",
     "for the reference model these rankings pick the same top 1 and top 3 nodes as the validation ranking; only "
     "the 10th node differs (|separation| 2.13 or 2.33 instead of 2.42 on the validation images), so the k = 10 "
     "check catches them here, but with another model whose top 10 agree they would pass"),
]
