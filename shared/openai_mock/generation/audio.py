"""Audio: real sound files written with the standard library, and transcripts that fit the audio.

Speech is synthesized as 24 kHz 16-bit mono PCM (OpenAI's `pcm` format): every word is a voiced tone
(pitch from the voice and the word) lasting as long as the word would take to say, with pauses between
words and longer ones after punctuation, so the duration grows with the text and shrinks with `speed`.
  wav, pcm, flac  carry that tone (FLAC: verbatim subframes, CRC'd and MD5'd, lossless);
  mp3, aac, opus   are valid silent frames of the same duration (MPEG-2 Layer III 64 kbps, ADTS AAC-LC,
                   Ogg Opus 20 ms packets).
Encoding real tones as mp3/aac/opus needs a psychoacoustic encoder; the mock sends valid silent frames
of the right length instead (every decoder accepts them).

The input text rides along as metadata (WAV `LIST/INFO`, FLAC and Opus comments, MP3 ID3v2 `TXXX`),
so transcribing the mock's own speech gives the text back, as a real round trip would. Other audio
gets deterministic English whose length fits its duration, read from the container's headers."""

from __future__ import annotations

import array
import hashlib
import math
import random
import struct
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openai_mock.checks import check_enum, check_length, check_range, known_model
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.generation.streaming import sse_event
from openai_mock.generation.tokens import encode
from openai_mock.rng import seeded_rng

SAMPLE_RATE = 24_000
TEXT_TAG = "OPENAI_MOCK_TEXT"

# ---------------------------------------------------------------------------------------------------
# Speech synthesis
# ---------------------------------------------------------------------------------------------------
VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
VOICE_PITCH = {"alloy": 175, "ash": 120, "coral": 215, "echo": 110, "fable": 160, "onyx": 92, "nova": 225,
               "sage": 195, "shimmer": 240, "ballad": 140, "verse": 165}
_SECONDS_PER_LETTER = 0.062  # ≈ 15 characters per second at speed 1, like OpenAI's voices
_WORD_GAP, _CLAUSE_PAUSE, _SENTENCE_PAUSE = 0.06, 0.22, 0.4


@lru_cache(maxsize=256)
def _period(frequency: int) -> bytes:
    """One period of a voiced tone (fundamental + two harmonics), 16-bit LE; starts and ends at zero."""
    length = max(2, round(SAMPLE_RATE / frequency))
    samples = array.array("h", (
        round(7000 * math.sin(2 * math.pi * i / length) + 2500 * math.sin(4 * math.pi * i / length)
              + 1200 * math.sin(6 * math.pi * i / length))
        for i in range(length)
    ))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def _silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * SAMPLE_RATE)


