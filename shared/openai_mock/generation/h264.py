"""A small H.264 (Constrained Baseline, CAVLC) encoder for the mock's videos, written with the standard library
and numpy: no codec library in the Lambda layer.

It encodes exactly, with no quantisation loss, pictures made of constant-colour spans (`generation/videos.py`):
- the first picture (IDR) codes each macroblock as Intra 16x16 with horizontal or vertical prediction and no
  residual where its rows (or columns) continue its left (or upper) neighbour's edge, and as I_PCM (raw samples)
  elsewhere;
- every following picture is one P slice: the macroblock rows of a moving band are P_L0_16x16 with one integer
  motion vector and no residual (the band slides sideways), every other macroblock is P_Skip.

So what a decoder shows is exactly the planes given here, shifted as asked; the deblocking filter is off.
Samples stay in video range (16-235 luma, 16-240 chroma), so raw sample bytes never look like a start code."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Plane = npt.NDArray[np.uint8]

PROFILE_BASELINE = 66
CONSTRAINT_FLAGS = 0xC0  # constraint_set0 + constraint_set1: Constrained Baseline
LOG2_MAX_FRAME_NUM = 16
_EMULATION = re.compile(b"\x00\x00(?=[\x00-\x03])")


class BitWriter:
    """Bits, most significant first, as H.264 writes them; bytes once aligned."""

    def __init__(self) -> None:
        self._out = bytearray()
        self._acc = 0
        self._count = 0

    def bits(self, value: int, count: int) -> None:
        if count == 0:
            return
        self._acc = (self._acc << count) | (value & ((1 << count) - 1))
        self._count += count
        while self._count >= 8:
            self._count -= 8
            self._out.append((self._acc >> self._count) & 0xFF)
        self._acc &= (1 << self._count) - 1

    def flag(self, value: bool | int) -> None:
        self.bits(1 if value else 0, 1)

    def ue(self, value: int) -> None:
        coded = value + 1
        self.bits(coded, 2 * coded.bit_length() - 1)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        if self._count:
            self.bits(0, 8 - self._count)

    def raw(self, data: bytes) -> None:
        assert self._count == 0, "raw bytes need byte alignment"
        self._out += data

    def trailing(self) -> None:
        """rbsp_trailing_bits: a one, then zeros to the byte boundary."""
        self.bits(1, 1)
        self.align_zero()

    @property
    def bit_length(self) -> int:
        return len(self._out) * 8 + self._count

    def value(self) -> tuple[int, int]:
        """Everything written, as an integer and its bit count (to prepend a header to a reused body)."""
        return (int.from_bytes(self._out, "big") << self._count) | self._acc, self.bit_length

    def getvalue(self) -> bytes:
        assert self._count == 0, "not byte aligned"
        return bytes(self._out)


def nal_unit(nal_ref_idc: int, nal_type: int, rbsp: bytes) -> bytes:
    """A NAL unit (header byte + RBSP with emulation prevention), without a start code or length."""
    return bytes([(nal_ref_idc << 5) | nal_type]) + _EMULATION.sub(b"\x00\x00\x03", rbsp)


@dataclass(frozen=True)
class StreamFormat:
    width: int
    height: int
    fps: int

    @property
    def mb_cols(self) -> int:
        return self.width // 16

    @property
    def mb_rows(self) -> int:
        return self.height // 16

    @property
    def level_idc(self) -> int:
        """The smallest level whose frame size and macroblock rate fit (3.1, 4.0, 5.1)."""
        mbs = self.mb_cols * self.mb_rows
        for level, max_frame, max_rate in ((31, 3600, 108_000), (40, 8192, 245_760)):
            if mbs <= max_frame and mbs * self.fps <= max_rate:
                return level
        return 51


def sequence_parameter_set(fmt: StreamFormat) -> bytes:
    w = BitWriter()
    w.bits(PROFILE_BASELINE, 8)
    w.bits(CONSTRAINT_FLAGS, 8)
    w.bits(fmt.level_idc, 8)
    w.ue(0)  # seq_parameter_set_id
    w.ue(LOG2_MAX_FRAME_NUM - 4)
    w.ue(2)  # pic_order_cnt_type 2: output order = decoding order
    w.ue(1)  # max_num_ref_frames
    w.flag(0)  # gaps_in_frame_num_value_allowed_flag
    w.ue(fmt.mb_cols - 1)
    w.ue(fmt.mb_rows - 1)
    w.flag(1)  # frame_mbs_only_flag
    w.flag(1)  # direct_8x8_inference_flag
    w.flag(0)  # frame_cropping_flag: every size served is a multiple of 16
    w.flag(1)  # vui_parameters_present_flag
    w.flag(0)  # aspect_ratio_info_present_flag (square samples)
    w.flag(0)  # overscan_info_present_flag
    w.flag(1)  # video_signal_type_present_flag
    w.bits(5, 3)  # video_format: unspecified
    w.flag(0)  # video_full_range_flag: limited (16-235)
    w.flag(1)  # colour_description_present_flag
    w.bits(1, 8)  # colour_primaries: BT.709
    w.bits(1, 8)  # transfer_characteristics: BT.709
    w.bits(1, 8)  # matrix_coefficients: BT.709
    w.flag(0)  # chroma_loc_info_present_flag
    w.flag(1)  # timing_info_present_flag
    w.bits(1, 32)  # num_units_in_tick
    w.bits(2 * fmt.fps, 32)  # time_scale (two ticks a frame)
    w.flag(1)  # fixed_frame_rate_flag
    w.flag(0)  # nal_hrd_parameters_present_flag
    w.flag(0)  # vcl_hrd_parameters_present_flag
    w.flag(0)  # pic_struct_present_flag
    w.flag(1)  # bitstream_restriction_flag
    w.flag(1)  # motion_vectors_over_pic_boundaries_flag
    w.ue(0)  # max_bytes_per_pic_denom: no limit
    w.ue(0)  # max_bits_per_mb_denom: no limit
    w.ue(15)  # log2_max_mv_length_horizontal
    w.ue(15)  # log2_max_mv_length_vertical
    w.ue(0)  # max_num_reorder_frames: none, a decoder shows each picture at once
    w.ue(1)  # max_dec_frame_buffering
    w.trailing()
    return nal_unit(3, 7, w.getvalue())


def picture_parameter_set() -> bytes:
    w = BitWriter()
    w.ue(0)  # pic_parameter_set_id
    w.ue(0)  # seq_parameter_set_id
    w.flag(0)  # entropy_coding_mode_flag: CAVLC
    w.flag(0)  # bottom_field_pic_order_in_frame_present_flag
    w.ue(0)  # num_slice_groups_minus1
    w.ue(0)  # num_ref_idx_l0_default_active_minus1
    w.ue(0)  # num_ref_idx_l1_default_active_minus1
    w.flag(0)  # weighted_pred_flag
    w.bits(0, 2)  # weighted_bipred_idc
    w.se(0)  # pic_init_qp_minus26
    w.se(0)  # pic_init_qs_minus26
    w.se(0)  # chroma_qp_index_offset
    w.flag(1)  # deblocking_filter_control_present_flag (slices turn the filter off)
    w.flag(0)  # constrained_intra_pred_flag
    w.flag(0)  # redundant_pic_cnt_present_flag
    w.trailing()
    return nal_unit(3, 8, w.getvalue())


def _slice_header(w: BitWriter, *, idr: bool, frame_num: int) -> None:
    w.ue(0)  # first_mb_in_slice
    w.ue(2 if idr else 0)  # slice_type: I or P
    w.ue(0)  # pic_parameter_set_id
    w.bits(frame_num, LOG2_MAX_FRAME_NUM)
    if idr:
        w.ue(0)  # idr_pic_id
    else:
        w.flag(0)  # num_ref_idx_active_override_flag
        w.flag(0)  # ref_pic_list_modification_flag_l0
    if idr:
        w.flag(0)  # no_output_of_prior_pics_flag
        w.flag(0)  # long_term_reference_flag
    else:
        w.flag(0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    w.se(0)  # slice_qp_delta
    w.ue(1)  # disable_deblocking_filter_idc: off, so pictures decode to exactly these samples


# ---------------------------------------------------------------------------------------------------
# The IDR picture
# ---------------------------------------------------------------------------------------------------
def _blocks(plane: Plane, size: int) -> npt.NDArray[np.uint8]:
    rows, cols = plane.shape[0] // size, plane.shape[1] // size
    return plane.reshape(rows, size, cols, size).transpose(0, 2, 1, 3)


def _continues_left(plane: Plane, size: int) -> npt.NDArray[np.bool_]:
    """Per block: every row equals the sample just left of the block (horizontal prediction is exact)."""
    blocks = _blocks(plane, size)
    left = np.zeros_like(plane)
    left[:, size:] = np.repeat(plane[:, size - 1 : -1 : size], size, axis=1)
    same = blocks == _blocks(left, size)
    result: npt.NDArray[np.bool_] = same.all(axis=(2, 3))
    result[:, 0] = False
    return result


def _continues_above(plane: Plane, size: int) -> npt.NDArray[np.bool_]:
    blocks = _blocks(plane, size)
    above = np.zeros_like(plane)
    above[size:, :] = np.repeat(plane[size - 1 : -1 : size, :], size, axis=0)
    same = blocks == _blocks(above, size)
    result: npt.NDArray[np.bool_] = same.all(axis=(2, 3))
    result[0, :] = False
    return result


def _coeff_token_none(nc: int) -> tuple[int, int]:
    """coeff_token for TotalCoeff 0, TrailingOnes 0 (Table 9-5): (code, length) by nC."""
    if nc < 2:
        return 1, 1
    if nc < 4:
        return 3, 2
    if nc < 8:
        return 15, 4
    return 3, 6


def idr_picture(y: Plane, cb: Plane, cr: Plane) -> bytes:
    """The IDR slice NAL of one picture (video-range planes, 4:2:0, sizes multiples of 16)."""
    rows, cols = y.shape[0] // 16, y.shape[1] // 16
    luma_h, luma_v = _continues_left(y, 16), _continues_above(y, 16)
    chroma_h = _continues_left(cb, 8) & _continues_left(cr, 8)
    chroma_v = _continues_above(cb, 8) & _continues_above(cr, 8)
    pcm = np.concatenate(
        [
            _blocks(y, 16).reshape(rows, cols, 256),
            _blocks(cb, 8).reshape(rows, cols, 64),
            _blocks(cr, 8).reshape(rows, cols, 64),
        ],
        axis=2,
    )
    is_pcm = np.zeros((rows, cols), dtype=bool)
    w = BitWriter()
    _slice_header(w, idr=True, frame_num=0)
    for i in range(rows):
        for j in range(cols):
            if (luma_h[i, j] or luma_v[i, j]) and (chroma_h[i, j] or chroma_v[i, j]):
                w.ue(2 if luma_h[i, j] else 1)  # I_16x16_<horizontal|vertical>_0_0: no coded coefficients
                w.ue(1 if chroma_h[i, j] else 2)  # intra_chroma_pred_mode
                w.se(0)  # mb_qp_delta
                # The luma DC block is always coded in an Intra 16x16 macroblock: here, no coefficients.
                # nC from the neighbours' coefficient counts (I_PCM counts 16, the others here 0).
                counts = [16 if is_pcm[a, b] else 0 for a, b in ((i, j - 1), (i - 1, j)) if a >= 0 and b >= 0]
                nc = (counts[0] + counts[1] + 1) >> 1 if len(counts) == 2 else (counts[0] if counts else 0)
                w.bits(*_coeff_token_none(nc))
            else:
                w.ue(25)  # I_PCM
                w.align_zero()
                w.raw(pcm[i, j].tobytes())
                is_pcm[i, j] = True
    w.trailing()
    return nal_unit(3, 5, w.getvalue())


# ---------------------------------------------------------------------------------------------------
# The P pictures: a band of macroblock rows slides, the rest stays
# ---------------------------------------------------------------------------------------------------
MotionVector = tuple[int, int]


def _median(a: int, b: int, c: int) -> int:
    return a + b + c - min(a, b, c) - max(a, b, c)


class _MotionField:
    """Motion vectors of the macroblocks coded so far (all inter, reference index 0), for prediction."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = rows, cols
        self.mv: dict[tuple[int, int], MotionVector] = {}

    def _neighbour(self, i: int, j: int) -> MotionVector | None:
        if i < 0 or j < 0 or j >= self.cols:
            return None
        return self.mv.get((i, j))

    def predicted(self, i: int, j: int) -> MotionVector:
        a, b = self._neighbour(i, j - 1), self._neighbour(i - 1, j)
        c = self._neighbour(i - 1, j + 1)
        if c is None:
            c = self._neighbour(i - 1, j - 1)
        if b is None and c is None and a is not None:
            return a
        available = [n for n in (a, b, c) if n is not None]
        if len(available) == 1:  # exactly one neighbour has reference index 0
            return available[0]
        zero = (0, 0)
        a, b, c = a or zero, b or zero, c or zero
        return _median(a[0], b[0], c[0]), _median(a[1], b[1], c[1])

    def skipped(self, i: int, j: int) -> MotionVector:
        """The motion vector a P_Skip macroblock here would get (8.4.1.1)."""
        a, b = self._neighbour(i, j - 1), self._neighbour(i - 1, j)
        if a is None or b is None or a == (0, 0) or b == (0, 0):
            return (0, 0)
        return self.predicted(i, j)


