/*
 * Depth-wise 3x3 convolution of NCHW float32 maps for inference, optionally fused
 * with the GELU gate of a gated FFN (HINT's GDFN, Restormer's):
 *
 *     gate = 0:  out[n, c]     = bias[c] + sum_{di,dj} w[c, di, dj] * x[n, c, i+di, j+dj]
 *     gate = 1:  out[n, c]     = gelu(dw(x)[n, c]) * dw(x)[n, c + C/2],  c < C/2
 *
 * with zero padding 1 (outside the H rows given) and stride 1, for output rows
 * row0 .. row0 + rows - 1 (all rows: 0, H; a band of a taller map: the band with
 * one halo row on each side that exists, and the rows inside it); gelu is the exact (erf) form, evaluated to
 * about float32 rounding (see gelu_f32). One task = one output plane;
 * tasks split in static ranges over the OpenMP threads. Rows are accumulated into
 * per-thread buffers of `width` values, so a plane's intermediates never leave the
 * cache: the fused form reads the input planes once and writes the output planes
 * once, where conv -> gelu -> mul write and re-read three full-size maps.
 *
 * Included at the end of selective_scan_cpu.c (one translation unit, sharing its
 * vector types, exp_f32, PARALLEL_RANGES and FTZ macros). Dw2dArgs is mirrored in
 * inpaintzoo/models/ssm/kernel_abi.py (size checked on load).
 */
#include <math.h>
#include <stdlib.h>

typedef struct {
    const float *x, *w, *bias; /* x (N, C, H, W) contiguous; w (C, 3, 3); bias (C,) or NULL */
    float *out;                /* (N, C, R, W); (N, C/2, R, W) when gate */
    int64_t batch, channels, height, width, gate;
    int64_t row0, rows; /* output rows row0 .. row0 + R - 1 of each plane (R = rows) */
    int64_t out_plane;  /* elements between output planes; 0 = R * W (contiguous) */
} Dw2dArgs;

/* acc[0..W) = b + 3x3 taps k of plane xp around row i (zero padding). */
static inline void dw_row_f32(const float *restrict xp, const float *restrict k, float b,
                              int64_t i, int64_t H, int64_t W, float *restrict acc) {
    for (int64_t j = 0; j < W; j++) acc[j] = b;
    for (int64_t di = -1; di <= 1; di++) {
        const int64_t r = i + di;
        if (r < 0 || r >= H) continue;
        const float *restrict row = xp + r * W;
        const float k0 = k[(di + 1) * 3], k1 = k[(di + 1) * 3 + 1], k2 = k[(di + 1) * 3 + 2];
        if (W == 1) {
            acc[0] += k1 * row[0];
            continue;
        }
        acc[0] += k1 * row[0] + k2 * row[1];
        for (int64_t j = 1; j < W - 1; j++)
            acc[j] += k0 * row[j - 1] + k1 * row[j] + k2 * row[j + 1];
        acc[W - 1] += k0 * row[W - 2] + k1 * row[W - 1];
    }
}

/* gelu(x) = x / 2 * erfc(-x / sqrt 2), erfc of |z| from the Chebyshev fit of
 * Numerical Recipes (erfcc: fractional error below 1.2e-7 everywhere), so the
 * negative tail keeps its relative precision (no 1 + erf(z) cancellation). */
static inline __attribute__((always_inline)) vf32 gelu_f32(vf32 x) {
    const vf32 z = x * 0.70710678118654752f;
    const vi32 neg = (vi32)(z < 0);
    const vf32 az = sel_f32(neg, -z, z);
    const vf32 t = 1.0f / (1.0f + 0.5f * az);
    vf32 p = (vf32){0} + 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    const vf32 erfc_az = t * exp_f32(p - az * az); /* erfc(|z|) */
    return 0.5f * x * sel_f32(neg, erfc_az, 2.0f - erfc_az);
}

/* out[j] = gelu(a[j]) * b[j], j < W */
static inline void gelu_gate_row_f32(const float *a, const float *b, float *out, int64_t W) {
    enum { L = (int)(sizeof(vf32) / sizeof(float)) };
    int64_t j = 0;
    for (; j + L <= W; j += L) {
        vf32 av, bv;
        memcpy(&av, a + j, sizeof av);
        memcpy(&bv, b + j, sizeof bv);
        av = gelu_f32(av) * bv;
        memcpy(out + j, &av, sizeof av);
    }
    if (j < W) {
        float ta[L] = {0}, tb[L] = {0};
        memcpy(ta, a + j, (W - j) * sizeof(float));
        memcpy(tb, b + j, (W - j) * sizeof(float));
        vf32 av, bv;
        memcpy(&av, ta, sizeof av);
        memcpy(&bv, tb, sizeof bv);
        av = gelu_f32(av) * bv;
        memcpy(ta, &av, sizeof av);
        memcpy(out + j, ta, (W - j) * sizeof(float));
    }
}

