"""Reading audio: container and duration from the headers (WAV, FLAC, MP3, Ogg Opus/Vorbis, MP4, WebM),
and the text the mock's own speech carries under `codecs.TEXT_TAG`."""

from __future__ import annotations

import math
import struct
from typing import NamedTuple

from openai_mock.generation.audio.codecs import TEXT_TAG


class UndecodableAudio(ValueError):
    pass


class AudioInfo(NamedTuple):
    container: str
    duration: float
    text: str | None = None  # the mock's own speech carries its text


# How much of a 16-bit PCM WAV without a comment is searched for the mock's stamp (`codecs.stamp_pcm`).
STAMP_SEARCH_SECONDS = 60


def _riff(data: bytes) -> AudioInfo:
    position, byte_rate, size, text, pcm16, samples = 12, 0, None, None, False, b""
    while position + 8 <= len(data):
        kind, length = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = data[position + 8 : position + 8 + length]
        if kind == b"fmt " and len(body) >= 16:
            byte_rate = struct.unpack_from("<I", body, 8)[0]
            pcm16 = struct.unpack_from("<H", body, 0)[0] == 1 and struct.unpack_from("<H", body, 14)[0] == 16
        elif kind == b"data":
            size = min(length, len(data) - position - 8)  # streamed WAVs declare 0xFFFFFFFF
            samples = body[: STAMP_SEARCH_SECONDS * byte_rate] if byte_rate else b""
        elif kind == b"LIST" and body[:4] == b"INFO":
            text = _riff_comment(body[4:]) or text
        position += 8 + length + length % 2
    if not byte_rate or size is None:
        raise UndecodableAudio("WAV without fmt or data chunk")
    if text is None and pcm16:  # the mock's speech saved as WAV by a client (Realtime's audio deltas, joined)
        text = pcm_text(samples)
    return AudioInfo("wav", size / byte_rate, text)


def _riff_comment(info: bytes) -> str | None:
    position = 0
    while position + 8 <= len(info):
        kind, length = info[position : position + 4], struct.unpack_from("<I", info, position + 4)[0]
        if kind == b"ICMT":
            return info[position + 8 : position + 8 + length].rstrip(b"\x00").decode(errors="replace")
        position += 8 + length + length % 2
    return None


def _comment_text(block: bytes) -> str | None:
    """TEXT_TAG from a Vorbis comment block (FLAC, Opus, Vorbis)."""
    try:
        (vendor,) = struct.unpack_from("<I", block, 0)
        position = 4 + vendor
        (count,) = struct.unpack_from("<I", block, position)
        position += 4
        for _ in range(count):
            (length,) = struct.unpack_from("<I", block, position)
            name, _, value = block[position + 4 : position + 4 + length].decode(errors="replace").partition("=")
            if name.upper() == TEXT_TAG:
                return value
            position += 4 + length
    except struct.error:
        return None
    return None


def _flac(data: bytes) -> AudioInfo:
    position, duration, text = 4, None, None
    while position + 4 <= len(data):
        kind, length = data[position] & 0x7F, int.from_bytes(data[position + 1 : position + 4], "big")
        body = data[position + 4 : position + 4 + length]
        if kind == 0 and len(body) >= 18:
            packed = int.from_bytes(body[10:18], "big")
            rate, total = packed >> 44, packed & ((1 << 36) - 1)
            duration = total / rate if rate else None
        elif kind == 4:
            text = _comment_text(body)
        if data[position] & 0x80:
            break
        position += 4 + length
    if duration is None:
        raise UndecodableAudio("FLAC without STREAMINFO")
    return AudioInfo("flac", duration, text)