def synthesize(text: str, voice: str, speed: float = 1.0) -> bytes:
    """24 kHz 16-bit mono PCM saying `text` as tones: duration ∝ letters / speed."""
    base = VOICE_PITCH.get(voice, 170)
    parts: list[bytes] = []
    for word in text.split():
        letters = sum(ch.isalnum() for ch in word) or 1
        tone = _period(round(base * (1 + (int(hashlib.md5(word.lower().encode()).hexdigest(), 16) % 9 - 4) * 0.035)))
        periods = max(1, round(letters * _SECONDS_PER_LETTER / speed * SAMPLE_RATE / (len(tone) // 2)))
        parts.append(tone * periods)
        pause = _SENTENCE_PAUSE if word[-1] in ".!?" else _CLAUSE_PAUSE if word[-1] in ",;:" else _WORD_GAP
        parts.append(_silence(pause / speed))
    return b"".join(parts) or _silence(0.25)


def pcm_duration(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE


# ---------------------------------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------------------------------
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


def to_aac(pcm: bytes, text: str = "") -> bytes:
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


SPEECH_FORMATS: dict[str, tuple[str, Any]] = {
    "mp3": ("audio/mpeg", to_mp3),
    "opus": ("audio/opus", to_opus),
    "aac": ("audio/aac", to_aac),
    "flac": ("audio/flac", to_flac),
    "wav": ("audio/wav", to_wav),
    "pcm": ("audio/pcm", lambda pcm, text: pcm),
}


class CreateSpeechRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    input: str
    voice: str
    instructions: str | None = None
    response_format: str | None = None
    speed: float | None = None


_MINI_TTS = "gpt-4o-mini-tts"


def create_speech(request: CreateSpeechRequest) -> tuple[bytes, str]:
    """The audio bytes and their Content-Type."""
    known_model(request.model, ("tts-1", "tts-1-hd", "tts-1-1106", "tts-1-hd-1106", _MINI_TTS))
    check_length(request.input, "input", 4096, minimum=1)
    voices = (*VOICES, "ballad", "verse") if request.model == _MINI_TTS else VOICES
    check_enum(request.voice, voices, "voice")
    if request.instructions is not None:
        if request.model != _MINI_TTS:
            raise invalid_request(
                f"Instructions are not supported for model '{request.model}'; use '{_MINI_TTS}'.",
                "instructions", "unsupported_parameter",
            )
        check_length(request.instructions, "instructions", 4096)
    response_format = request.response_format or "mp3"
    check_enum(response_format, tuple(SPEECH_FORMATS), "response_format")
    speed = 1.0 if request.speed is None else request.speed
    check_range(speed, "speed", 0.25, 4.0, decimal=True)
    content_type, encoder = SPEECH_FORMATS[response_format]
    return encoder(synthesize(request.input, request.voice, speed), request.input), content_type


# ---------------------------------------------------------------------------------------------------
# Reading uploaded audio: format and duration from the container's headers
# ---------------------------------------------------------------------------------------------------
UPLOAD_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
_UNDECODABLE = "The audio file could not be decoded or its format is not supported."


class UndecodableAudio(ValueError):
    pass


@dataclass(frozen=True)
class AudioInfo:
    container: str
    duration: float
    text: str | None = None  # the mock's own speech carries its text


def _riff(data: bytes) -> AudioInfo:
    position, byte_rate, size, text = 12, 0, None, None
    while position + 8 <= len(data):
        kind, length = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        body = data[position + 8 : position + 8 + length]
        if kind == b"fmt " and len(body) >= 16:
            byte_rate = struct.unpack_from("<I", body, 8)[0]
        elif kind == b"data":
            size = min(length, len(data) - position - 8)  # streamed WAVs declare 0xFFFFFFFF
        elif kind == b"LIST" and body[:4] == b"INFO":
            text = _riff_comment(body[4:]) or text
        position += 8 + length + length % 2
    if not byte_rate or size is None:
        raise UndecodableAudio("WAV without fmt or data chunk")
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


def read_audio_upload(data: bytes, filename: str | None) -> AudioInfo:
    """Validate an uploaded `file` as the real API does: extension, size, decodability, length."""
    extension = PurePath(filename or "").suffix.lower().lstrip(".")
    if extension not in UPLOAD_EXTENSIONS:
        raise invalid_request(f"Invalid file format. Supported formats: {list(UPLOAD_EXTENSIONS)}", "file",
                              "invalid_value")
    if len(data) > MAX_UPLOAD_BYTES:
        raise OpenAIError(413, f"Maximum content size limit ({MAX_UPLOAD_BYTES}) exceeded ({len(data)} bytes read)",
                          param="file", code="request_too_large")
    try:
        info = probe_audio(data)
    except (UndecodableAudio, struct.error, IndexError):
        raise invalid_request(_UNDECODABLE, "file", "invalid_value") from None
    if info.duration < 0.1:
        raise invalid_request("Audio file is too short. Minimum audio length is 0.1 seconds.", "file",
                              "audio_too_short")
    return info


# ---------------------------------------------------------------------------------------------------
# Transcripts
# ---------------------------------------------------------------------------------------------------
LANGUAGES = {
    "af": "afrikaans", "am": "amharic", "ar": "arabic", "as": "assamese", "az": "azerbaijani", "ba": "bashkir",
    "be": "belarusian", "bg": "bulgarian", "bn": "bengali", "bo": "tibetan", "br": "breton", "bs": "bosnian",
    "ca": "catalan", "cs": "czech", "cy": "welsh", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian", "fi": "finnish", "fo": "faroese",
    "fr": "french", "gl": "galician", "gu": "gujarati", "ha": "hausa", "haw": "hawaiian", "he": "hebrew",
    "hi": "hindi", "hr": "croatian", "ht": "haitian creole", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "is": "icelandic", "it": "italian", "ja": "japanese", "jw": "javanese", "ka": "georgian",
    "kk": "kazakh", "km": "khmer", "kn": "kannada", "ko": "korean", "la": "latin", "lb": "luxembourgish",
    "ln": "lingala", "lo": "lao", "lt": "lithuanian", "lv": "latvian", "mg": "malagasy", "mi": "maori",
    "mk": "macedonian", "ml": "malayalam", "mn": "mongolian", "mr": "marathi", "ms": "malay", "mt": "maltese",
    "my": "myanmar", "ne": "nepali", "nl": "dutch", "nn": "nynorsk", "no": "norwegian", "oc": "occitan",
    "pa": "punjabi", "pl": "polish", "ps": "pashto", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sa": "sanskrit", "sd": "sindhi", "si": "sinhala", "sk": "slovak", "sl": "slovenian", "sn": "shona",
    "so": "somali", "sq": "albanian", "sr": "serbian", "su": "sundanese", "sv": "swedish", "sw": "swahili",
    "ta": "tamil", "te": "telugu", "tg": "tajik", "th": "thai", "tk": "turkmen", "tl": "tagalog", "tr": "turkish",
    "tt": "tatar", "uk": "ukrainian", "ur": "urdu", "uz": "uzbek", "vi": "vietnamese", "yi": "yiddish",
    "yo": "yoruba", "yue": "cantonese", "zh": "chinese",
}

_SUBJECTS = ["The team", "Our customers", "The new design", "Everyone in the room", "The first prototype",
             "My colleague", "The quarterly report", "This approach", "The city council", "The research group"]
_VERBS = ["needs", "shows", "explains", "improves", "changes", "supports", "questions", "describes", "reaches",
          "follows"]
_OBJECTS = ["a simpler plan", "the main results", "every part of the process", "the budget for next year",
            "a few important details", "the schedule we agreed on", "the data from last week",
            "a better way to work", "the feedback from users", "the story behind the project"]
_ENDINGS = ["before the end of the month", "in a very practical way", "more than we expected", "without much effort",
            "at the next meeting", "for the whole community", "with a lot of care", "as we discussed earlier"]
_WORDS_PER_SECOND = 2.5  # ≈ 150 words a minute


def _sentence(rng: random.Random) -> str:
    parts = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)]
    if rng.random() < 0.6:
        parts.append(rng.choice(_ENDINGS))
    return " ".join(parts) + rng.choice([".", ".", ".", "!", "?"])


def spoken_text(duration: float, rng: random.Random) -> str:
    """English that takes about `duration` seconds to say."""
    budget = max(1, round(duration * _WORDS_PER_SECOND))
    words: list[str] = []
    while len(words) < budget:
        words.extend(_sentence(rng).split())
    words = words[:budget]
    text = " ".join(words)
    return text if text[-1] in ".!?" else text.rstrip(",;:") + "."


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float


def time_words(text: str, duration: float) -> list[Word]:
    """Spread the words over the audio: each takes time ∝ its letters, sentences end with a pause."""
    words = text.split()
    weights = [len(w) + 1 + (3 if w[-1] in ".!?" else 0) for w in words]
    speaking = duration * 0.96  # a little trailing silence, as in real recordings
    scale = speaking / max(1, sum(weights))
    out, clock = [], duration * 0.02
    for word, weight in zip(words, weights, strict=True):
        length = weight * scale
        spoken = length * (0.7 if word[-1] in ".!?" else 0.9)
        out.append(Word(word.strip(".,!?;:\""), round(clock, 2), round(min(clock + spoken, duration), 2)))
        clock += length
    return out


def _segments(words: list[Word], text_words: list[str], rng: random.Random, temperature: float) -> list[dict[str, Any]]:
    """Sentences become segments (split further so none spans more than ~30 s, like Whisper's windows)."""
    segments: list[dict[str, Any]] = []
    current: list[int] = []
    for index, word in enumerate(text_words):
        current.append(index)
        first = words[current[0]]
        if word[-1] in ".!?" or index == len(text_words) - 1 or words[index].end - first.start > 28:
            text = " " + " ".join(text_words[i] for i in current)
            start, end = words[current[0]].start, words[current[-1]].end
            segments.append({
                "id": len(segments),
                "seek": int(start // 30) * 3000,
                "start": start,
                "end": end,
                "text": text,
                "tokens": [50364 + round(start / 0.02), *encode(text, "gpt-4"), 50364 + round(end / 0.02)],
                "temperature": temperature,
                "avg_logprob": round(rng.uniform(-0.45, -0.12), 6),
                "compression_ratio": round(rng.uniform(1.1, 1.7), 6),
                "no_speech_prob": round(rng.uniform(0.0005, 0.04), 6),
            })
            current = []
    return segments


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def to_srt(segments: list[dict[str, Any]]) -> str:
    return "".join(
        f"{n}\n{_timestamp(s['start'], ',')} --> {_timestamp(s['end'], ',')}\n{s['text'].strip()}\n\n"
        for n, s in enumerate(segments, 1)
    )


def to_vtt(segments: list[dict[str, Any]]) -> str:
    cues = "".join(f"{_timestamp(s['start'], '.')} --> {_timestamp(s['end'], '.')}\n{s['text'].strip()}\n\n"
                   for s in segments)
    return "WEBVTT\n\n" + cues


class _AudioOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    model: str
    prompt: str | None = None
    response_format: str | None = None
    temperature: float | None = None


class TranscriptionOptions(_AudioOptions):
    language: str | None = None
    timestamp_granularities: list[str] | None = Field(default=None, alias="timestamp_granularities[]")
    include: list[str] | None = Field(default=None, alias="include[]")
    stream: bool | None = None


class TranslationOptions(_AudioOptions):
    pass


TRANSCRIPTION_MODELS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")


@dataclass(frozen=True)
class Transcript:
    """What a route answers: a JSON object, a text body (text/srt/vtt) or an SSE stream."""

    kind: Literal["json", "text", "stream"]
    json: dict[str, Any] | None = None
    text: str = ""
    events: tuple[bytes, ...] = ()


def _check_common(options: _AudioOptions, models: Sequence[str]) -> tuple[str, float]:
    known_model(options.model, models)
    response_format = options.response_format or "json"
    check_enum(response_format, RESPONSE_FORMATS, "response_format")
    if options.model != "whisper-1" and response_format not in ("json", "text"):
        raise invalid_request(
            f"response_format '{response_format}' is not compatible with model '{options.model}'. "
            "Use 'json' or 'text' instead.", "response_format", "unsupported_value",
        )
    temperature = 0.0 if options.temperature is None else options.temperature
    check_range(temperature, "temperature", 0, 1, decimal=True)
    return response_format, temperature


def _render(task: str, language: str, info: AudioInfo, text: str, response_format: str,
            granularities: Sequence[str], rng: random.Random, temperature: float) -> Transcript:
    words = time_words(text, info.duration)
    segments = _segments(words, text.split(), rng, temperature)
    if response_format == "text":
        return Transcript("text", text=text + "\n")
    if response_format == "srt":
        return Transcript("text", text=to_srt(segments))
    if response_format == "vtt":
        return Transcript("text", text=to_vtt(segments))
    if response_format == "json":
        return Transcript("json", json={"text": text})
    body: dict[str, Any] = {"task": task, "language": language, "duration": round(info.duration, 2), "text": text}
    if "word" in granularities:
        body["words"] = [{"word": w.word, "start": w.start, "end": w.end} for w in words]
    if "segment" in granularities:
        body["segments"] = segments
    return Transcript("json", json=body)


def _text_for(
    info: AudioInfo, audio: bytes, options: _AudioOptions, seed: int | str | None
) -> tuple[str, random.Random]:
    rng = seeded_rng([hashlib.sha256(audio).hexdigest(), options.model_dump(exclude={"stream"})], seed)
    return (" ".join(info.text.split()) if info.text else spoken_text(info.duration, rng)), rng


def create_transcription(options: TranscriptionOptions, audio: bytes, filename: str | None,
                         seed: int | str | None) -> Transcript:
    response_format, temperature = _check_common(options, TRANSCRIPTION_MODELS)
    if options.language is not None and options.language not in LANGUAGES:
        raise invalid_request(
            f"Invalid language '{options.language}'. Language parameter must be specified in ISO-639-1 format.",
            "language", "invalid_value",
        )
    granularities = options.timestamp_granularities or ["segment"]
    for granularity in granularities:
        check_enum(granularity, ("word", "segment"), "timestamp_granularities")
    if options.timestamp_granularities and response_format != "verbose_json":
        raise invalid_request("timestamp_granularities is only supported with response_format 'verbose_json'.",
                              "timestamp_granularities", "unsupported_value")
    for item in options.include or []:
        check_enum(item, ("logprobs",), "include")
    if options.stream and options.model == "whisper-1":
        raise invalid_request("Streaming is not supported for the whisper-1 model.", "stream", "unsupported_value")
    info = read_audio_upload(audio, filename)
    text, rng = _text_for(info, audio, options, seed)
    if options.stream:
        return Transcript("stream", events=tuple(_stream_events(text, bool(options.include))))
    language = LANGUAGES[options.language or "en"]
    return _render("transcribe", language, info, text, response_format, granularities, rng, temperature)


def create_translation(options: TranslationOptions, audio: bytes, filename: str | None,
                       seed: int | str | None) -> Transcript:
    response_format, temperature = _check_common(options, ("whisper-1",))
    info = read_audio_upload(audio, filename)
    text, rng = _text_for(info, audio, options, seed)
    # Translations always come out in English, with segments (no word timestamps).
    return _render("translate", "english", info, text, response_format, ["segment"], rng, temperature)


def _stream_events(text: str, with_logprobs: bool) -> Iterator[bytes]:
    """gpt-4o transcribe streams: a `transcript.text.delta` per word, then `transcript.text.done`."""
    pieces = [piece + " " for piece in text.split(" ")]
    pieces[-1] = pieces[-1].rstrip()
    for piece in pieces:
        event: dict[str, Any] = {"type": "transcript.text.delta", "delta": piece}
        if with_logprobs:
            event["logprobs"] = [{"token": piece, "logprob": -0.0123, "bytes": list(piece.encode())}]
        yield sse_event(event)
    yield sse_event({"type": "transcript.text.done", "text": text})
