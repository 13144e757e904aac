"""MP4 (ISO base media file) writing for one H.264 video track: `ftyp`, then `moov` (so a player can start
before the whole file has arrived), then `mdat` with the samples in one chunk."""

from __future__ import annotations

import struct
from collections.abc import Sequence

_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
MOVIE_TIMESCALE = 1000


def box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def _avc_config(sps: bytes, pps: bytes) -> bytes:
    """avcC: the decoder configuration (profile, level, 4-byte NAL lengths, the parameter sets)."""
    return box(
        b"avcC",
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]),
        struct.pack(">H", len(sps)),
        sps,
        b"\x01",
        struct.pack(">H", len(pps)),
        pps,
    )


def _sample_entry(width: int, height: int, sps: bytes, pps: bytes) -> bytes:
    compressor = b"openai-mock h264"
    return box(
        b"avc1",
        b"\x00" * 6,
        struct.pack(">H", 1),  # data_reference_index
        b"\x00" * 16,
        struct.pack(">HH", width, height),
        struct.pack(">II", 0x00480000, 0x00480000),  # 72 dpi
        struct.pack(">I", 0),
        struct.pack(">H", 1),  # frame_count
        bytes([len(compressor)]) + compressor.ljust(31, b"\x00"),
        struct.pack(">Hh", 0x0018, -1),
        _avc_config(sps, pps),
    )


def _moov(width: int, height: int, sps: bytes, pps: bytes, sizes: Sequence[int], fps: int, offset: int) -> bytes:
    timescale, delta = fps * 512, 512
    media_duration = len(sizes) * delta
    movie_duration = len(sizes) * MOVIE_TIMESCALE // fps
    stbl = box(
        b"stbl",
        full_box(b"stsd", 0, 0, struct.pack(">I", 1), _sample_entry(width, height, sps, pps)),
        full_box(b"stts", 0, 0, struct.pack(">III", 1, len(sizes), delta)),
        full_box(b"stss", 0, 0, struct.pack(">II", 1, 1)),  # the first sample is the only key frame
        full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(sizes), 1)),
        full_box(b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)), struct.pack(f">{len(sizes)}I", *sizes)),
        full_box(b"stco", 0, 0, struct.pack(">II", 1, offset)),
    )
    minf = box(
        b"minf",
        full_box(b"vmhd", 0, 1, b"\x00" * 8),
        box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1))),
        stbl,
    )
    mdia = box(
        b"mdia",
        full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, media_duration, 0x55C4, 0)),  # und
        full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"vide"), b"VideoHandler\x00"),
        minf,
    )
    tkhd = full_box(
        b"tkhd",
        0,
        3,  # enabled, in movie
        struct.pack(">IIII", 0, 0, 1, 0),
        struct.pack(">I", movie_duration),
        b"\x00" * 8,
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    mvhd = full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIII", 0, 0, MOVIE_TIMESCALE, movie_duration),
        struct.pack(">IH", 0x00010000, 0x0100),
        b"\x00" * 10,
        _MATRIX,
        b"\x00" * 24,
        struct.pack(">I", 2),  # next_track_ID
    )
    return box(b"moov", mvhd, box(b"trak", tkhd, mdia))


def write_mp4(width: int, height: int, fps: int, sps: bytes, pps: bytes, samples: Sequence[bytes]) -> bytes:
    """An MP4 file of one video track; each sample is one access unit's NAL units (without length prefixes)."""
    framed = [struct.pack(">I", len(sample)) + sample for sample in samples]
    sizes = [len(sample) for sample in framed]
    ftyp = box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2avc1mp41")
    placeholder = _moov(width, height, sps, pps, sizes, fps, 0)
    offset = len(ftyp) + len(placeholder) + 8
    moov = _moov(width, height, sps, pps, sizes, fps, offset)
    return ftyp + moov + box(b"mdat", *framed)
