// CKernels: FaceKit's few hand-written convolution kernels and ImageKit's Lanczos passes, in C because
// they need AVX2/FMA code chosen at run time (Swift cannot compile one function for several
// instruction sets). Every kernel is built for the baseline CPU and for AVX2(+FMA) (the direct
// convolution and the Lanczos passes also for AVX-512) and picks a build per call; FaceKit wraps them
// once (Convolution+Winograd.swift, +StridedWinograd, +Winograd3x3, +Direct), ImageKit in Resampler.swift, and their
// tests compare them with the im2col + sgemm path and a plain per-sample resize.
#pragma once

#include <stddef.h>
#include <stdint.h>

/// The build this CPU runs: 0 baseline, 1 AVX2+FMA, 2 AVX-512F (with AVX2+FMA). `FACEKIT_KERNEL_LEVEL=0|1`,
/// read once, caps it (to measure an AVX2-only host on an AVX-512 one); it covers ImageKit's Lanczos too.
int ck_cpu_kernel_level(void);

/// The build the kernels that pick their own run: ck_cpu_kernel_level(), lowered while a test holds a
/// limit (ck_acquire_kernel_level_limit).
int ck_kernel_level(void);

/// Tests: waits until no other test holds a limit, then runs at most build `level` until
/// ck_release_kernel_level_limit, so concurrent suites cannot lift each other's limit. Not reentrant.
void ck_acquire_kernel_level_limit(int level);

/// Tests: lifts the limit and lets the next test take one.
void ck_release_kernel_level_limit(void);

/// Winograd F(4x4, 5x5) for dlib's stride-1 5x5 convolutions with 2 pixels of zero padding
/// (`con5`): each 4x4 block of outputs ("tile") is computed from its 8x8 input patch with 64
/// multiplications per channel pair instead of 400 (points 0, ±1, ±2, ±1/2 and infinity; F(2x2, 5x5)
/// took 36 for 4 outputs, with about 2/3 of the rounding error). The caller multiplies, for each of
/// the 64 transform points p, the filters' matrix U[p] (F x C) by the inputs' V[p] (C x T) into M[p]
/// (F x T), e.g. with sgemm; these functions do the transforms around that product.
///
/// Tiles: `tilesX = (cols + 3) / 4` per tile row, stored `ck_winograd5_tile_stride(cols)` apart
/// (rounded up to 8; the extra tiles are computed and dropped). A band of `tileRows` tile rows
/// (4 output rows each) has T = tileRows * stride tiles.

/// Tiles stored per tile row for an input `cols` wide.
int ck_winograd5_tile_stride(int cols);

/// Floats of scratch `ck_winograd5_input_transform` needs for a band of `tileRows` tile rows.
int ck_winograd5_scratch_floats(int cols, int tileRows);

/// U[p][f][c] = (G g G^T)[p] for each filter f and channel c of `weights` (F x C x 5 x 5, dlib's layout).
/// U holds 64 * filters * channels floats.
void ck_winograd5_filter_transform(const float *weights, int filters, int channels, float *U);

/// V[p][c][t] = (B^T d B)[p] for the 8x8 input patch d of every tile t of tile rows
/// [tileRow0, tileRow0 + tileRows) of one sample `input` (channels x rows x cols planes).
/// V holds 64 * channels * T floats.
void ck_winograd5_input_transform(
    const float *input, int channels, int rows, int cols, int tileRow0, int tileRows, float *V, float *scratch);

/// Output rows [4 * tileRow0, min(rows, 4 * (tileRow0 + tileRows))) of each of `filters` planes
/// of `output` (rows x cols each, the same size as the input) from M (64 x filters x T):
/// A^T m A, plus bias[f] (when bias is not NULL), then max(., 0) when relu is not 0.
void ck_winograd5_output_transform(
    const float *M, int filters, int rows, int cols, int tileRow0, int tileRows, const float *bias, int relu, float *output);

