"""Demo pictures drawn with Pillow alone: per category, its colours and motif, and no text.

A product's name is never drawn: pages caption the picture in HTML, in the reader's
language. Cooperatives get a wide cover and a round emblem the same way. The same
arguments give the same picture.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from functools import lru_cache

from PIL import Image, ImageDraw

RGB = tuple[int, int, int]
Box = tuple[int, int]

# Per category: gradient top, gradient bottom, motif colour, second motif colour.
# fmt: off
_PALETTES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "olive-oil": ((122, 140, 62), (58, 74, 30), (214, 196, 92), (40, 52, 22)),
    "honey": ((246, 190, 72), (196, 118, 24), (255, 226, 140), (150, 84, 14)),
    "almonds-nuts": ((214, 178, 136), (150, 108, 70), (238, 214, 180), (110, 74, 44)),
    "fruits": ((196, 54, 72), (118, 22, 40), (236, 110, 120), (70, 110, 48)),
    "couscous-cereals": ((232, 206, 150), (186, 146, 84), (250, 234, 196), (140, 96, 48)),
    "sellou-sweets": ((170, 112, 70), (110, 64, 36), (226, 184, 130), (250, 236, 210)),
    "spices-saffron": ((200, 70, 30), (130, 30, 20), (250, 170, 60), (240, 220, 120)),
    "herbs": ((108, 156, 100), (48, 92, 56), (170, 210, 150), (228, 240, 200)),
    "carpets-textiles": ((150, 24, 34), (96, 12, 24), (236, 200, 150), (30, 30, 60)),
    "pottery": ((204, 110, 64), (150, 68, 36), (246, 220, 180), (40, 100, 90)),
    "sewing-embroidery": ((64, 84, 140), (34, 44, 90), (236, 200, 90), (230, 230, 240)),
    "basketry": ((206, 170, 110), (150, 112, 60), (120, 84, 40), (236, 210, 160)),
    "soaps": ((168, 184, 130), (104, 124, 80), (236, 232, 200), (255, 255, 255)),
    "floral-waters": ((236, 170, 190), (180, 100, 140), (255, 230, 240), (120, 160, 110)),
    "tourism": ((110, 170, 214), (40, 96, 150), (120, 86, 60), (236, 246, 255)),
}
# fmt: on
_DEFAULT_PALETTE = ((120, 120, 140), (60, 60, 80), (220, 220, 230), (30, 30, 40))
# Top-level categories borrow a child's look.
_PALETTES |= {
    "terroir": _PALETTES["couscous-cereals"],
    "crafts": _PALETTES["carpets-textiles"],
    "cosmetics": _PALETTES["soaps"],
    "services": _PALETTES["tourism"],
}


def _jitter(colour: RGB, rng: random.Random, amount: int = 14) -> RGB:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)
    return r, g, b


def _diamond(draw: ImageDraw.ImageDraw, cx: float, cy: float, rx: float, ry: float, **kw) -> None:
    draw.polygon([(cx, cy - ry), (cx + rx, cy), (cx, cy + ry), (cx - rx, cy)], **kw)


def _leaf(draw, cx: float, cy: float, length: float, angle: float, fill: RGB) -> None:
    """A pointed lens (leaf, almond) centred on (cx, cy), `angle` in radians."""
    xs = [length * (i / 10 - 0.5) for i in range(11)]
    upper = [(x, length / 5 * (1 - (2 * x / length) ** 2)) for x in xs]
    points = upper + [(x, -y) for x, y in reversed(upper[1:-1])]
    cos, sin = math.cos(angle), math.sin(angle)
    draw.polygon([(cx + x * cos - y * sin, cy + x * sin + y * cos) for x, y in points], fill=fill)


def _bottle(draw, cx: float, base: float, w: float, h: float, fill: RGB, cap: RGB) -> None:
    draw.rounded_rectangle([cx - w / 2, base - h * 0.7, cx + w / 2, base], radius=w / 4, fill=fill)
    draw.rectangle([cx - w / 6, base - h, cx + w / 6, base - h * 0.68], fill=fill)
    draw.rectangle([cx - w / 5, base - h - h * 0.08, cx + w / 5, base - h], fill=cap)


def _olive_oil(d, w, h, rng, a, b):
    _bottle(d, w * 0.7, h * 0.62, w * 0.13, h * 0.5, a, b)
    for _ in range(9):
        angle = rng.uniform(-0.6, 0.6) + math.pi / 6
        _leaf(
            d, rng.uniform(w * 0.12, w * 0.45), rng.uniform(h * 0.12, h * 0.5), w * 0.12, angle, b
        )
    for _ in range(6):
        x, y = rng.uniform(w * 0.15, w * 0.45), rng.uniform(h * 0.15, h * 0.5)
        d.ellipse([x, y, x + w * 0.035, y + w * 0.045], fill=a)


def _honey(d, w, h, rng, a, b):
    r = w * 0.05
    for row in range(7):
        for col in range(11):
            x = col * r * 1.75 + (row % 2) * r * 0.87
            if rng.random() < 0.75:
                d.regular_polygon((x, row * r * 1.5, r * 0.92), 6, rotation=30, outline=a, width=3)
    _bottle(d, w * 0.72, h * 0.62, w * 0.2, h * 0.32, b, a)


def _scatter_leaves(d, w, h, rng, a, b, n=18, size=0.09):
    for _ in range(n):
        colour = a if rng.random() < 0.6 else b
        x, y = rng.uniform(0.05, 0.95) * w, rng.uniform(0.05, 0.6) * h
        _leaf(d, x, y, w * size, rng.uniform(0, math.pi), colour)


def _fruits(d, w, h, rng, a, b):
    for _ in range(5):
        x, y, r = rng.uniform(0.1, 0.8) * w, rng.uniform(0.08, 0.4) * h, w * rng.uniform(0.07, 0.1)
        d.ellipse([x, y, x + 2 * r, y + 2 * r], fill=a, outline=b, width=2)
        d.polygon([(x + r * 0.7, y + 4), (x + r, y - r * 0.35), (x + r * 1.3, y + 4)], fill=b)


def _grains(d, w, h, rng, a, b):
    d.chord([w * 0.25, h * 0.05, w * 0.75, h * 0.65], 0, 180, fill=b)
    for _ in range(160):
        x, y = rng.uniform(0.3, 0.7) * w, rng.uniform(0.2, 0.36) * h
        d.ellipse([x, y, x + 4, y + 4], fill=a)


def _saffron(d, w, h, rng, a, b):
    cx, cy = w * 0.5, h * 0.32
    for _ in range(40):
        angle, length = rng.uniform(0, 2 * math.pi), rng.uniform(0.08, 0.22) * w
        end = (cx + length * math.cos(angle), cy + length * math.sin(angle) * 0.6)
        d.line([(cx, cy), end], fill=a if rng.random() < 0.7 else b, width=3)


def _carpet(d, w, h, rng, a, b):
    """Rows of nested diamonds between zigzag bands, as on Zayane carpets."""
    step = w / 8
    for row in range(4):
        cy = step * 0.6 + row * step * 0.9
        for col in range(9):
            cx = col * step + (row % 2) * step / 2
            _diamond(d, cx, cy, step / 2.2, step / 2.6, outline=a, width=3)
            _diamond(d, cx, cy, step / 5, step / 6, fill=b if (row + col) % 2 else a)
    for y in (h * 0.03, h * 0.66):
        d.line([(x * step / 2, y + (x % 2) * 10) for x in range(18)], fill=a, width=3)


def _pottery(d, w, h, rng, a, b):
    cx, base = w * 0.5, h * 0.6
    d.ellipse([cx - w * 0.26, base - h * 0.07, cx + w * 0.26, base + h * 0.05], fill=b)
    lid = [(cx - w * 0.2, base - h * 0.03), (cx, base - h * 0.5), (cx + w * 0.2, base - h * 0.03)]
    d.polygon(lid, fill=a)
    d.ellipse([cx - w * 0.025, base - h * 0.55, cx + w * 0.025, base - h * 0.48], fill=a)
    for i in range(7):
        x = cx - w * 0.15 + i * w * 0.05
        _diamond(d, x, base - h * 0.12, w * 0.018, h * 0.03, fill=b)


def _stitches(d, w, h, rng, a, b):
    size = w / 24
    for row in range(7):
        for col in range(24):
            if (row + col) % 3 == 0 or row in (0, 6):
                x, y = col * size, row * size * 1.2 + h * 0.04
                colour = a if row % 2 else b
                d.line([(x + 3, y + 3), (x + size - 3, y + size - 3)], fill=colour, width=2)
                d.line([(x + size - 3, y + 3), (x + 3, y + size - 3)], fill=colour, width=2)


def _weave(d, w, h, rng, a, b):
    cell = w / 16
    for row in range(int(h * 0.66 // (cell / 2))):
        for col in range(17):
            x, y = col * cell + (row % 2) * cell / 2, row * cell / 2
            d.rounded_rectangle(
                [x, y, x + cell * 0.9, y + cell * 0.42], radius=4, fill=(a, b)[row % 2]
            )


def _soap(d, w, h, rng, a, b):
    for i in range(3):
        x, y = w * (0.28 + i * 0.05), h * (0.5 - i * 0.12)
        d.rounded_rectangle(
            [x, y, x + w * 0.32, y + h * 0.12], radius=14, fill=a, outline=b, width=2
        )
    for _ in range(12):
        x, y, r = rng.uniform(0.1, 0.9) * w, rng.uniform(0.05, 0.3) * h, rng.uniform(6, 20)
        d.ellipse([x - r, y - r, x + r, y + r], outline=b, width=2)


def _floral(d, w, h, rng, a, b):
    _bottle(d, w * 0.68, h * 0.62, w * 0.12, h * 0.46, a, b)
    for _ in range(4):
        cx, cy = rng.uniform(0.12, 0.45) * w, rng.uniform(0.12, 0.5) * h
        for k in range(6):
            angle = k * math.pi / 3
            x, y = cx + 16 * math.cos(angle), cy + 16 * math.sin(angle)
            d.ellipse([x - 12, y - 12, x + 12, y + 12], fill=a)
        d.ellipse([cx - 8, cy - 8, cx + 8, cy + 8], fill=b)


def _landscape(d, w, h, rng, a, b):
    d.ellipse([w * 0.75, h * 0.06, w * 0.87, h * 0.22], fill=(250, 220, 120))
    for _ in range(4):
        peak, half, top = (
            rng.uniform(0.1, 0.9) * w,
            rng.uniform(0.18, 0.3) * w,
            rng.uniform(0.15, 0.3),
        )
        d.polygon([(peak - half, h * 0.68), (peak, h * top), (peak + half, h * 0.68)], fill=a)
    for i in range(5):
        x = w * 0.46 + i * 6
        d.line([(x, h * 0.3), (x + rng.uniform(-4, 4), h * 0.68)], fill=b, width=4)


Motif = Callable[[ImageDraw.ImageDraw, int, int, random.Random, RGB, RGB], None]
_MOTIFS: dict[str, Motif] = {
    "olive-oil": _olive_oil,
    "honey": _honey,
    "almonds-nuts": lambda d, w, h, rng, a, b: _scatter_leaves(d, w, h, rng, a, b, 22, 0.08),
    "fruits": _fruits,
    "couscous-cereals": _grains,
    "sellou-sweets": _grains,
    "spices-saffron": _saffron,
    "herbs": _scatter_leaves,
    "carpets-textiles": _carpet,
    "pottery": _pottery,
    "sewing-embroidery": _stitches,
    "basketry": _weave,
    "soaps": _soap,
    "floral-waters": _floral,
    "tourism": _landscape,
    "terroir": _grains,
    "crafts": _carpet,
    "cosmetics": _soap,
    "services": _landscape,
}


@lru_cache(maxsize=4)
def _gradient(size: Box) -> Image.Image:
    """A top-to-bottom mask, black to white (shared: Image.composite only reads it)."""
    return Image.linear_gradient("L").resize(size)


#: Seeds of a product's other photos are its own plus a multiple of this.
VIEW_STRIDE = 7919


def render_product_image(
    category_slug: str, seed: int, size: Box = (640, 480), view: int = 0
) -> bytes:
    """A JPEG of `size` for a product: its category's colours and motif on a shelf, no text.

    The product's name is the page's HTML caption, in the reader's language; the picture has
    no words to translate. `view` 1, 2... give the product's other photos: the same look
    drawn again, closer for odd views. Deterministic for the same arguments; a few
    milliseconds at 640 x 480.
    """
    rng = random.Random(seed + view * VIEW_STRIDE)
    width, height = size
    top, bottom, accent, second = _PALETTES.get(category_slug, _DEFAULT_PALETTE)
    image = Image.composite(
        Image.new("RGB", size, _jitter(bottom, rng)), Image.new("RGB", size, _jitter(top, rng)),
        _gradient(size),
    )  # fmt: skip
    draw = ImageDraw.Draw(image)
    _MOTIFS.get(category_slug, _carpet)(draw, width, height, rng, accent, second)
    shelf = Image.new("RGBA", size, (0, 0, 0, 0))
    shelf_top = int(height * 0.7)
    ImageDraw.Draw(shelf).rectangle([0, shelf_top, width, height], fill=(*second, 90))
    ImageDraw.Draw(shelf).line([(0, shelf_top), (width, shelf_top)], fill=(*accent, 160), width=3)
    image = Image.alpha_composite(image.convert("RGBA"), shelf).convert("RGB")
    if view % 2:
        # A closer look: a part of the picture, enlarged to the full size.
        left, upper = rng.uniform(0, 0.3) * width, rng.uniform(0, 0.2) * height
        box = (left, upper, left + width * 0.65, upper + height * 0.65)
        image = image.resize(size, Image.Resampling.LANCZOS, box=box)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=85)
    return output.getvalue()


def render_cover(category_slug: str, seed: int, size: Box = (1200, 400)) -> bytes:
    """A wide JPEG for a cooperative's cover: its speciality's colours and motif, no text."""
    return render_product_image(category_slug, seed, size=size)


def render_logo(category_slug: str, seed: int, side: int = 320) -> bytes:
    """A square JPEG for a cooperative's logo: a round emblem in its speciality's colours."""
    rng = random.Random(seed)
    top, bottom, accent, second = _PALETTES.get(category_slug, _DEFAULT_PALETTE)
    image = Image.new("RGB", (side, side), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    margin = side * 0.06
    draw.ellipse([margin, margin, side - margin, side - margin], fill=_jitter(bottom, rng))
    inner = side * 0.2
    draw.ellipse([inner, inner, side - inner, side - inner], fill=_jitter(top, rng))
    centre, points = side / 2, rng.choice((4, 6, 8))
    for k in range(points):
        angle = k * 2 * math.pi / points + rng.uniform(0, 0.2)
        _leaf(draw, centre + side * 0.16 * math.cos(angle), centre + side * 0.16 * math.sin(angle),
              side * 0.22, angle, accent)  # fmt: skip
    draw.ellipse([centre - side * 0.07] * 2 + [centre + side * 0.07] * 2, fill=second)
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=88)
    return output.getvalue()