_MP3_BITRATES = {
    3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  # MPEG-1 Layer III
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  # MPEG-2/2.5 Layer III
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _id3(data: bytes) -> tuple[int, str | None]:
    """Size of a leading ID3v2 tag and our text frame in it."""
    if not data.startswith(b"ID3") or len(data) < 10:
        return 0, None
    size = 10 + sum((data[6 + i] & 0x7F) << (7 * (3 - i)) for i in range(4))
    marker = data.find(b"\x03" + TEXT_TAG.encode() + b"\x00", 10, size)
    if marker < 0:
        return size, None
    frame_size = sum((data[marker - 6 + i] & 0x7F) << (7 * (3 - i)) for i in range(4))
    value = data[marker + len(TEXT_TAG) + 2 : marker + frame_size]
    return size, value.decode(errors="replace")


def _mpeg(data: bytes) -> AudioInfo:
    position, text = _id3(data)
    duration, frames = 0.0, 0
    while position + 4 <= len(data):
        b1, b2 = data[position + 1], data[position + 2]
        version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
        if data[position] != 0xFF or b1 & 0xE0 != 0xE0 or version == 1 or layer != 1:
            if frames:
                break  # trailing tags (ID3v1, APE)
            position += 1  # junk before the first frame
            continue
        bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 3
        if bitrate_index in (0, 15) or rate_index == 3:
            break
        rate = _MP3_RATES[version][rate_index]
        bitrate = _MP3_BITRATES[3 if version == 3 else 2][bitrate_index] * 1000
        samples = 1152 if version == 3 else 576
        size = (144 if version == 3 else 72) * bitrate // rate + ((b2 >> 1) & 1)
        duration += samples / rate
        frames += 1
        position += size
    if not frames:
        raise UndecodableAudio("no MPEG audio frames")
    return AudioInfo("mp3", duration, text)


def _ogg(data: bytes) -> AudioInfo:
    rate, pre_skip, granule, text, position = 0, 0, 0, None, 0
    while data.startswith(b"OggS", position) and position + 27 <= len(data):
        segments = data[position + 26]
        lacing = data[position + 27 : position + 27 + segments]
        body_start = position + 27 + segments
        body = data[body_start : body_start + sum(lacing)]
        page_granule = struct.unpack_from("<q", data, position + 6)[0]
        if body.startswith(b"OpusHead"):
            rate, pre_skip = 48_000, struct.unpack_from("<H", body, 10)[0]
        elif body.startswith(b"\x01vorbis"):
            rate = struct.unpack_from("<I", body, 12)[0]
        elif body.startswith(b"OpusTags"):
            text = _comment_text(body[8:])
        elif body.startswith(b"\x03vorbis"):
            text = _comment_text(body[7:])
        if page_granule > 0:
            granule = page_granule
        position = body_start + sum(lacing)
    if not rate:
        raise UndecodableAudio("Ogg stream without an Opus or Vorbis header")
    return AudioInfo("ogg", max(0, granule - pre_skip) / rate, text)


def _mp4_duration(data: bytes, start: int = 0, end: int | None = None) -> float | None:
    end = len(data) if end is None else end
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, position + 8)[0], 16
        elif size == 0:
            size = end - position
        if size < header:
            return None
        if kind == b"moov":
            return _mp4_duration(data, position + header, position + size)
        if kind == b"mvhd":
            version = data[position + header]
            if version == 1:
                timescale, duration = struct.unpack_from(">IQ", data, position + header + 20)
            else:
                timescale, duration = struct.unpack_from(">II", data, position + header + 12)
            return duration / timescale if timescale else None
        position += size
    return None


def _mp4(data: bytes) -> AudioInfo:
    duration = _mp4_duration(data)
    if duration is None:
        raise UndecodableAudio("MP4 without a movie header")
    return AudioInfo("mp4", duration)


def _webm(data: bytes) -> AudioInfo:
    # EBML: Duration (0x4489, a float in TimecodeScale units, 1 ms by default) sits in Segment/Info.
    marker = data.find(b"\x44\x89")
    if marker >= 0 and marker + 3 < len(data):
        length = data[marker + 2] & 0x7F if data[marker + 2] & 0x80 else 0
        if length in (4, 8):
            (value,) = struct.unpack_from(">f" if length == 4 else ">d", data, marker + 3)
            if math.isfinite(value) and value > 0:
                return AudioInfo("webm", value / 1000)
    return AudioInfo("webm", len(data) / 16_000)  # no duration written (live recordings): assume 128 kbps


def probe_audio(data: bytes) -> AudioInfo:
    """Container and duration of uploaded audio; raises UndecodableAudio when it is none we know."""
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return _riff(data)
    if data.startswith(b"fLaC"):
        return _flac(data)
    if data.startswith(b"OggS"):
        return _ogg(data)
    if data[4:8] == b"ftyp":
        return _mp4(data)
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return _webm(data)
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return _mpeg(data)
    raise UndecodableAudio("unknown container")


def pcm_text(pcm: bytes) -> str | None:
    """The text `codecs.stamp_pcm` hid in 16-bit LE PCM, wherever in it the stamp starts (audio sent to the
    Realtime API has silence before it), or None."""
    import numpy as np

    from openai_mock.generation.audio.codecs import PCM_STAMP_MAGIC

    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2")
    if len(samples) < 40:
        return None
    bits = (samples & 1).astype(np.int64)
    weights = 1 << np.arange(15, -1, -1, dtype=np.int64)
    words = np.lib.stride_tricks.sliding_window_view(bits, 16) @ weights
    for start in np.flatnonzero(words == PCM_STAMP_MAGIC)[:64]:
        start = int(start)
        if start + 32 > len(bits):
            break
        length = int(words[start + 16])
        end = start + 32 + 8 * (length + 1)
        if length == 0 or end > len(bits):
            continue
        chunk = bits[start + 32 : end].reshape(-1, 8) @ weights[8:]
        data, check = bytes(int(b) for b in chunk[:-1]), int(chunk[-1])
        if sum(data) % 256 != check:
            continue
        try:
            return data.decode()
        except UnicodeDecodeError:
            continue
    return None
