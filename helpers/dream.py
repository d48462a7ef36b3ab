"""Dream carving (Deep Dreams I–III): amplify a map's pattern inside a photo.

The MNIST CNN only sees 28×28 images, so a large photo is carved in a cycle:

1. shrink the current image to 28×28 (bicubic, antialiased) and standardize it — the CNN's input;
2. run the OIP ascent (:meth:`helpers.oip.My_OIP.ascend`) for a few steps on it: the traces of the
   chosen map's pattern that the CNN finds in the photo get stronger;
3. enlarge the result to the working size again (bicubic) and standardize it;
4. add the *detail correction*: the original minus its shrunk-and-enlarged copy. That is exactly the
   detail the trip through 28×28 destroyed, so with nothing carved the original comes back;
5. standardize.

Deep Dreams III adds sub-images: after the full-image step of every iteration, the quadrants (all four,
some, or none) are cut out, carved at 28×28 with a map of their own (each with its own correction),
and pasted back. All chosen quadrants are carved together in one batched ascent.

The pitfall of the article's addendum: a quadrant of a standardized image is *not* standardized
itself (a dark corner may have mean -0.8 and std 0.4). The CNN needs it standardized, so each tile's
mean and std are recorded first, the carving happens in the tile's standardized units, and the
standardization is undone before the tile goes back (``undo_tile_standardization=True``, the default).
The article's first code pasted the carved, standardized tile directly; ``False`` reproduces that
naive paste, so notebook 08 can show the difference.

The algorithm returns arrays and never draws. There is no randomness unless ``noise > 0`` is asked
for (then ``seed`` makes it reproducible).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from .oip import My_OIP
from .photo import MIN_SIDE, Photo

CNN_SIZE = 28
QUADRANT_NAMES = {1: "top left", 2: "top right", 3: "bottom left", 4: "bottom right"}
ALL_QUADRANTS = (1, 2, 3, 4)
DEFAULT_STEPS = 30
DEFAULT_ITERATIONS = 4
# the article's display: gray values scaled by 1.1 and clipped at 85 % of the photo's smaller extreme
CLIP_FRACTION = 0.85
CLIP_GAIN = 1.1


class QuadrantSpecError(ValueError):
    """A quadrant selection that is not 'all', 'none' or a list of the numbers 1..4."""


# --------------------------------------------------------------------------------------------------
# Small building blocks (batched: images are (n, H, W, 1))
# --------------------------------------------------------------------------------------------------
def parse_quadrants(spec) -> tuple[int, ...]:
    """'all' → (1, 2, 3, 4); 'none', '', None → (); '1,4' or [1, 4] or 4 → the chosen ones, sorted.

    Quadrants are numbered like text is read: 1 top left, 2 top right, 3 bottom left, 4 bottom right.
    """
    if spec is None:
        return ()
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text == "all":
            return ALL_QUADRANTS
        if text in ("", "none"):
            return ()
        parts = [p.strip() for p in text.split(",")]
        if not all(p.isdigit() for p in parts):
            raise QuadrantSpecError(f"Quadrants must be 'all', 'none' or numbers 1..4 separated by commas "
                                    f"(e.g. '1,4'); got {spec!r}.")
        numbers = [int(p) for p in parts]
    else:
        items = [spec] if np.ndim(spec) == 0 else list(spec)
        if not all(isinstance(q, (int, np.integer)) and not isinstance(q, bool) for q in items):
            raise QuadrantSpecError(f"Quadrants must be the integers 1..4; got {spec!r}.")
        numbers = [int(q) for q in items]
    bad = [q for q in numbers if q not in QUADRANT_NAMES]
    if bad:
        raise QuadrantSpecError(f"There is no quadrant {bad[0]}: they are 1 (top left), 2 (top right), "
                                f"3 (bottom left) and 4 (bottom right).")
    if len(set(numbers)) != len(numbers):
        raise QuadrantSpecError(f"Each quadrant may be chosen once; got {spec!r}.")
    return tuple(sorted(numbers))


def _resize(images, size: int):
    # antialias matters when shrinking (560 → 28): without it bicubic would sample, not average
    return tf.image.resize(images, (size, size), method="bicubic", antialias=True)


def cnn_input(images) -> tf.Tensor:
    """Shrink (n, H, W, 1) images to the CNN's 28×28 and standardize them."""
    return tf.image.per_image_standardization(_resize(tf.convert_to_tensor(images, tf.float32), CNN_SIZE))


