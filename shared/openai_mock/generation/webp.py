"""Lossless WebP (VP8L) writing with the standard library, for pictures made of constant-colour spans.

No transforms and no colour cache: the pixels are literals (one prefix code per channel) and LZ77 copies: a
span continues with a copy of the pixel to its left, a row that repeats the one above is one copy of it.
Prefix codes are canonical Huffman codes of the symbols' counts, written the way VP8L reads them."""

from __future__ import annotations

import heapq
import struct
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

_CODE_LENGTH_ORDER = (17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
_MAX_LENGTH = 4096
_ABOVE, _LEFT = 1, 2  # distance codes: (0, 1) the pixel above, (1, 0) the pixel to the left


class _Bits:
    """VP8L's bit order: least significant bit first."""

    def __init__(self) -> None:
        self._out = bytearray()
        self._acc = 0
        self._count = 0

    def write(self, value: int, count: int) -> None:
        self._acc |= value << self._count
        self._count += count
        while self._count >= 8:
            self._out.append(self._acc & 0xFF)
            self._acc >>= 8
            self._count -= 8

    def getvalue(self) -> bytes:
        if self._count:
            return bytes(self._out) + bytes([self._acc & 0xFF])
        return bytes(self._out)


def _huffman_lengths(counts: Sequence[int], limit: int) -> list[int]:
    """Code lengths of a complete prefix code for the used symbols (at most `limit` bits)."""
    used = [symbol for symbol, count in enumerate(counts) if count]
    lengths = [0] * len(counts)
    if len(used) == 1:
        lengths[used[0]] = 1
        return lengths
    floor = 1
    while True:
        heap = [(max(counts[s], floor), index, [s]) for index, s in enumerate(used)]
        heapq.heapify(heap)
        depth = dict.fromkeys(used, 0)
        tie = len(heap)
        while len(heap) > 1:
            a_count, _, a_symbols = heapq.heappop(heap)
            b_count, _, b_symbols = heapq.heappop(heap)
            for symbol in (*a_symbols, *b_symbols):
                depth[symbol] += 1
            heapq.heappush(heap, (a_count + b_count, tie, a_symbols + b_symbols))
            tie += 1
        if max(depth.values()) <= limit:
            for symbol, length in depth.items():
                lengths[symbol] = length
            return lengths
        floor *= 2  # flatten the counts until the deepest code fits


def _canonical_codes(lengths: Sequence[int]) -> list[tuple[int, int]]:
    """(bits as written, LSB first, so the code's first bit goes out first; length) per symbol."""
    codes = [(0, 0)] * len(lengths)
    used = sorted((length, symbol) for symbol, length in enumerate(lengths) if length)
    if len(used) == 1:  # a single symbol is read with no bits at all
        return codes
    code, previous = 0, used[0][0]
    for length, symbol in used:
        code <<= length - previous
        previous = length
        codes[symbol] = (int(f"{code:0{length}b}"[::-1], 2), length)
        code += 1
    return codes


@dataclass
class _PrefixCode:
    codes: list[tuple[int, int]]

    def put(self, bits: _Bits, symbol: int) -> None:
        value, length = self.codes[symbol]
        if length:
            bits.write(value, length)


def _write_prefix_code(bits: _Bits, counts: Sequence[int]) -> _PrefixCode:
    used = [symbol for symbol, count in enumerate(counts) if count]
    if len(used) <= 2 and all(symbol < 256 for symbol in used):
        symbols = used or [0]
        bits.write(1, 1)  # simple code
        bits.write(len(symbols) - 1, 1)
        first_8bits = symbols[0] > 1
        bits.write(int(first_8bits), 1)
        bits.write(symbols[0], 8 if first_8bits else 1)
        codes = [(0, 0)] * len(counts)
        if len(symbols) == 2:
            bits.write(symbols[1], 8)
            codes[symbols[0]], codes[symbols[1]] = (0, 1), (1, 1)
        return _PrefixCode(codes)
    lengths = _huffman_lengths(counts, 15)
    tokens = _length_tokens(lengths)
    length_counts = Counter(symbol for symbol, _, _ in tokens)
    length_code_lengths = _huffman_lengths([length_counts.get(s, 0) for s in range(19)], 7)
    length_codes = _PrefixCode(_canonical_codes(length_code_lengths))
    written = max(4, max(i for i, s in enumerate(_CODE_LENGTH_ORDER) if length_code_lengths[s]) + 1)
    bits.write(0, 1)  # normal code
    bits.write(written - 4, 4)
    for symbol in _CODE_LENGTH_ORDER[:written]:
        bits.write(length_code_lengths[symbol], 3)
    bits.write(0, 1)  # max_symbol = the whole alphabet
    for symbol, extra, extra_bits in tokens:
        length_codes.put(bits, symbol)
        if extra_bits:
            bits.write(extra, extra_bits)
    return _PrefixCode(_canonical_codes(lengths))


def _length_tokens(lengths: Sequence[int]) -> list[tuple[int, int, int]]:
    """Code lengths as code-length symbols: 0-15 themselves, 17/18 for runs of zeros."""
    tokens: list[tuple[int, int, int]] = []
    index = 0
    while index < len(lengths):
        if lengths[index]:
            tokens.append((lengths[index], 0, 0))
            index += 1
            continue
        run = 1
        while index + run < len(lengths) and not lengths[index + run] and run < 138:
            run += 1
        if run < 3:
            tokens.extend([(0, 0, 0)] * run)
        elif run <= 10:
            tokens.append((17, run - 3, 3))
        else:
            tokens.append((18, run - 11, 7))
        index += run
    return tokens


def _prefix(value: int) -> tuple[int, int, int]:
    """LZ77 prefix coding of a length or distance code (>= 1): (prefix symbol, extra bits count, extra value)."""
    v = value - 1
    if v < 4:
        return v, 0, 0
    highest = v.bit_length() - 1
    extra_bits = highest - 1
    return 2 * highest + ((v >> extra_bits) & 1), extra_bits, v & ((1 << extra_bits) - 1)


Token = tuple[int, int, int, int]  # (argb, 0, 0, 0) literal | (-1, length, distance code, 0) copy


def _tokens(width: int, rows: Iterable[bytes]) -> list[Token]:
    tokens: list[Token] = []
    previous: bytes | None = None
    pending_copy = 0
    for row in rows:
        if row == previous:
            pending_copy += width
            continue
        while pending_copy:
            step = min(pending_copy, _MAX_LENGTH)
            tokens.append((-1, step, _ABOVE, 0))
            pending_copy -= step
        pixels = np.frombuffer(row, dtype=np.uint8).reshape(width, 3)
        starts = [0, *(np.flatnonzero((pixels[1:] != pixels[:-1]).any(axis=1)) + 1).tolist()]
        for x, end in zip(starts, [*starts[1:], width], strict=True):
            red, green, blue = row[3 * x : 3 * x + 3]
            tokens.append((0xFF000000 | (red << 16) | (green << 8) | blue, 0, 0, 0))
            run = end - x - 1
            while run:
                step = min(run, _MAX_LENGTH)
                tokens.append((-1, step, _LEFT, 0))
                run -= step
        previous = row
    while pending_copy:
        step = min(pending_copy, _MAX_LENGTH)
        tokens.append((-1, step, _ABOVE, 0))
        pending_copy -= step
    return tokens


def encode_webp(width: int, height: int, rows: Iterable[bytes]) -> bytes:
    """A lossless WebP of 8-bit RGB rows (opaque)."""
    tokens = _tokens(width, rows)
    green, red, blue, alpha, distance = [0] * 280, [0] * 256, [0] * 256, [0] * 256, [0] * 40
    for argb, length, code, _ in tokens:
        if argb >= 0:
            green[(argb >> 8) & 0xFF] += 1
            red[(argb >> 16) & 0xFF] += 1
            blue[argb & 0xFF] += 1
            alpha[argb >> 24] += 1
        else:
            green[256 + _prefix(length)[0]] += 1
            distance[_prefix(code)[0]] += 1
    bits = _Bits()
    bits.write(0x2F, 8)
    bits.write(width - 1, 14)
    bits.write(height - 1, 14)
    bits.write(0, 1)  # alpha_is_used
    bits.write(0, 3)  # version
    bits.write(0, 1)  # no transform
    bits.write(0, 1)  # no colour cache
    bits.write(0, 1)  # one prefix code group
    codes = [_write_prefix_code(bits, counts) for counts in (green, red, blue, alpha, distance)]
    green_code, red_code, blue_code, alpha_code, distance_code = codes
    for argb, length, code, _ in tokens:
        if argb >= 0:
            green_code.put(bits, (argb >> 8) & 0xFF)
            red_code.put(bits, (argb >> 16) & 0xFF)
            blue_code.put(bits, argb & 0xFF)
            alpha_code.put(bits, argb >> 24)
            continue
        symbol, extra_bits, extra = _prefix(length)
        green_code.put(bits, 256 + symbol)
        bits.write(extra, extra_bits)
        symbol, extra_bits, extra = _prefix(code)
        distance_code.put(bits, symbol)
        bits.write(extra, extra_bits)
    payload = bits.getvalue()
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_size(data: bytes) -> tuple[int, int]:
    """Width and height of a VP8L WebP (what tests and callers need without decoding)."""
    if data[:4] != b"RIFF" or data[8:16] != b"WEBPVP8L" or data[20] != 0x2F:
        raise ValueError("not a lossless WebP")
    header = int.from_bytes(data[21:25], "little")
    return (header & 0x3FFF) + 1, ((header >> 14) & 0x3FFF) + 1
