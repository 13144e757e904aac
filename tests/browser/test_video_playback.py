"""The Videos API's downloads in a real browser (Debian's Chromium): the MP4 plays — its size and duration read
from its header, frames decoded as it plays, none corrupted — and the WebP thumbnail shows as an image."""

from __future__ import annotations

import base64
import warnings
from typing import Any

import openai

from openai_mock import clock

PLAY = """async ([mp4, webp]) => {
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const video = document.createElement("video");
  video.muted = true;
  document.body.append(video);
  video.src = URL.createObjectURL(new Blob([bytes(mp4)], { type: "video/mp4" }));
  await new Promise((ok, fail) => { video.onloadedmetadata = ok; video.onerror = () => fail(video.error.message); });
  const meta = { width: video.videoWidth, height: video.videoHeight, duration: video.duration };
  await video.play();
  await new Promise((ok) => setTimeout(ok, 1500));
  const quality = video.getVideoPlaybackQuality();
  const image = new Image();
  image.src = URL.createObjectURL(new Blob([bytes(webp)], { type: "image/webp" }));
  await image.decode();
  return { ...meta, time: video.currentTime, frames: quality.totalVideoFrames, corrupted: quality.corruptedVideoFrames,
           imageWidth: image.naturalWidth, imageHeight: image.naturalHeight };
}"""


def test_the_mp4_plays_and_the_thumbnail_shows_in_chromium(client: openai.OpenAI, page: Any) -> None:
    clock.freeze(1_760_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's Sora deprecation notice
        video = client.videos.create(prompt="A lantern over a dark lake", size="1280x720", seconds="4")
        clock.advance(600)
        mp4 = client.videos.download_content(video.id).read()
        webp = client.videos.download_content(video.id, variant="thumbnail").read()
    page.set_content("<!doctype html><title>playback</title><body></body>")
    seen = page.evaluate(PLAY, [base64.b64encode(mp4).decode(), base64.b64encode(webp).decode()])
    assert (seen["width"], seen["height"], seen["duration"]) == (1280, 720, 4)
    assert seen["time"] > 0.5 and seen["frames"] > 10 and seen["corrupted"] == 0, seen
    assert (seen["imageWidth"], seen["imageHeight"]) == (1280, 720)
