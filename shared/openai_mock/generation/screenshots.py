"""What an agent's browser shows after a computer-use step: a small JPEG of a browser window, its toolbar (with the
address field) over the page, the page drawn by the image builder's scenes (`images.scene_for`) from its address and
the step, so two pages (or a page before and after signing in) look different. As the `computer_screenshot` data URL
the session's `computer_use_call` item carries. Pure: the same page and step give the same bytes."""

from __future__ import annotations

import base64
import random

from openai_mock.generation import images, raster
from openai_mock.generation.png import RGB, encode_png

WIDTH, HEIGHT = 320, 200
QUALITY = 70  # small enough for an item, still a readable picture
_TOOLBAR_HEIGHT = 24
_TOOLBAR: RGB = (222, 224, 228)
_FIELD: RGB = (255, 255, 255)
_FIELD_TOP, _FIELD_BOTTOM = 5, 19
_FIELD_LEFT = 44  # after the back, forward and reload buttons
_BUTTON: RGB = (150, 154, 160)


def _toolbar_rows() -> list[bytes]:
    rows = []
    for y in range(_TOOLBAR_HEIGHT):
        row = bytearray(bytes(_TOOLBAR) * WIDTH)
        if _FIELD_TOP <= y < _FIELD_BOTTOM:
            row[_FIELD_LEFT * 3 : (WIDTH - 8) * 3] = bytes(_FIELD) * (WIDTH - 8 - _FIELD_LEFT)
        if 9 <= y < 15:  # three square buttons
            for left in (6, 18, 30):
                row[left * 3 : (left + 6) * 3] = bytes(_BUTTON) * 6
        rows.append(bytes(row))
    return rows


def screenshot(url: str, step: str) -> bytes:
    """The JPEG of the browser showing `url` after `step` (what the agent did there: "open", "sign-in")."""
    scene = images.scene_for(f"{url} {step}", random.Random(f"{url}#{step}"))
    rows = [*_toolbar_rows(), *scene.rows(WIDTH, HEIGHT - _TOOLBAR_HEIGHT)]
    return raster.encode(encode_png(WIDTH, HEIGHT, rows), "jpeg", QUALITY)


def screenshot_url(url: str, step: str) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(screenshot(url, step)).decode()