/* Returns 0, or -1 when a row buffer cannot be allocated (nothing is written then
 * by the thread that failed; the caller must treat the output as invalid). */
int dw3x3_f32(const Dw2dArgs *a, int nthreads) {
    const int64_t C = a->channels, H = a->height, W = a->width;
    const int64_t cout = a->gate ? C / 2 : C, plane = H * W, R = a->rows, r0 = a->row0;
    const int64_t out_plane = a->out_plane ? a->out_plane : R * W;
    int failed = 0;
    PARALLEL_RANGES(nthreads, a->batch * cout) {
        float *buf = (float *)malloc((size_t)(2 * W) * sizeof(float));
        if (!buf) {
#ifdef _OPENMP
#pragma omp atomic write
#endif
            failed = 1;
        } else {
            FTZ_BEGIN;
            for (int64_t task = task0; task < task1; task++) {
                const int64_t n = task / cout, c = task % cout;
                const float *xa = a->x + (n * C + c) * plane;
                float *o = a->out + (n * cout + c) * out_plane;
                const float ba = a->bias ? a->bias[c] : 0.0f;
                if (!a->gate) {
                    for (int64_t i = 0; i < R; i++)
                        dw_row_f32(xa, a->w + c * 9, ba, r0 + i, H, W, o + i * W);
                    continue;
                }
                const int64_t c2 = c + cout;
                const float *xb = a->x + (n * C + c2) * plane;
                const float bb = a->bias ? a->bias[c2] : 0.0f;
                for (int64_t i = 0; i < R; i++) {
                    dw_row_f32(xa, a->w + c * 9, ba, r0 + i, H, W, buf);
                    dw_row_f32(xb, a->w + c2 * 9, bb, r0 + i, H, W, buf + W);
                    gelu_gate_row_f32(buf, buf + W, o + i * W, W);
                }
            }
            FTZ_END;
            free(buf);
        }
    }
    return failed ? -1 : 0;
}

int64_t dw2d_args_size(void) { return (int64_t)sizeof(Dw2dArgs); }

/* LayerNorm over the channels of NCHW float32 maps, per pixel vector v (C values):
 *     centre = 1:  out = (v - mean(v)) / sqrt(var(v) + eps) * w + b    (WithBias)
 *     centre = 0:  out = v / sqrt(var(v) + eps) * w                     (BiasFree)
 * with the biased variance taken about the mean (two passes), b optional. One task
 * = one batch item and a block of LN_BLOCK consecutive pixels: every pass reads the
 * block's C rows of contiguous pixels, so it stays in the cache and the map is read
 * from memory once (the channels-last permute and its copies are not needed). */
#define LN_BLOCK 256
typedef struct {
    const float *x, *w, *b; /* x (N, C, P) contiguous, P = H * W; w, b (C,), b or NULL */
    float *out;             /* (N, C, P) */
    int64_t batch, channels, pixels, centre;
    double eps;
} LnArgs;

void ln_channels_f32(const LnArgs *a, int nthreads) {
    const int64_t C = a->channels, P = a->pixels;
    const int64_t blocks = (P + LN_BLOCK - 1) / LN_BLOCK;
    const float eps = (float)a->eps, inv_c = 1.0f / (float)C;
    PARALLEL_RANGES(nthreads, a->batch * blocks) {
        float mean[LN_BLOCK], scale[LN_BLOCK];
        for (int64_t task = task0; task < task1; task++) {
            const int64_t n = task / blocks, p0 = (task % blocks) * LN_BLOCK;
            const int64_t L = P - p0 < LN_BLOCK ? P - p0 : LN_BLOCK;
            const float *x = a->x + n * C * P + p0;
            float *o = a->out + n * C * P + p0;
            for (int64_t j = 0; j < L; j++) mean[j] = 0.0f, scale[j] = 0.0f;
            for (int64_t c = 0; c < C; c++)
                for (int64_t j = 0; j < L; j++) mean[j] += x[c * P + j];
            for (int64_t j = 0; j < L; j++) mean[j] *= inv_c;
            for (int64_t c = 0; c < C; c++)
                for (int64_t j = 0; j < L; j++) {
                    const float d = x[c * P + j] - mean[j];
                    scale[j] += d * d;
                }
            for (int64_t j = 0; j < L; j++) scale[j] = 1.0f / sqrtf(scale[j] * inv_c + eps);
            if (!a->centre)
                for (int64_t j = 0; j < L; j++) mean[j] = 0.0f;
            for (int64_t c = 0; c < C; c++) {
                const float wc = a->w[c], bc = a->b ? a->b[c] : 0.0f;
                for (int64_t j = 0; j < L; j++)
                    o[c * P + j] = (x[c * P + j] - mean[j]) * scale[j] * wc + bc;
            }
        }
    }
}

int64_t ln_args_size(void) { return (int64_t)sizeof(LnArgs); }
