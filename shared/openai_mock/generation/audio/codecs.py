"""Audio containers, written with the standard library from synthesized PCM (and the CRCs they need).

  wav, pcm, flac  carry the tone (FLAC: verbatim subframes, CRC'd and MD5'd, lossless);
  mp3, aac, opus   are valid silent frames of the same duration (MPEG-2 Layer III 64 kbps, ADTS AAC-LC,
                   Ogg Opus 20 ms packets).
Encoding real tones as mp3/aac/opus needs a psychoacoustic encoder; the mock sends valid silent frames
of the right length instead (every decoder accepts them).

The input text rides along as metadata (WAV `LIST/INFO`, FLAC and Opus comments, MP3 ID3v2 `TXXX`, all
under `TEXT_TAG`), so transcribing the mock's own speech gives the text back (`.probe` reads it). Raw PCM has
no container: there the text rides in the least significant bits of the first samples (`stamp_pcm`, a change
of ±1 in 32,768: inaudible, and no energy a voice-activity detector would notice), so the Realtime API can
transcribe the mock's own speech too (`.probe.pcm_text` reads it).

G.711 (`to_g711`, `from_g711`): the Realtime API's `audio/pcmu` and `audio/pcma`, 8 kHz."""

from __future__ import annotations

import array
import hashlib
import math
import struct
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

from openai_mock.generation.audio.synthesis import SAMPLE_RATE

TEXT_TAG = "OPENAI_MOCK_TEXT"


def to_wav(pcm: bytes, text: str = "") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
    info = b""
    if text:
        comment = text.encode() + b"\x00"
        comment += b"\x00" * (len(comment) % 2)
        info = b"INFO" + b"ICMT" + struct.pack("<I", len(comment)) + comment
        info = b"LIST" + struct.pack("<I", len(info)) + info
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    body += b"\x00" * (len(pcm) % 2) + info
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _crc_table(polynomial: int, width: int) -> list[int]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ polynomial) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return table


_CRC8, _CRC16, _CRC32_OGG = _crc_table(0x07, 8), _crc_table(0x8005, 16), _crc_table(0x04C11DB7, 32)


def _crc(data: bytes, table: list[int], width: int) -> int:
    crc, shift, mask = 0, width - 8, (1 << width) - 1
    for byte in data:
        crc = ((crc << 8) & mask) ^ table[((crc >> shift) ^ byte) & 0xFF]
    return crc


def _utf8_number(value: int) -> bytes:
    """FLAC frame numbers are written the way UTF-8 writes code points."""
    return chr(value).encode("utf-8", "surrogatepass")


def _vorbis_comment(text: str) -> bytes:
    vendor = b"openai-mock"
    fields = [f"{TEXT_TAG}={text}".encode()] if text else []
    body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(fields))
    return body + b"".join(struct.pack("<I", len(item)) + item for item in fields)


FLAC_BLOCK = 4096


def to_flac(pcm: bytes, text: str = "") -> bytes:
    samples = len(pcm) // 2
    info = struct.pack(">HH", FLAC_BLOCK, FLAC_BLOCK) + b"\x00" * 6
    info += ((SAMPLE_RATE << 44) | (0 << 41) | (15 << 36) | samples).to_bytes(8, "big") + hashlib.md5(pcm).digest()
    comment = _vorbis_comment(text)
    out = [b"fLaC", b"\x00" + len(info).to_bytes(3, "big") + info, b"\x84" + len(comment).to_bytes(3, "big") + comment]
    big_endian = array.array("h")
    big_endian.frombytes(pcm[: samples * 2])
    if sys.byteorder == "little":
        big_endian.byteswap()
    data = big_endian.tobytes()
    for number, start in enumerate(range(0, samples, FLAC_BLOCK)):
        size = min(FLAC_BLOCK, samples - start)
        # sync + fixed blocking, block size (4096 = code 12, else 16-bit explicit), 24 kHz, mono 16-bit
        header = b"\xff\xf8" + bytes([(12 if size == FLAC_BLOCK else 7) << 4 | 7, 0x08]) + _utf8_number(number)
        if size != FLAC_BLOCK:
            header += struct.pack(">H", size - 1)
        header += bytes([_crc(header, _CRC8, 8)])
        frame = header + b"\x02" + data[start * 2 : (start + size) * 2]  # verbatim subframe
        out.append(frame + struct.pack(">H", _crc(frame, _CRC16, 16)))
    return b"".join(out)