def back_to_size(small, size: int) -> tf.Tensor:
    """Enlarge (n, 28, 28, 1) images to ``size`` (bicubic) and standardize them."""
    return tf.image.per_image_standardization(_resize(tf.convert_to_tensor(small, tf.float32), size))


def detail_correction(images) -> np.ndarray:
    """What the trip through 28×28 loses: ``images - back_to_size(cnn_input(images))``, (n, H, W, 1).

    Adding it to the enlarged copy gives the original back; adding it to an enlarged *carved* copy
    puts the photo's fine detail back on top of the carved pattern.
    """
    x = np.asarray(images, np.float32)
    return x - back_to_size(cnn_input(x), x.shape[1]).numpy()


def quadrant_slices(size: int) -> dict:
    """{quadrant: (row slice, column slice)} for a square image of even side ``size``."""
    h = size // 2
    first, second = slice(0, h), slice(h, size)
    return {1: (first, first), 2: (first, second), 3: (second, first), 4: (second, second)}


def cut_quadrants(image, quadrants) -> np.ndarray:
    """The chosen quadrants of a (S, S) or (1, S, S, 1) image as a batch (n, S/2, S/2, 1)."""
    x = np.asarray(image, np.float32)
    x = x[0, :, :, 0] if x.ndim == 4 else x
    sl = quadrant_slices(x.shape[0])
    return np.stack([x[sl[q]] for q in quadrants])[..., None]


def paste_quadrants(image, tiles, quadrants) -> np.ndarray:
    """A copy of the (S, S) image with the tiles (n, S/2, S/2[, 1]) put into the chosen quadrants."""
    out = np.array(image, np.float32, copy=True)
    sl = quadrant_slices(out.shape[0])
    for q, tile in zip(quadrants, np.asarray(tiles, np.float32)):
        out[sl[q]] = tile.reshape(out[sl[q]].shape)
    return out


def tile_statistics(tiles) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of each tile (n, h, w, 1), the std floored like ``tf.image.per_image_standardization``
    (so standardizing with them and undoing it are exact inverses)."""
    x = np.asarray(tiles, np.float32)
    n_pixels = np.prod(x.shape[1:])
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1.0 / np.sqrt(n_pixels))
    return mean.astype(np.float32), std.astype(np.float32)


def clip_contrast(image, reference=None, fraction: float = CLIP_FRACTION, gain: float = CLIP_GAIN) -> np.ndarray:
    """The article's display contrast for carved images, mapped to [0, 1].

    The standardized image is multiplied by ``gain`` and clipped to ±``fraction`` × the smaller of
    |min| and |max| of ``reference`` (the original photo; default the image itself). That cuts off the
    few extreme pixels and spreads the rest over the whole gray range.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1]; got {fraction}.")
    if gain <= 0:
        raise ValueError(f"gain must be positive; got {gain}.")
    x = np.asarray(image, np.float32)
    ref = x if reference is None else np.asarray(reference, np.float32)
    limit = fraction * min(abs(float(ref.min())), abs(float(ref.max())))
    if limit <= 0:
        return np.zeros_like(x)
    return (np.clip(gain * x, -limit, limit) + limit) / (2 * limit)


def check_png_path(path, overwrite: bool = False) -> Path:
    """The output path of a dream PNG, checked before any slow work: .png, and no silent overwrite."""
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise ValueError(f"The dream is written as a PNG file; give a name ending in .png (got {p}).")
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p} exists; choose another name or allow overwriting (overwrite=True, --overwrite).")
    if p.exists() and p.is_dir():
        raise ValueError(f"{p} is a directory; give a file name ending in .png.")
    return p


