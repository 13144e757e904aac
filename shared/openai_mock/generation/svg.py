"""SVG documents (`output_format: "svg"`): the prompt's scene as vector shapes.

The scene that a PNG draws in pixels (`generation/images.py`: a gradient sky, a sun, hills and towers) is written
as an SVG 1.1 document: a `linearGradient` sky, a `circle` per disc and a `rect` per box, in the scene's colours
and in the same places, so the SVG and the PNG of one request look alike. How carefully the SVG author works
(its reasoning effort) shows in the document: with no reasoning the shapes are a flat list at whole-pixel
precision; with some, they are grouped and named (`sky`, `sun`, `land`) under a `<title>`; with much, the
coordinates carry two decimals and a `<desc>` says what the picture holds.

An edit's document holds the input too (`raster.EditLayers`): the scene as a `<g id="scene">`, the first input
image over it as an embedded PNG `<image>` (fitted to the picture as a PNG edit fits it), then the scene again
(`<use>`) at the edit's opacity, masked to where the edit may paint (the mask as an embedded luminance image),
and the other input images set in there. A renderer stacking them draws what the PNG edit of the same request
holds. The embedded pictures are the input's pixels, not the author's: `authored_text` leaves their data out."""

from __future__ import annotations

import base64
import re
from xml.sax.saxutils import escape

from openai_mock.generation.images import Scene
from openai_mock.generation.png import RGB
from openai_mock.generation.raster import EditLayers

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
_EMBEDDED_DATA = re.compile(r"(data:image/png;base64,)[A-Za-z0-9+/=]+")
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


def svg_document(
    scene: Scene, width: int, height: int, title: str, effort: str = "medium", edit: EditLayers | None = None
) -> str:
    """The scene at `width` x `height` as an SVG document; `title` (the prompt) names it when the author reasons.
    With `edit`, the document is an edit of the input over which the scene is laid (see the module's note)."""
    rank = EFFORTS.index(effort)
    decimals = 0 if rank <= EFFORTS.index("minimal") else 1 if rank <= EFFORTS.index("medium") else 2
    sky = (
        '<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{_hex(scene.top)}"/><stop offset="1" stop-color="{_hex(scene.bottom)}"/>'
        "</linearGradient>"
    )
    background = f'<rect width="{width}" height="{height}" fill="url(#sky)"/>'
    sun, *land = _shape_elements(scene, width, height, decimals)
    namespaces = f'xmlns="{SVG_NAMESPACE}"' + ("" if edit is None else f' xmlns:xlink="{XLINK_NAMESPACE}"')
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg {namespaces} version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
    ]
    if rank > EFFORTS.index("minimal"):
        lines.append(f"<title>{escape(title)}</title>")
    if rank > EFFORTS.index("medium"):
        over = " over the input image" if edit is not None else ""
        summary = f"A sky, a sun and {len(land)} hills and towers, drawn for the prompt{over}."
        lines.append(f"<desc>{escape(summary)}</desc>")
    if rank <= EFFORTS.index("minimal"):
        drawing = [background, sun, *land]
    else:
        drawing = [f'<g id="sky">{background}</g>', f'<g id="sun">{sun}</g>', '<g id="land">', *land, "</g>"]
    if edit is None:
        lines += [f"<defs>{sky}</defs>", *drawing]
    else:
        lines += _edit_elements(edit, width, height, sky, drawing)
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def _edit_elements(edit: EditLayers, width: int, height: int, sky: str, drawing: list[str]) -> list[str]:
    """The layers of an edit: the scene, the input over it, the scene again and the references where it paints."""
    defs = [sky]
    if edit.editable is not None:
        defs.append(
            f'<mask id="editable" maskUnits="userSpaceOnUse" x="0" y="0" width="{width}" height="{height}">'
            f"{_embedded(edit.editable, 0, 0, width, height)}</mask>"
        )
    elements = [f"<defs>{''.join(defs)}</defs>", '<g id="scene">', *drawing, "</g>"]
    if edit.base is not None:
        elements.append(_embedded(edit.base, 0, 0, width, height, 'id="input" '))
    masked = ' mask="url(#editable)"' if edit.editable is not None else ""
    opacity = "" if edit.scene_opacity >= 1 else f' opacity="{_number(edit.scene_opacity, 2)}"'
    elements += [f'<g id="edit"{masked}>', f'<use xlink:href="#scene"{opacity}/>']
    elements += [_embedded(inset.png, inset.x, inset.y, inset.side, inset.side) for inset in edit.insets]
    elements.append("</g>")
    return elements


def _embedded(png: bytes, x: int, y: int, width: int, height: int, attributes: str = "") -> str:
    href = "data:image/png;base64," + base64.b64encode(png).decode()
    return f'<image {attributes}x="{x}" y="{y}" width="{width}" height="{height}" xlink:href="{href}"/>'


def authored_text(document: str) -> str:
    """The document as its author writes it: every embedded picture's data left out (the input's pixels are
    attached to the document, not written token by token)."""
    return _EMBEDDED_DATA.sub(r"\1", document)