/// Winograd F(4x4, 3x3) for stride-2 5x5 convolutions without padding (the detector's `con5d`
/// layers) over the input's four phase images (see WinogradStrided.c): each 4x4 block of outputs
/// ("tile") costs 36 multiplications per filter and phase channel (K = 4 x channels). A call
/// covers `tileRows` tile rows (4 output rows each) from the input's row 0: it splits their input
/// rows once (`ck_winograd5s2_split`), then for each chunk of `tiles` tile columns from `tx0`
/// (a multiple of 8; T = tileRows * tiles) transforms the inputs into V, multiplies for each of
/// the 36 transform points p U[p] (F x K) by V[p] (K x T) into M[p] (F x T), e.g. with sgemm,
/// and transforms M into the outputs. Chunks keep V and M in the cache.

/// Tile columns of an output `outCols` wide, rounded up to 8 (the extra tiles are computed and dropped).
int ck_winograd5s2_tile_stride(int outCols);

/// Floats of scratch `ck_winograd5s2_split` needs for `tileRows` tile rows.
int ck_winograd5s2_scratch_floats(int channels, int outCols, int tileRows);

/// U[p][f][4c + 2py + px] from `weights` (F x C x 5 x 5, dlib's layout). U holds 36 * filters * 4 * channels floats.
void ck_winograd5s2_filter_transform(const float *weights, int filters, int channels, float *U);

/// Splits the input rows of `tileRows` tile rows of `input` (channels planes of `cols` columns,
/// `planeRows` rows apart) into their column phases mod 8, reading only rows below `validRows`
/// (zero past them and past `cols`).
void ck_winograd5s2_split(
    const float *input, int channels, int planeRows, int cols, int validRows, int outCols, int tileRows, float *scratch);

/// V[p][k][ty * tiles + t] (36 * 4 * channels * T floats) for tile columns [tx0, tx0 + tiles) from the split rows.
void ck_winograd5s2_input_transform(const float *scratch, int channels, int outCols, int tileRows, int tx0, int tiles, float *V);

/// Output rows [0, min(validRows, 4 * tileRows)) of columns [4 tx0, 4 (tx0 + tiles)) of each of `filters`
/// planes of `output` (outCols wide, `outPlaneRows` rows apart) from M (36 x filters x T):
/// A^T m A, plus bias[f] (when bias is not NULL), then max(., 0) when relu is not 0.
void ck_winograd5s2_output_transform(const float *M, int filters, int tileRows, int tx0, int tiles, int outCols, int validRows,
    int outPlaneRows, const float *bias, int relu, float *output);

/// Winograd F(2x2, 3x3) for dlib's stride-1 3x3 convolutions with 1 pixel of zero padding (the
/// face descriptor ResNet's layers): 16 multiplications per 2x2 block of outputs ("tile") and
/// channel pair instead of 36. The tiles of a batch of samples are numbered together (sample,
/// tile row, tile column; T = samples * tiles(rows) * tiles(cols)), so the caller's 16 products
/// M[p] (F x T) = U[p] (F x C) * V[p] (C x T), e.g. with sgemm, cover every sample at once.
/// V and M rows are `ldv`/`ldm` floats apart, at least T + 8 (the transforms move eight tiles at
/// a time and use the slack).

/// Tiles along a side of `size` pixels.
int ck_winograd3_tiles(int size);

/// Floats of scratch `ck_winograd3_input_transform` needs for `rows x cols` planes.
int ck_winograd3_scratch_floats(int rows, int cols);

/// U[p][f][c] = (G g G^T)[p] for each filter f and channel c of `weights` (F x C x 3 x 3, dlib's
/// layout). U holds 16 * filters * channels floats.
void ck_winograd3_filter_transform(const float *weights, int filters, int channels, float *U);

/// V[p][c][t] = (B^T d B)[p] for the 4x4 input patch d of every tile t of `samples` consecutive
/// samples of `input` (channels x rows x cols planes each). V holds 16 * channels * ldv floats.
void ck_winograd3_input_transform(const float *input, int samples, int channels, int rows, int cols, float *V, long ldv, float *scratch);

/// Every output of `samples` consecutive samples of `output` (filters planes of rows x cols each,
/// the input's size) from M (16 x filters x ldm): A^T m A, plus bias[f] (when bias is not NULL),
/// then max(., 0) when relu is not 0.
void ck_winograd3_output_transform(
    const float *M, long ldm, int samples, int filters, int rows, int cols, const float *bias, int relu, float *output);