_MP3_FRAME_SAMPLES, _MP3_FRAME_BYTES = 576, 192  # MPEG-2 Layer III, 24 kHz, 64 kbps, mono


def _id3_size(size: int) -> bytes:
    return bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])


def to_mp3(pcm: bytes, text: str = "") -> bytes:
    frames = math.ceil(len(pcm) / 2 / _MP3_FRAME_SAMPLES)
    # Header FFF3 = MPEG-2 Layer III without CRC; 0x84 = 64 kbps, 24 kHz; 0xC4 = mono, original.
    # An all-zero side info means no coded data: the frame decodes to silence.
    frame = b"\xff\xf3\x84\xc4" + b"\x00" * (_MP3_FRAME_BYTES - 4)
    tag = b""
    if text:
        body = b"\x03" + TEXT_TAG.encode() + b"\x00" + text.encode()
        frame_tag = b"TXXX" + _id3_size(len(body)) + b"\x00\x00" + body
        tag = b"ID3\x04\x00\x00" + _id3_size(len(frame_tag)) + frame_tag
    return tag + frame * frames


_AAC_FRAME_SAMPLES = 1024
# One AAC-LC raw data block: a single-channel element with global_gain 100, no scale-factor bands
# (max_sfb = 0: nothing coded, i.e. silence) and the END element.
_AAC_SILENT_BLOCK = bytes([0x00, 0xC8, 0x00, 0x07])


def to_aac(pcm: bytes, text: str = "") -> bytes:  # noqa: ARG001
    frames = math.ceil(len(pcm) / 2 / _AAC_FRAME_SAMPLES)
    length = 7 + len(_AAC_SILENT_BLOCK)
    # ADTS: sync, MPEG-4, no CRC, AAC-LC, 24 kHz (index 6), mono, frame length, VBR fullness, 1 block.
    bits = (0xFFF << 44) | (1 << 40) | (1 << 38) | (6 << 34) | (1 << 30) | (length << 13) | (0x7FF << 2)
    return (bits.to_bytes(7, "big") + _AAC_SILENT_BLOCK) * frames


_OPUS_SILENCE = b"\xf8\xff\xfe"  # CELT fullband 20 ms, mono: the standard Opus silence frame
_OPUS_PRE_SKIP = 312