def save_png(image, path, overwrite: bool = False) -> Path:
    """Write a display image with values in [0, 1] (e.g. from :func:`clip_contrast`) as an 8-bit gray PNG."""
    from PIL import Image

    p = check_png_path(path, overwrite)
    x = np.clip(np.asarray(image, np.float32), 0, 1)
    if x.ndim != 2:
        raise ValueError(f"save_png writes one gray image (H, W); got shape {x.shape}.")
    p.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.round(x * 255).astype(np.uint8), mode="L").save(p)
    return p


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
@dataclass
class CarvingPreparation:
    """Everything prepared before the first iteration (the notebook's preparation figure).

    Full image: ``image`` (standardized), ``small`` (28×28 CNN input), ``enlarged`` (back to the working
    size: detail lost), ``correction`` and ``restored`` = enlarged + correction (= image).
    Quadrants (only the chosen ones): ``tiles`` cut from the image, ``tiles_small`` (their CNN inputs),
    ``tile_corrections`` and ``tiles_restored``; ``tile_mean``/``tile_std`` are the tiles' own statistics.
    With ``undo_tile_standardization`` the tile corrections are in the tiles' standardized units.
    """

    image: np.ndarray
    small: np.ndarray
    enlarged: np.ndarray
    correction: np.ndarray
    restored: np.ndarray
    quadrants: tuple
    tiles: np.ndarray
    tiles_small: np.ndarray
    tile_corrections: np.ndarray
    tiles_restored: np.ndarray
    tile_mean: np.ndarray
    tile_std: np.ndarray
    undo_tile_standardization: bool

    def reassembled(self) -> np.ndarray:
        """The image with every chosen quadrant replaced by its restored tile (= the image again)."""
        return paste_quadrants(self.image, self.tiles_restored, self.quadrants)


@dataclass
class CarvingStep:
    """The intermediate images of one iteration (kept with ``keep_steps=True``)."""

    iteration: int
    small_in: np.ndarray          # (28, 28) the CNN input made from the current image
    small_out: np.ndarray         # (28, 28) after the ascent for the full-image map
    enlarged: np.ndarray          # (S, S) small_out back at the working size (no detail)
    full: np.ndarray              # (S, S) enlarged + correction, standardized
    tiles_in: np.ndarray          # (n, S/2, S/2) quadrants cut from `full`
    tiles_small_in: np.ndarray    # (n, 28, 28)
    tiles_small_out: np.ndarray   # (n, 28, 28) after the ascent for the sub-image maps
    tiles_out: np.ndarray         # (n, S/2, S/2) carved tiles as they were pasted
    result: np.ndarray            # (S, S) after pasting, standardized: the next iteration's start
    full_losses: np.ndarray       # (steps,) mean activation of the full-image map before each step
    tile_losses: np.ndarray       # (steps, n)


@dataclass
class DreamResult:
    """A carved image and how it was made. ``image`` is standardized; :meth:`display` makes it viewable."""

    image: np.ndarray                 # (S, S) final image, standardized
    original: np.ndarray              # (S, S) the standardized photo it started from
    preparation: CarvingPreparation
    map_index: int
    sub_maps: tuple                   # one map per chosen quadrant
    quadrants: tuple
    iterations: int
    steps: int
    epsilon: float
    undo_tile_standardization: bool
    noise: float
    seed: int | None
    layer_name: str
    full_losses: np.ndarray           # (iterations, steps)
    tile_losses: np.ndarray           # (iterations, steps, n)
    history: list = field(default_factory=list)   # CarvingStep per iteration (with keep_steps)

    @property
    def size(self) -> int:
        return int(self.image.shape[0])

    def silent_regions(self) -> list[str]:
        """Regions whose map never fired (activation 0 in every step): nothing was carved there."""
        out = []
        if self.full_losses.size and not np.any(self.full_losses > 0):
            out.append(f"full image (map {self.map_index})")
        for k, (q, m) in enumerate(zip(self.quadrants, self.sub_maps)):
            if self.tile_losses.size and not np.any(self.tile_losses[:, :, k] > 0):
                out.append(f"quadrant {q} (map {m})")
        return out

    @property
    def message(self) -> str:
        silent = self.silent_regions()
        if not silent:
            return ""
        return (f"The map did not respond in: {', '.join(silent)}; nothing was carved there. "
                "Try another map, or noise=0.2 (--noise 0.2) to give the ascent a start.")

    def display(self, contrast: str = "clip") -> np.ndarray:
        """The image in [0, 1] for showing or saving: ``"clip"`` (the article's clipping, relative to the
        original photo's range), ``"oip"`` (helpers.oip_display.enhance_contrast) or ``"none"``."""
        from .oip_display import enhance_contrast, to_unit_range

        if contrast == "clip":
            return clip_contrast(self.image, reference=self.original)
        if contrast == "oip":
            return enhance_contrast(self.image, centre_move=0.46, fact=0.8)
        if contrast == "none":
            return to_unit_range(self.image)
        raise ValueError(f"contrast must be 'clip', 'oip' or 'none'; got {contrast!r}.")

    def save_png(self, path, overwrite: bool = False, contrast: str = "clip") -> Path:
        """Write :meth:`display` as a gray PNG; refuses to replace an existing file unless ``overwrite``."""
        return save_png(self.display(contrast), path, overwrite)

    def __repr__(self):
        q = ",".join(map(str, self.quadrants)) or "none"
        return (f"DreamResult({self.size}×{self.size}, map {self.map_index}, quadrants {q}, sub-maps "
                f"{list(self.sub_maps)}, {self.iterations} iterations × {self.steps} steps)")


