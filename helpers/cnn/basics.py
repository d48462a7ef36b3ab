"""Convolution, stride, padding, pooling, receptive fields and parameter counts on one image (article I).

Everything here works on a single 2-D image with NumPy, so each step can be printed and drawn. The
results are the same as Keras' Conv2D and MaxPooling2D compute (the tests check that): a CNN
"convolution" slides the kernel over the image *without* flipping it (strictly, a cross-correlation).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Hand-made 3×3 kernels. Each one answers a question about the 3×3 neighbourhood of a pixel.
EXAMPLE_KERNELS = {
    # bright above, dark below → large positive response along the lower edge of a horizontal stroke
    # (MNIST strokes are white ink on black: the stroke is above, the background below)
    "horizontal edges": np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=np.float32),
    # bright left, dark right → large positive response along the right edge of a vertical stroke
    "vertical edges": np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float32),
    # the mean of the neighbourhood: smooths the image
    "blur": np.full((3, 3), 1.0 / 9.0, dtype=np.float32),
    # the pixel minus its neighbours, added to itself: boosts local contrast
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32),
}

PADDINGS = ("valid", "same")


def _check_padding(padding: str) -> str:
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}; got {padding!r}.")
    return padding


def conv_output_size(n: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Length of one side of a conv or pooling output, as Keras computes it.

    valid: the kernel must fit completely → floor((n - k) / s) + 1.
    same:  zeros are added around the border so that every s-th pixel gets an output → ceil(n / s).
    Taught in notebook 01, section 3.
    """
    _check_padding(padding)
    if n < 1 or kernel_size < 1 or stride < 1:
        raise ValueError(f"n, kernel_size and stride must be ≥ 1; got n={n}, kernel_size={kernel_size}, "
                         f"stride={stride}.")
    if padding == "same":
        return -(-n // stride)
    if kernel_size > n:
        raise ValueError(f"A {kernel_size}-wide kernel does not fit into {n} pixels with 'valid' padding.")
    return (n - kernel_size) // stride + 1


def same_padding(n: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) along one side for 'same' padding; the odd one goes after, as in TensorFlow.
    Used by :func:`convolve` and :func:`receptive_fields`."""
    out = conv_output_size(n, kernel_size, stride, "same")
    total = max((out - 1) * stride + kernel_size - n, 0)
    return total // 2, total - total // 2


def convolve(image, kernel, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Slide ``kernel`` over a 2-D ``image``: at every position, multiply element-wise and sum.

    Returns the map (float32) of shape conv_output_size(...) along each side. No kernel flip, no bias,
    no activation: exactly what one filter of a Conv2D layer computes before its bias and ReLU.
    Taught in notebook 01, section 2.
    """
    img = np.asarray(image, dtype=np.float32)
    ker = np.asarray(kernel, dtype=np.float32)
    if img.ndim != 2 or ker.ndim != 2:
        raise ValueError(f"convolve works on one 2-D image and one 2-D kernel; got shapes {img.shape} and {ker.shape}.")
    _check_padding(padding)
    if padding == "same":
        pads = [same_padding(n, k, stride) for n, k in zip(img.shape, ker.shape)]
        img = np.pad(img, pads)
    out_h = conv_output_size(img.shape[0], ker.shape[0], stride, "valid")
    out_w = conv_output_size(img.shape[1], ker.shape[1], stride, "valid")
    # every kh×kw window of the image, then keep every stride-th one
    windows = np.lib.stride_tricks.sliding_window_view(img, ker.shape)[::stride, ::stride][:out_h, :out_w]
    return np.einsum("ijkl,kl->ij", windows, ker).astype(np.float32)


def max_pool(feature_map, size: int = 2) -> np.ndarray:
    """Non-overlapping size×size max pooling of a 2-D map (stride = size, 'valid': a leftover row is dropped).
    Taught in notebook 01, section 4."""
    m = np.asarray(feature_map)
    if m.ndim != 2:
        raise ValueError(f"max_pool works on one 2-D map; got shape {m.shape}.")
    h, w = conv_output_size(m.shape[0], size, size), conv_output_size(m.shape[1], size, size)
    blocks = m[: h * size, : w * size].reshape(h, size, w, size)
    return blocks.max(axis=(1, 3))


@dataclass(frozen=True)
class LayerGeometry:
    """Where one spatial layer's outputs look in the input image.
    Returned by :func:`receptive_fields`; used in notebook 01, section 5.

    receptive_field: side length (pixels of the input) that one output value depends on.
    jump: distance in input pixels between two neighbouring output values.
    start: input coordinate (pixel centres at 0, 1, 2, ...) of the centre of output value (0, 0).
    """

    name: str
    kind: str
    output_shape: tuple
    kernel_size: int
    stride: int
    receptive_field: int
    jump: int
    start: float

    def region(self, index: int) -> tuple[float, float]:
        """First and last input pixel (inclusive, may lie outside the image) seen by output ``index``."""
        centre = self.start + index * self.jump
        half = (self.receptive_field - 1) / 2
        return centre - half, centre + half


def receptive_fields(model, input_size: int | None = None) -> list[LayerGeometry]:
    """Output shape and receptive field of every Conv2D / MaxPooling2D layer of ``model``, in order.

    Uses the standard recursion: a layer with kernel k and stride s on an input whose values are
    ``jump`` pixels apart grows the field by (k - 1) * jump and multiplies the jump by s. Stops at the
    first layer that is not spatial (Flatten, Dense: they see the whole image).
    Taught in notebook 01, section 5.
    """
    import keras

    if input_size is None:
        input_size = model.input_shape[1]
    size, field, jump, start = input_size, 1, 1, 0.0
    result = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Conv2D):
            kind, k, s = "conv", layer.kernel_size[0], layer.strides[0]
        elif isinstance(layer, keras.layers.MaxPooling2D):
            kind, k, s = "pool", layer.pool_size[0], layer.strides[0]
        else:
            break
        padding = layer.padding
        pad_before = same_padding(size, k, s)[0] if padding == "same" else 0
        size = conv_output_size(size, k, s, padding)
        start = start + ((k - 1) / 2 - pad_before) * jump
        field = field + (k - 1) * jump
        jump = jump * s
        result.append(LayerGeometry(layer.name, kind, tuple(layer.output.shape[1:]), k, s, field, jump, start))
    if not result:
        raise ValueError(f"Model {model.name!r} has no Conv2D or MaxPooling2D layer before its first other layer.")
    return result


