"""SVG documents (`output_format: "svg"`): the prompt's scene as vector shapes.

The scene that a PNG draws in pixels (`generation/images.py`: a gradient sky, a sun, hills and towers) is written
as an SVG 1.1 document: a `linearGradient` sky, a `circle` per disc and a `rect` per box, in the scene's colours
and in the same places, so the SVG and the PNG of one request look alike. How carefully the SVG author works
(its reasoning effort) shows in the document: with no reasoning the shapes are a flat list at whole-pixel
precision; with some, they are grouped and named (`sky`, `sun`, `land`) under a `<title>`; with much, the
coordinates carry two decimals and a `<desc>` says what the picture holds."""

from __future__ import annotations

from xml.sax.saxutils import escape

from openai_mock.generation.images import Scene
from openai_mock.generation.png import RGB

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# The reasoning efforts, least to most; an author's default is "medium".
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


def _hex(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _number(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _shape_elements(scene: Scene, width: int, height: int, decimals: int) -> list[str]:
    elements = []
    for shape in scene.shapes:
        fill = _hex(shape.colour)
        if shape.kind == "disc":
            cx, cy, r = shape.cx * width, shape.cy * height, shape.rx * width
            elements.append(
                f'<circle cx="{_number(cx, decimals)}" cy="{_number(cy, decimals)}" r="{_number(r, decimals)}" '
                f'fill="{fill}"/>'
            )
        else:
            x, y, w, h = shape.cx * width, shape.cy * height, shape.rx * width, shape.ry * height
            elements.append(
                f'<rect x="{_number(x, decimals)}" y="{_number(y, decimals)}" width="{_number(w, decimals)}" '
                f'height="{_number(h, decimals)}" fill="{fill}"/>'
            )
    return elements


def svg_document(scene: Scene, width: int, height: int, title: str, effort: str = "medium") -> str:
    """The scene at `width` x `height` as an SVG document; `title` (the prompt) names it when the author reasons."""
    rank = EFFORTS.index(effort)
    decimals = 0 if rank <= EFFORTS.index("minimal") else 1 if rank <= EFFORTS.index("medium") else 2
    sky = (
        '<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{_hex(scene.top)}"/><stop offset="1" stop-color="{_hex(scene.bottom)}"/>'
        "</linearGradient>"
    )
    background = f'<rect width="{width}" height="{height}" fill="url(#sky)"/>'
    sun, *land = _shape_elements(scene, width, height, decimals)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="{SVG_NAMESPACE}" version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
    ]
    if rank <= EFFORTS.index("minimal"):
        lines += [f"<defs>{sky}</defs>", background, sun, *land]
    else:
        lines.append(f"<title>{escape(title)}</title>")
        if rank > EFFORTS.index("medium"):
            summary = f"A sky, a sun and {len(land)} hills and towers, drawn for the prompt."
            lines.append(f"<desc>{escape(summary)}</desc>")
        lines += [f"<defs>{sky}</defs>", f'<g id="sky">{background}</g>', f'<g id="sun">{sun}</g>']
        lines += ['<g id="land">', *land, "</g>"]
    lines.append("</svg>")
    return "\n".join(lines) + "\n"
