"""The carving cycle: DreamCarver runs the OIP ascent on a photo, full image and quadrants
(Deep Dreams I-III; notebook 08, sections 3-6)."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from ..arguments import check_count, check_non_negative, check_positive, check_seed
from ..data import check_finite
from ..oip import My_OIP
from ..oip.constants import EPSILON
from .photo import MIN_SIDE, Photo
from .images import (CNN_SIZE, back_to_size, cnn_input, cut_quadrants, parse_quadrants, paste_quadrants,
                     tile_statistics)
from .results import CarvingPreparation, CarvingStep, DreamResult


DEFAULT_STEPS = 30


DEFAULT_ITERATIONS = 4


class DreamCarver:
    """Carve photos with the maps of one layer of a CNN (default: the reference model's Conv2D_3).
    Built in notebook 08's setup cell and used in sections 1-8.

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
        check_finite(x[None], what="photo")
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
        return tuple(int(m) for m in self.oip.check_maps(maps))  # My_OIP's own range/type errors

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
              steps: int = DEFAULT_STEPS, epsilon: float = EPSILON, undo_tile_standardization: bool = True,
              noise: float = 0.0, seed: int | None = None, keep_steps: bool = False,
              progress: bool = False) -> DreamResult:
        """Carve ``map_index``'s pattern into the image, and the sub-image maps into the chosen quadrants.

        image: a :class:`~helpers.dream.photo.Photo` or a square gray array (it is standardized first).
        sub_maps: None (the full image's map), one map, or one map per chosen quadrant.
        quadrants: 'all', 'none', '1,4', [1, 4], ... (1 top left, 2 top right, 3 bottom left, 4 bottom right).
        iterations, steps, epsilon: carving cycles, OIP steps per cycle (the article: 20–40), step size.
        undo_tile_standardization: False pastes tiles the naive way (the article's addendum pitfall).
        noise, seed: optional Gaussian fluctuations (std ``noise``) added to each 28×28 input before its
        ascent — a start for maps that do not respond to the photo; ``seed`` makes them reproducible.
        keep_steps: keep every iteration's intermediate images in ``result.history``.
        progress: show a progress bar of the iterations (tqdm: a widget in a notebook, stderr in a terminal).
        """
        from tqdm.auto import tqdm

        quads = parse_quadrants(quadrants)
        full_map = int(self.oip.check_maps([map_index])[0])
        subs = self._sub_maps(sub_maps, map_index, quads)
        iterations, steps = check_count("iterations", iterations, 0), check_count("steps", steps, 0)
        epsilon = check_positive("epsilon (the ascent's step size)", epsilon)
        noise = check_non_negative("noise", noise)
        prep = self.prepare(image, quads, undo_tile_standardization)
        rng = np.random.default_rng(check_seed("seed", seed))
        current = prep.image
        full_losses, tile_losses, history = [], [], []
        for it in tqdm(range(iterations), desc="carving", unit="iteration", disable=not progress):
            parts = self.carve_full_image(current, full_map, prep.correction, steps, epsilon, noise, rng)
            parts.update(self.carve_quadrants(parts["full"], quads, subs, prep.tile_corrections,
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

    def carve_full_image(self, current, map_index, correction, steps, epsilon, noise, rng) -> dict:
        """Steps 1–4 of an iteration: shrink, ascend, enlarge, put the photo's detail back.
        Taught in notebook 08, section 3."""
        small_in = cnn_input(current[None, :, :, None]).numpy()
        small_out, losses = self._ascend(small_in, [map_index], steps, epsilon, noise, rng)
        enlarged = back_to_size(small_out, current.shape[0]).numpy()[0, :, :, 0]
        full = tf.image.per_image_standardization((enlarged + correction)[None, :, :, None]).numpy()[0, :, :, 0]
        return dict(small_in=small_in[0, :, :, 0], small_out=small_out[0, :, :, 0], enlarged=enlarged, full=full,
                    full_losses=losses[:, 0])

    def carve_quadrants(self, full, quadrants, maps, tile_corrections, undo_tile_standardization, steps, epsilon,
                         noise, rng) -> dict:
        """Steps 5–9: cut the quadrants from the carved full image, carve them together in one batched
        ascent, and paste them back. Taught in notebook 08, section 3."""
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
