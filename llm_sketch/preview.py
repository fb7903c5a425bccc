"""Draw a layout's boxes and labels over an image (the ``Layout Preview`` node and the CLI's preview.png)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .layout import Layout

PALETTE = [(230, 57, 70), (29, 136, 229), (67, 160, 71), (251, 140, 0), (142, 36, 170), (0, 150, 136),
           (240, 98, 146), (121, 85, 72), (96, 125, 139), (253, 216, 53)]


def font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: a fixed bitmap font
        return ImageFont.load_default()


def draw_layout(image: np.ndarray | Image.Image, layout: Layout, colors: dict[str, tuple] | None = None,
                notes: dict[str, list[str]] | None = None, line_width: int | None = None) -> np.ndarray:
    """Boxes (one colour per object, or ``colors[object id]``) with labels, over ``image`` (H×W×3/4 uint8).

    The layout's coordinates are scaled to the image if their sizes differ. ``notes[object id]`` lines are written
    under the label (the checker's failed checks, for instance).
    """
    base = image if isinstance(image, Image.Image) else Image.fromarray(np.ascontiguousarray(image))
    base = base.convert("RGB")
    sx, sy = base.width / max(1, layout.width), base.height / max(1, layout.height)
    draw = ImageDraw.Draw(base)
    scale = max(base.width, base.height) / 512
    lw = line_width or max(2, round(2 * scale))
    label_font = font(max(10, round(13 * scale)))
    for i, obj in enumerate(layout.objects):
        color = (colors or {}).get(obj.id) or PALETTE[i % len(PALETTE)]
        x0, y0, x1, y1 = obj.bbox[0] * sx, obj.bbox[1] * sy, obj.bbox[2] * sx, obj.bbox[3] * sy
        draw.rectangle([x0, y0, max(x0, x1 - 1), max(y0, y1 - 1)], outline=color, width=lw)
        lines = [obj.label] + list((notes or {}).get(obj.id, []))
        ty = y0 + lw
        for line in lines:
            left, top, right, bottom = draw.textbbox((0, 0), line, font=label_font)
            w, h = right - left, bottom - top
            tx = min(max(0.0, x0 + lw), base.width - w - 4)
            draw.rectangle([tx, ty, tx + w + 4, ty + h + 4], fill=color)
            draw.text((tx + 2 - left, ty + 2 - top), line, fill=(255, 255, 255), font=label_font)
            ty += h + 5
    return np.asarray(base)


PASS_COLOR, FAIL_COLOR = (46, 160, 67), (220, 38, 38)


def draw_report(image, layout: Layout, report, constraints=None) -> np.ndarray:
    """The checker's overlay: each matched object's box green when all its checks pass, red otherwise, with its
    failed checks written under its label; checks about objects that were not found are listed at the top."""
    owners = {}  # layout object id → constraint object id
    for spec_id, object_ids in report.matches.items():
        for object_id in object_ids:
            owners[object_id] = spec_id
    failed: dict[str, list[str]] = {}
    for c in report.checks:
        if not c.passed:
            for spec_id in filter(None, (c.subject, c.object)):
                failed.setdefault(spec_id, [])
            failed.setdefault(c.subject, []).append(f"x {c.text}")  # (the bundled font has no ✗)
    colors, notes = {}, {}
    for obj in layout.objects:
        spec_id = owners.get(obj.id)
        if spec_id is None:
            continue
        colors[obj.id] = FAIL_COLOR if spec_id in failed else PASS_COLOR
        notes[obj.id] = failed.get(spec_id, [])[:4]
    shown = Layout(width=layout.width, height=layout.height,
                   objects=tuple(o for o in layout.objects if o.id in owners))
    canvas = draw_layout(image, shown, colors=colors, notes=notes)
    missing = [f"x {c.text}: {c.detail}" for c in report.checks
               if not c.passed and c.kind == "count" and c.detail in ("not found", "found 0")]
    header = [f"{'PASS' if report.passed else 'FAIL'} {report.score:.0%} ({report.rule})"] + missing[:6]
    base = Image.fromarray(canvas)
    draw = ImageDraw.Draw(base)
    size = max(10, round(13 * max(base.width, base.height) / 512))
    header_font = font(size)
    y = 4
    for i, line in enumerate(header):
        left, top, right, bottom = draw.textbbox((0, 0), line, font=header_font)
        color = (PASS_COLOR if report.passed else FAIL_COLOR) if i == 0 else FAIL_COLOR
        draw.rectangle([4, y, 4 + right - left + 6, y + bottom - top + 6], fill=color)
        draw.text((7 - left, y + 3 - top), line, fill=(255, 255, 255), font=header_font)
        y += bottom - top + 9
    return np.asarray(base)