/// Direct convolution without padding and with equal strides (the detector's `con5d` layers):
/// output rows [row0, row1) of every filter of one sample, from `input` (channels planes of `cols`
/// columns, `rows` rows apart; output row y reads input rows y * stride .. y * stride + kernelRows - 1)
/// into `output` (filters planes of outCols columns, `outRows` rows apart), adding bias[f] (when bias
/// is not NULL), then max(., 0) when relu is not 0. Needs filters % 4 == 0, weights packed by
/// `ck_direct_pack_weights` and `ck_direct_scratch_floats(..., row1 - row0)` floats of scratch.
/// Each output is summed over channels, filter rows, then filter columns, whatever the rows asked.

/// Row pitch of the split input rows in the scratch.
int ck_direct_pitch(int outCols, int kernelCols, int stride);

/// Floats of scratch a `ck_direct_convolution` call for `outRows` output rows needs.
int ck_direct_scratch_floats(int channels, int outCols, int kernelRows, int kernelCols, int stride, int outRows);

/// Floats of packed weights.
int ck_direct_packed_floats(int filters, int channels, int kernelRows, int kernelCols);

/// Reorders dlib's filters x channels x rows x cols weights so that the four filters of a block sit
/// next to each other for every tap.
void ck_direct_pack_weights(const float *weights, int filters, int channels, int kernelRows, int kernelCols, float *packed);

void ck_direct_convolution(
    const float *input, int channels, int rows, int cols, const float *packed, int filters, int kernelRows, int kernelCols,
    int stride, const float *bias, int relu, int row0, int row1, float *output, int outRows, int outCols, float *scratch);

/// One filter, stride 1 (the detector's last layer): output rows [row0, row1) of one score map
/// (`outCols` wide, rows outCols apart) from `padded`, the input already zero-padded (channels
/// planes of `paddedRows` rows, `pitch` apart, pitch >= ck_single_filter_pitch(outCols, kernelCols)),
/// plus bias, then max(., 0) when relu is not 0. Each output is summed over channels, filter rows,
/// then filter columns.
void ck_single_filter(
    const float *padded, int channels, int paddedRows, int pitch, const float *weights, int kernelRows, int kernelCols, float bias,
    int relu, int row0, int row1, int outCols, float *output);

/// The least row pitch of the padded input `ck_single_filter` reads (whole blocks of 64 outputs).
int ck_single_filter_pitch(int outCols, int kernelCols);

/// One axis of a Lanczos resize (ImageKit's `ResampleAxis`): output sample i reads input samples
/// starts[i] ..< starts[i] + min(taps, inHi - starts[i]) with weights[i * taps ...].
typedef struct {
    int outSize;
    int taps;
    /// The input samples any output reads.
    int inLo, inHi;
    const int32_t *starts;
    const float *weights;
} ck_lanczos_axis;

/// Floats of scratch a `ck_lanczos_rows` call for output rows [row0, row1) needs.
size_t ck_lanczos_scratch_floats(const ck_lanczos_axis *h, const ck_lanczos_axis *v, int channels, int row0, int row1);

/// Output rows [row0, row1) of the separable resize of `src` (`srcWidth` pixels of `channels` (3, or 4
/// with alpha) bytes a row) into `out` (h->outSize x v->outSize pixels, the whole image): vertical
/// pass first, alpha premultiplied (by a * (1/255)) and undone per output pixel, samples rounded and
/// clamped to bytes. Per output sample: vertical acc = r0 * w0, then acc + (ra * wa + rb * wb) per
/// pair of taps, then acc + r * w for an odd last tap; horizontal p = 0 then p + acc * w per tap.
/// Runs at most build `level` (0 baseline, 1 AVX2, 2 AVX-512), capped by ck_cpu_kernel_level() only.
void ck_lanczos_rows(
    const uint8_t *src, int srcWidth, int channels, const ck_lanczos_axis *h, const ck_lanczos_axis *v, int row0, int row1,
    uint8_t *out, float *scratch, int level);
