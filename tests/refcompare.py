"""Image comparison against the resvg test-suite references (``robust_pct``), shared by the tests and the bench.

The metric is the one defined in ``shared/data/svg/README.md``:

* both images are compared as **premultiplied** RGBA;
* a pixel "differs" from another when any channel differs by more than 25/255;
* a pixel counts as bad only if it differs from *all* pixels of the 3x3 window around the same position in
  the other image (1 px of slack for anti-aliasing), and that must hold in **both** directions
  (A's pixel against B's window, and B's pixel against A's window);
* ``robust_pct`` is the percentage of bad pixels.  Suggested reading: ``<= 0.1`` pass, ``<= 1`` near.

Windows are clipped at the image border (a border pixel only has its in-image neighbours).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

PASS_PCT = 0.1
NEAR_PCT = 1.0
THRESHOLD = 25  # in 0..255 units; strictly greater than this differs

__all__ = [
    "PASS_PCT",
    "NEAR_PCT",
    "THRESHOLD",
    "premultiply",
    "load_png",
    "png_bytes_to_rgba",
    "robust_pct",
    "classify",
    "suite_dir",
    "list_cases",
]


def premultiply(rgba: np.ndarray) -> np.ndarray:
    """Straight-alpha uint8 (H, W, 4) -> premultiplied int32 (H, W, 4) in 0..255*255 units (exact, no rounding).

    Channel c becomes c * alpha and alpha becomes alpha * 255, i.e. 255x the usual premultiplied value, so
    the "> 25/255" threshold is ``> 25 * 255`` here.
    """
    a = np.asarray(rgba)
    if a.ndim != 3 or a.shape[2] != 4:
        raise ValueError(f"expected an (H, W, 4) RGBA array, got shape {a.shape}")
    x = a.astype(np.int32)
    out = np.empty_like(x)
    out[..., :3] = x[..., :3] * x[..., 3:4]
    out[..., 3] = x[..., 3] * 255
    return out


def png_bytes_to_rgba(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGBA"))


def load_png(path: str | os.PathLike) -> np.ndarray:
    """Any PNG (P, LA, RGB, RGBA ...) -> straight-alpha uint8 (H, W, 4)."""
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA"))


_T = THRESHOLD * 255  # threshold in premultiply()'s units


def _bad_pixels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bool (H, W) from planar premultiplied (4, H, W) images: robustly different pixels.

    For each of the 9 offsets d, one difference map says whether a[p] differs from b[p + d]. It serves
    both directions: a[p] against b's window at p, and b[p + d] against a's window at p + d.
    Out-of-image neighbours are absent (they neither match nor count).
    """
    _, h, w = a.shape
    a_vs_b = np.ones((h, w), dtype=bool)
    b_vs_a = np.ones((h, w), dtype=bool)
    for dy in (-1, 0, 1):
        ya = slice(max(0, -dy), h - max(0, dy))
        yb = slice(max(0, dy), h - max(0, -dy))
        for dx in (-1, 0, 1):
            xa = slice(max(0, -dx), w - max(0, dx))
            xb = slice(max(0, dx), w - max(0, -dx))
            differs = (np.abs(a[:, ya, xa] - b[:, yb, xb]) > _T).any(axis=0)
            a_vs_b[ya, xa] &= differs
            b_vs_a[yb, xb] &= differs
    return a_vs_b & b_vs_a


def robust_pct(img: np.ndarray, ref: np.ndarray) -> float:
    """Percentage of pixels that differ robustly between two straight-alpha uint8 RGBA images of one size."""
    img = np.asarray(img)
    ref = np.asarray(ref)
    if img.shape != ref.shape:
        raise ValueError(f"size mismatch: image {img.shape} vs reference {ref.shape}")
    a = np.ascontiguousarray(premultiply(img).transpose(2, 0, 1))
    b = np.ascontiguousarray(premultiply(ref).transpose(2, 0, 1))
    h, w = a.shape[1:]
    # A bad pixel must differ at its own position (offset 0 is part of both windows), so only the bounding
    # box of those pixels, plus a 1 px margin for their neighbours, needs the full test.  Exact, and cheap
    # for the usual near-identical pair.
    same_pos = (np.abs(a - b) > _T).any(axis=0)
    if not same_pos.any():
        return 0.0
    rows = np.flatnonzero(same_pos.any(axis=1))
    cols = np.flatnonzero(same_pos.any(axis=0))
    y0, y1 = max(0, rows[0] - 1), min(h, rows[-1] + 2)
    x0, x1 = max(0, cols[0] - 1), min(w, cols[-1] + 2)
    bad = _bad_pixels(a[:, y0:y1, x0:x1], b[:, y0:y1, x0:x1])
    return 100.0 * float(np.count_nonzero(bad)) / float(h * w)


def classify(pct: float | None, status: str = "ok") -> str:
    """'pass' (<= 0.1), 'near' (<= 1), 'fail', or the status itself when it is not 'ok'."""
    if status != "ok" or pct is None:
        return status
    if pct <= PASS_PCT:
        return "pass"
    if pct <= NEAR_PCT:
        return "near"
    return "fail"


def suite_dir() -> Path | None:
    """The resvg test-suite folder: $LLM_SKETCH_SVG_SUITE, else shared/data/svg in or beside the checkout."""
    env = os.environ.get("LLM_SKETCH_SVG_SUITE")
    candidates = [Path(env)] if env else []
    repo = Path(__file__).resolve().parents[1]
    candidates += [repo / "shared" / "data" / "svg", repo.parent / "shared" / "data" / "svg"]
    for c in candidates:
        if (c / "baseline-results.csv").is_file():
            return c
    return None


def list_cases(root: Path) -> list[str]:
    """Sorted case names, ``<category>/<feature>/<name>`` (no extension), that have both .svg and .png."""
    names = []
    for svg in root.rglob("*.svg"):
        if svg.with_suffix(".png").is_file():
            names.append(svg.relative_to(root).with_suffix("").as_posix())
    return sorted(names)