def _ogg_page(packets: Sequence[bytes], granule: int, serial: int, sequence: int, flags: int) -> bytes:
    lacing = b"".join(bytes([255] * (len(p) // 255) + [len(p) % 255]) for p in packets)
    header = b"OggS\x00" + bytes([flags]) + struct.pack("<qIIIB", granule, serial, sequence, 0, len(lacing)) + lacing
    page = header + b"".join(packets)
    crc = _crc(page, _CRC32_OGG, 32)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def to_opus(pcm: bytes, text: str = "") -> bytes:
    serial = int(hashlib.md5(pcm[:4096]).hexdigest()[:8], 16)
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, _OPUS_PRE_SKIP, SAMPLE_RATE, 0, 0)
    pages = [_ogg_page([head], 0, serial, 0, 0x02), _ogg_page([b"OpusTags" + _vorbis_comment(text)], 0, serial, 1, 0)]
    total = round(len(pcm) / 2 * 48_000 / SAMPLE_RATE)  # granule positions count 48 kHz samples
    packets = math.ceil(total / 960)
    for first in range(0, packets, 200):
        count = min(200, packets - first)
        last = first + count == packets
        granule = _OPUS_PRE_SKIP + (total if last else (first + count) * 960)
        pages.append(_ogg_page([_OPUS_SILENCE] * count, granule, serial, len(pages), 0x04 if last else 0))
    return b"".join(pages)


# The PCM stamp: MAGIC (16 bits), the text's UTF-8 length (16 bits), the bytes, their sum mod 256 (8 bits).
PCM_STAMP_MAGIC = 0xB53C
_STAMP_MAX_BYTES = 4096


def stamp_pcm(pcm: bytes, text: str) -> bytes:
    """16-bit LE PCM carrying `text` in its samples' least significant bits (from the first sample on)."""
    data = text.encode()[:_STAMP_MAX_BYTES]
    if not data:
        return pcm
    payload = struct.pack(">HH", PCM_STAMP_MAGIC, len(data)) + data + bytes([sum(data) % 256])
    bits = [(byte >> shift) & 1 for byte in payload for shift in range(7, -1, -1)]
    if len(bits) > len(pcm) // 2:
        return pcm
    samples = array.array("h", pcm[: len(bits) * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    for index, bit in enumerate(bits):
        samples[index] = (samples[index] & ~1) | bit
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes() + pcm[len(bits) * 2 :]


def to_pcm(pcm: bytes, text: str = "") -> bytes:
    return stamp_pcm(pcm, text)


# ITU-T G.711, written out: μ-law (audio/pcmu) and A-law (audio/pcma), one byte per 8 kHz sample.
G711_RATE = 8000
_MULAW_BIAS, _MULAW_CLIP = 0x84, 32635


def _mulaw_byte(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), _MULAW_CLIP) + _MULAW_BIAS
    exponent = max(0, magnitude.bit_length() - 8)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _alaw_byte(sample: int) -> int:
    sign = 0x80 if sample >= 0 else 0
    magnitude = min(abs(sample), 32767) >> 3
    if magnitude < 32:
        code = magnitude >> 1
    else:
        exponent = magnitude.bit_length() - 5
        code = (exponent << 4) | ((magnitude >> exponent) & 0x0F)
    return (sign | code) ^ 0x55


def _mulaw_sample(byte: int) -> int:
    byte = ~byte & 0xFF
    exponent, mantissa = (byte >> 4) & 0x07, byte & 0x0F
    magnitude = (((mantissa << 3) + _MULAW_BIAS) << exponent) - _MULAW_BIAS
    return -magnitude if byte & 0x80 else magnitude


def _alaw_sample(byte: int) -> int:
    byte ^= 0x55
    exponent, mantissa = (byte >> 4) & 0x07, byte & 0x0F
    magnitude = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if byte & 0x80 else -magnitude


@cache
def _encode_table(law: str) -> bytes:
    """Every 16-bit sample's G.711 byte: 65,536 entries, built by the first G.711 answer (~40 ms of Python), not
    by every cold start of the functions that import the codecs."""
    compand = {"pcmu": _mulaw_byte, "pcma": _alaw_byte}[law]
    return bytes(compand(value - 32768) for value in range(65536))


@cache
def _decode_table(law: str) -> array.array[int]:
    expand = {"pcmu": _mulaw_sample, "pcma": _alaw_sample}[law]
    return array.array("h", (expand(byte) for byte in range(256)))


def to_g711(pcm: bytes, law: str) -> bytes:
    """24 kHz 16-bit LE PCM → 8 kHz G.711 (`law` "pcmu" or "pcma"): every third sample, companded."""
    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    table = _encode_table(law)
    return bytes(table[sample + 32768] for sample in samples[:: SAMPLE_RATE // G711_RATE])


def from_g711(data: bytes, law: str) -> bytes:
    """8 kHz G.711 → 24 kHz 16-bit LE PCM (each sample held for three)."""
    table = _decode_table(law)
    samples = array.array("h", (table[byte] for byte in data for _ in range(SAMPLE_RATE // G711_RATE)))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


SPEECH_FORMATS: dict[str, tuple[str, Any]] = {
    "mp3": ("audio/mpeg", to_mp3),
    "opus": ("audio/opus", to_opus),
    "aac": ("audio/aac", to_aac),
    "flac": ("audio/flac", to_flac),
    "wav": ("audio/wav", to_wav),
    "pcm": ("audio/pcm", to_pcm),
}