# --------------------------------------------------------------------------------------------------
# The carver
# --------------------------------------------------------------------------------------------------
class DreamCarver:
    """Carve photos with the maps of one layer of a CNN (default: the reference model's Conv2D_3).

    >>> carver = DreamCarver()
    >>> dream = carver.carve(load_photo("default"), map_index=56, quadrants="all")
    >>> plt.imshow(dream.display(), cmap="gray")

    Keep one carver for many carvings: the compiled ascent is traced once.
    """

    def __init__(self, model_or_path=None, layer_name: str = "Conv2D_3", oip: My_OIP | None = None):
        # My_OIP checks the model and the layer and says which layers would be valid
        self.oip = oip if oip is not None else My_OIP(model_or_path, layer_name)

    @property
    def layer_name(self) -> str:
        return self.oip.layer_name

    @property
    def n_maps(self) -> int:
        return self.oip.n_maps

    def __repr__(self):
        return f"DreamCarver(layer={self.layer_name!r}, maps={self.n_maps})"

    # -- checks ------------------------------------------------------------------------------------
    @staticmethod
    def _image(image, quadrants) -> np.ndarray:
        """A Photo or a square 2-D array → standardized (S, S) float32."""
        x = image.image if isinstance(image, Photo) else np.asarray(image, np.float32)
        if x.ndim != 2 or x.shape[0] != x.shape[1]:
            raise ValueError(f"Carve a square gray image (S, S) or a Photo from load_photo(); got shape {x.shape}.")
        if x.shape[0] < MIN_SIDE:
            raise ValueError(f"The image is {x.shape[0]} px wide; the carving needs at least {MIN_SIDE} px.")
        if quadrants and (x.shape[0] % 2 or x.shape[0] < 2 * MIN_SIDE):
            raise ValueError(f"Carving quadrants needs an even working size of at least {2 * MIN_SIDE} px "
                             f"(each quadrant at least {MIN_SIDE} px); got {x.shape[0]}.")
        if not np.all(np.isfinite(x)):
            raise ValueError("The image contains NaN or infinite values.")
        return tf.image.per_image_standardization(x[None, :, :, None]).numpy()[0, :, :, 0]

    def _sub_maps(self, sub_maps, map_index, quadrants) -> tuple:
        if not quadrants:
            return ()
        if sub_maps is None:
            maps = [map_index] * len(quadrants)
        elif np.ndim(sub_maps) == 0:
            maps = [sub_maps] * len(quadrants)
        else:
            maps = list(sub_maps)
            if len(maps) != len(quadrants):
                raise ValueError(f"Give one sub-image map, or one per chosen quadrant {list(quadrants)}; "
                                 f"got {len(maps)} maps.")
        return tuple(int(m) for m in self.oip._check_maps(maps))  # My_OIP's own range/type errors

    def responsive_maps(self, image, quadrants="all") -> np.ndarray:
        """Maps that fire (mean activation > 0) on the 28×28 versions of the image AND of each chosen
        quadrant, the most strongly responding first (ranked by their weakest region). A map that stays
        silent on a region cannot carve it: its gradient is zero there."""
        prep = self.prepare(image, quadrants)
        acts = self.oip.map_activations(np.concatenate([prep.small[None], prep.tiles_small]))
        weakest = acts.min(axis=0)
        live = np.flatnonzero(weakest > 0)
        return live[np.argsort(-weakest[live], kind="stable")]

    # -- preparation -------------------------------------------------------------------------------
    def prepare(self, image, quadrants="all", undo_tile_standardization: bool = True) -> CarvingPreparation:
        """Step 1–6 of the article: the CNN inputs, the enlarged copies and the detail corrections."""
        quads = parse_quadrants(quadrants)
        x = self._image(image, quads)
        batch = x[None, :, :, None]
        small = cnn_input(batch)
        enlarged = back_to_size(small, x.shape[0]).numpy()
        correction = batch - enlarged
        empty = np.zeros((0, x.shape[0] // 2, x.shape[0] // 2, 1), np.float32)
        tiles, tiles_small, tile_corr, tiles_restored = empty, empty[:, :CNN_SIZE, :CNN_SIZE], empty, empty
        mean = std = np.zeros((0, 1, 1, 1), np.float32)
        if quads:
            tiles = cut_quadrants(x, quads)
            mean, std = tile_statistics(tiles)
            # careful: the tile's detail in its own standardized units; naive (the article): raw units
            basis = (tiles - mean) / std if undo_tile_standardization else tiles
            tiles_small = cnn_input(basis).numpy()
            tile_enlarged = back_to_size(tiles_small, tiles.shape[1]).numpy()
            tile_corr = basis - tile_enlarged
            restored = tile_enlarged + tile_corr
            tiles_restored = restored * std + mean if undo_tile_standardization else restored
        return CarvingPreparation(
            image=x, small=small.numpy()[0, :, :, 0], enlarged=enlarged[0, :, :, 0],
            correction=correction[0, :, :, 0], restored=(enlarged + correction)[0, :, :, 0], quadrants=quads,
            tiles=tiles[..., 0], tiles_small=tiles_small[..., 0], tile_corrections=tile_corr[..., 0],
            tiles_restored=tiles_restored[..., 0], tile_mean=mean.reshape(-1), tile_std=std.reshape(-1),
            undo_tile_standardization=bool(undo_tile_standardization))

    # -- carving -----------------------------------------------------------------------------------
    def _ascend(self, small, maps, steps, epsilon, noise, rng):
        if noise > 0:
            small = small + noise * rng.standard_normal(small.shape).astype(np.float32)
        if steps == 0:  # nothing to carve; the ascent would only standardize
            small = tf.image.per_image_standardization(np.asarray(small, np.float32)).numpy()
            return small, np.zeros((0, len(small)), np.float32)
        return self.oip.ascend(small, maps, steps, epsilon)

    def carve(self, image, map_index: int, sub_maps=None, quadrants="all", iterations: int = DEFAULT_ITERATIONS,
              steps: int = DEFAULT_STEPS, epsilon: float = 0.01, undo_tile_standardization: bool = True,
              noise: float = 0.0, seed: int | None = None, keep_steps: bool = False,
              progress: bool = False) -> DreamResult:
        """Carve ``map_index``'s pattern into the image, and the sub-image maps into the chosen quadrants.

        image: a :class:`~helpers.photo.Photo` or a square gray array (it is standardized first).
        sub_maps: None (the full image's map), one map, or one map per chosen quadrant.
        quadrants: 'all', 'none', '1,4', [1, 4], ... (1 top left, 2 top right, 3 bottom left, 4 bottom right).
        iterations, steps, epsilon: carving cycles, OIP steps per cycle (the article: 20–40), step size.
        undo_tile_standardization: False pastes tiles the naive way (the article's addendum pitfall).
        noise, seed: optional Gaussian fluctuations (std ``noise``) added to each 28×28 input before its
        ascent — a start for maps that do not respond to the photo; ``seed`` makes them reproducible.
        keep_steps: keep every iteration's intermediate images in ``result.history``.
        progress: show the iterations on stderr.
        """
        from .progress import counter

        quads = parse_quadrants(quadrants)
        full_map = int(self.oip._check_maps([map_index])[0])
        subs = self._sub_maps(sub_maps, map_index, quads)
        for name, value, low in (("iterations", iterations, 0), ("steps", steps, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be an integer ≥ {low}; got {value!r}.")
        if not epsilon > 0:
            raise ValueError(f"epsilon (the ascent's step size) must be positive; got {epsilon}.")
        if not noise >= 0:
            raise ValueError(f"noise must be ≥ 0 (0 switches it off); got {noise}.")
        prep = self.prepare(image, quads, undo_tile_standardization)
        rng = np.random.default_rng(seed)
        current = prep.image
        full_losses, tile_losses, history = [], [], []
        for it in counter(range(iterations), iterations, "carving: iteration", enabled=bool(progress)):
            parts = self._carve_full_image(current, full_map, prep.correction, steps, epsilon, noise, rng)
            parts.update(self._carve_quadrants(parts["full"], quads, subs, prep.tile_corrections,
                                               undo_tile_standardization, steps, epsilon, noise, rng))
            full_losses.append(parts["full_losses"])
            tile_losses.append(parts["tile_losses"])
            if keep_steps:
                history.append(CarvingStep(iteration=it, **parts))
            current = parts["result"]
        return DreamResult(
            image=current, original=prep.image, preparation=prep, map_index=full_map, sub_maps=subs,
            quadrants=quads, iterations=int(iterations), steps=int(steps), epsilon=float(epsilon),
            undo_tile_standardization=bool(undo_tile_standardization), noise=float(noise), seed=seed,
            layer_name=self.layer_name,
            full_losses=np.array(full_losses, np.float32).reshape(iterations, steps),
            tile_losses=np.array(tile_losses, np.float32).reshape(iterations, steps, len(quads)),
            history=history)

    def _carve_full_image(self, current, map_index, correction, steps, epsilon, noise, rng) -> dict:
        """Steps 1–4 of an iteration: shrink, ascend, enlarge, put the photo's detail back."""
        small_in = cnn_input(current[None, :, :, None]).numpy()
        small_out, losses = self._ascend(small_in, [map_index], steps, epsilon, noise, rng)
        enlarged = back_to_size(small_out, current.shape[0]).numpy()[0, :, :, 0]
        full = tf.image.per_image_standardization((enlarged + correction)[None, :, :, None]).numpy()[0, :, :, 0]
        return dict(small_in=small_in[0, :, :, 0], small_out=small_out[0, :, :, 0], enlarged=enlarged, full=full,
                    full_losses=losses[:, 0])

    def _carve_quadrants(self, full, quadrants, maps, tile_corrections, undo_tile_standardization, steps, epsilon,
                         noise, rng) -> dict:
        """Steps 5–9: cut the quadrants from the carved full image, carve them together in one batched
        ascent, and paste them back."""
        half = full.shape[0] // 2
        if not quadrants:
            none, none_small = np.zeros((0, half, half), np.float32), np.zeros((0, CNN_SIZE, CNN_SIZE), np.float32)
            return dict(tiles_in=none, tiles_small_in=none_small, tiles_small_out=none_small, tiles_out=none,
                        tile_losses=np.zeros((steps, 0), np.float32), result=full)
        tiles = cut_quadrants(full, quadrants)
        if undo_tile_standardization:
            mean, std = tile_statistics(tiles)       # recorded, so the standardization can be undone below
            tiles_std_units = (tiles - mean) / std
        else:
            tiles_std_units = tiles                  # the naive way: the tile's own statistics are forgotten
        small_in = cnn_input(tiles_std_units).numpy()
        small_out, losses = self._ascend(small_in, list(maps), steps, epsilon, noise, rng)
        carved = back_to_size(small_out, half).numpy() + tile_corrections[..., None]
        if undo_tile_standardization:
            carved = carved * std + mean             # back to the full image's units before pasting
        result = tf.image.per_image_standardization(
            paste_quadrants(full, carved, quadrants)[None, :, :, None]).numpy()[0, :, :, 0]
        return dict(tiles_in=tiles[..., 0], tiles_small_in=small_in[..., 0], tiles_small_out=small_out[..., 0],
                    tiles_out=carved[..., 0], tile_losses=losses, result=result)


def carve_photo(photo="default", map_index: int = 56, *, size: int = 560, fit: str = "crop", model_or_path=None,
                layer_name: str = "Conv2D_3", **carve_kwargs) -> DreamResult:
    """One call from a photo (path, 'default' or a Photo) to a dream; see :meth:`DreamCarver.carve`.
    For several carvings build one :class:`DreamCarver` and reuse it (it compiles once)."""
    from .photo import load_photo

    carver = DreamCarver(model_or_path, layer_name)
    if not isinstance(photo, Photo):
        photo = load_photo(photo, size=size, fit=fit)
    return carver.carve(photo, map_index, **carve_kwargs)