def mlp_param_count(layer_sizes) -> int:
    """Weights + biases of a fully connected network with the given layer sizes, e.g. (784, 100, 10).
    Taught in notebook 01, section 6."""
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"Give at least an input and an output size, all ≥ 1; got {layer_sizes}.")
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def params_per_layer(model) -> dict[str, int]:
    """{layer name: number of trainable numbers} for the layers that have any. Taught in notebook 01, section 6."""
    return {layer.name: int(layer.count_params()) for layer in model.layers if layer.count_params()}


# ---------------------------------------------------------------------------------------- figures
def plot_maps(maps, titles=None, *, suptitle: str | None = None, ncols: int | None = None, cmap: str = "gray",
              colorbar: bool = True, symmetric: bool = False, size: float = 2.6):
    """Draw 2-D arrays side by side (image, kernels, maps), each with its own colour scale.
    Used in notebooks 01 (sections 1-4) and 02 (section 2).

    symmetric: centre each colour scale on 0 (use with a diverging cmap such as "RdBu_r", so that
    positive and negative responses get opposite colours and 0 is white).
    """
    import matplotlib.pyplot as plt

    maps = [np.asarray(m) for m in maps]
    titles = list(titles) if titles is not None else [f"{m.shape[0]}×{m.shape[1]}" for m in maps]
    if len(titles) != len(maps):
        raise ValueError(f"Got {len(maps)} maps but {len(titles)} titles.")
    ncols = ncols or len(maps)
    nrows = -(-len(maps) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.05), squeeze=False,
                             constrained_layout=True)
    for ax in axes.flat[len(maps):]:
        ax.axis("off")
    for ax, m, title in zip(axes.flat, maps, titles):
        limit = float(np.abs(m).max()) or 1.0
        im = ax.imshow(m, cmap=cmap, vmin=-limit if symmetric else None, vmax=limit if symmetric else None)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if colorbar:
            fig.colorbar(im, ax=ax, shrink=0.8)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_receptive_fields(image, geometries, *, index: int | None = None, title: str | None = None):
    """Draw, on ``image``, the input square that one output value of each layer depends on.
    Taught in notebook 01, section 5.

    ``index`` picks the output position (row = column) in every layer; by default the one whose
    centre lies closest to the image centre.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    img = np.asarray(image)
    fig, ax = plt.subplots(figsize=(5.5, 5.5), constrained_layout=True)
    ax.imshow(img, cmap="gray_r")
    colors = plt.cm.viridis(np.linspace(0.0, 0.9, len(geometries)))
    ax.add_patch(Rectangle((-0.5, -0.5), img.shape[1], img.shape[0], fill=False, ls=":", ec="gray",
                           label=f"the image, {img.shape[0]}×{img.shape[1]}"))
    centre = (img.shape[0] - 1) / 2
    for geo, color in zip(geometries, colors):
        n = geo.output_shape[0]
        i = index if index is not None else int(np.clip(round((centre - geo.start) / geo.jump), 0, n - 1))
        first, last = geo.region(i)
        ax.add_patch(Rectangle((first - 0.5, first - 0.5), geo.receptive_field, geo.receptive_field, fill=False,
                               lw=2.2, ec=color,
                               label=f"{geo.name} {n}×{n}: one value sees {geo.receptive_field}×{geo.receptive_field}"))
    ax.set_xlim(-3.5, img.shape[1] + 2.5)
    ax.set_ylim(img.shape[0] + 2.5, -3.5)
    ax.set_xlabel("input column (pixel)")
    ax.set_ylabel("input row (pixel)")
    ax.set_title(title or "Receptive field of one value in each layer")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=9, ncol=1)
    return fig
