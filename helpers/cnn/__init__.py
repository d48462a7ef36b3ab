"""The CNN itself: how convolution and pooling work, training it, reading its errors (articles I–III;
notebooks 01–03). The model's layer plan and the reference model are in :mod:`helpers.model`.

``basics``      convolution, stride, padding, pooling, receptive fields in plain NumPy (notebook 01)
``training``    compiling and training, the learning-rate schedule, accuracy and predictions (02, 03)
``evaluation``  the confusion matrix read and drawn, predictions shown (02)
``descent``     SGD with and without momentum on a narrow valley (03)
``reference``   training the reference model with its record (03; ``python -m helpers train-reference``)
"""