@dataclass(frozen=True)
class PSliceBody:
    """The slice data of a P picture, reused by every picture with the same motion."""

    value: int
    bits: int


def p_slice_body(fmt: StreamFormat, band: range, shift: int) -> PSliceBody:
    """Slice data moving the macroblock rows in `band` right by `shift` pixels (even, so chroma moves by whole
    samples too), everything else standing still."""
    field = _MotionField(fmt.mb_rows, fmt.mb_cols)
    moving: MotionVector = (-4 * shift, 0)  # quarter samples; the prediction reads `shift` pixels to the left
    w = BitWriter()
    run = 0
    for i in range(fmt.mb_rows):
        for j in range(fmt.mb_cols):
            wanted = moving if i in band else (0, 0)
            if field.skipped(i, j) == wanted:
                field.mv[(i, j)] = wanted
                run += 1
                continue
            w.ue(run)  # mb_skip_run
            run = 0
            predicted = field.predicted(i, j)
            w.ue(0)  # mb_type P_L0_16x16 (one reference: no ref_idx)
            w.se(wanted[0] - predicted[0])  # mvd_l0 x
            w.se(wanted[1] - predicted[1])  # mvd_l0 y
            w.ue(0)  # coded_block_pattern 0 (inter mapping): no residual, no mb_qp_delta
            field.mv[(i, j)] = wanted
    if run:
        w.ue(run)
    value, bits = w.value()
    return PSliceBody(value, bits)


def p_picture(body: PSliceBody, frame_num: int) -> bytes:
    header = BitWriter()
    _slice_header(header, idr=False, frame_num=frame_num % (1 << LOG2_MAX_FRAME_NUM))
    head_value, head_bits = header.value()
    total_bits = head_bits + body.bits + 1  # + the rbsp stop bit
    padding = -total_bits % 8
    value = (((head_value << body.bits) | body.value) << 1 | 1) << padding
    return nal_unit(2, 1, value.to_bytes((total_bits + padding) // 8, "big"))
