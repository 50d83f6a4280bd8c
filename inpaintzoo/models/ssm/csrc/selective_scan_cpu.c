/*
 * Fused selective scan for the CPU (forward and backward): C99 with GNU vector
 * extensions, built with -std=gnu99 (an ISO -std=c99 build turns off FMA
 * contraction and runs about 1.5x slower).
 *
 * Compiled on first use by inpaintzoo/models/ssm/cpu_kernel.py and called through
 * ctypes; ScanArgs / ConvArgs are mirrored in inpaintzoo/models/ssm/kernel_abi.py
 * (their sizes are checked on load). Every pointer must cover the full extent its sizes and strides imply:
 * delta_bias, skip and conv bias D values, conv taps K x D; the Python side
 * expands broadcastable arguments before the call. Tasks run on OpenMP threads; linked against libgomp.so.1, the kernel
 * shares the OpenMP runtime (and thread team) that PyTorch has already loaded.
 *
 * delta is the raw time step: delta_bias (D,) is added and softplus applied here
 * when asked (gdelta is then the gradient w.r.t. the raw value).
 *
 * Layout: channels-last. u, delta, y, gu, gdelta are (Bt, L, D) with unit channel
 * stride; B, C, gB, gC are (Bt, L, G, N) with unit state stride; A, gA are (D, N)
 * contiguous; the last state is (Bt, D, N); checkpoints are (Bt, nck, D, N).
 * Recurrence for channel d (group g = d / (D/G)) and state n:
 *
 *     h_t[n] = exp(delta_t * A[d, n]) * h_{t-1}[n] + delta_t * u_t * B_t[g, n]
 *     y_t    = sum_n C_t[g, n] * h_t[n]
 *
 * One task = one batch item and one block of up to VL = 16 consecutive channels of
 * one group; the channels are the lanes of NV explicit 32-byte vectors (GCC/Clang
 * vector extensions, lowered to whatever SIMD the target has), so the forward has
 * no horizontal sums. exp() is a range-reduced polynomial on those vectors (no
 * libm, no -ffast-math, so no process-wide flush-to-zero).
 */
#include <stdint.h>
#include <string.h>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

/* Denormals (|x| < 1.2e-38 in float32) are flushed to zero while a kernel runs:
 * decays of exp(delta * A) ~ 1e-38 times a state would otherwise produce them and
 * slow every step several-fold. MXCSR is per thread; each thread restores its own. */
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define FTZ_BEGIN                                                                    \
    const unsigned int csr_ = _mm_getcsr();                                          \
    _mm_setcsr(csr_ | 0x8040u)
#define FTZ_END _mm_setcsr(csr_)
#else
#define FTZ_BEGIN                                                                    \
    do {                                                                             \
    } while (0)
#define FTZ_END                                                                      \
    do {                                                                             \
    } while (0)
#endif

#define VL 16
#define MAX_STATE 256

/* Opens a block run by each of up to `nthreads` threads with its static task
 * range [task0, task1) and its index `worker` (one thread without OpenMP). */
#ifdef _OPENMP
#define PARALLEL_RANGES(nthreads, n_tasks)                                           \
    _Pragma("omp parallel num_threads(nthreads)")                                    \
    for (int64_t worker = omp_get_thread_num(), nw_ = omp_get_num_threads(),         \
                 task0 = (n_tasks) * worker / nw_,                                   \
                 task1 = (n_tasks) * (worker + 1) / nw_, once_ = 1;                  \
         once_; once_ = 0)
#else
#define PARALLEL_RANGES(nthreads, n_tasks)                                           \
    for (int64_t worker = 0, task0 = 0, task1 = (n_tasks), once_ = 1; once_;         \
         once_ = 0)
#endif

typedef struct {
    const void *u, *delta, *A, *B, *C, *delta_bias;
    void *y, *h_last, *ckpt;
    const void *gy, *gh_last;
    void *gu, *gdelta, *gA, *gB, *gC;
    const void *z, *skip; /* forward only: y = (y + skip * u) * silu(z) */
    int64_t batch, length, dim, n_state, groups, chunk, softplus;
    int64_t su_b, su_l, sd_b, sd_l, sb_b, sb_l, sc_b, sc_l, sy_b, sy_l;
    int64_t sgy_b, sgy_l, sgu_b, sgu_l, sgd_b, sgd_l, sgb_b, sgb_l, sgc_b, sgc_l;
    int64_t sz_b, sz_l;
} ScanArgs;

/* Depth-wise causal conv1d + SiLU, channels-last (Bt, L, D) -> (Bt, L, D):
 * out[t, d] = silu(bias[d] + sum_k w[k, d] * x[t-k, d]); w is (K, D), row k the
 * tap that multiplies x[t - k] (the conv1d weight flipped and transposed). */
typedef struct {
    const void *x, *w, *bias;
    void *out;
    int64_t batch, length, dim, ksize;
    int64_t sx_b, sx_l, so_b, so_l;
} ConvArgs;


typedef float vf32 __attribute__((vector_size(32)));
typedef int32_t vi32 __attribute__((vector_size(32)));
typedef double vf64 __attribute__((vector_size(32)));
typedef int64_t vi64 __attribute__((vector_size(32)));
#define NV_f32 (VL / 8)
#define NV_f64 (VL / 4)

static inline __attribute__((always_inline)) vf32 sel_f32(vi32 m, vf32 a, vf32 b) {
    return (vf32)((m & (vi32)a) | (~m & (vi32)b));
}

static inline __attribute__((always_inline)) vf64 sel_f64(vi64 m, vf64 a, vf64 b) {
    return (vf64)((m & (vi64)a) | (~m & (vi64)b));
}

/* Two-input lane shuffles with constant indices (GCC >= 12 and Clang spell it
 * __builtin_shufflevector; older GCC takes an index vector). */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#define SHUF_f32(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#define SHUF_f64(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF_f32(a, b, ...) __builtin_shuffle(a, b, (vi32){__VA_ARGS__})
#define SHUF_f64(a, b, ...) __builtin_shuffle(a, b, (vi64){__VA_ARGS__})
#endif

/* Horizontal sums of 8 (4) vectors at once: lane k of the result is the sum of
 * the lanes of v[k]. A pairwise tree of in-lane shuffles and adds (21 vector
 * instructions for 8 sums where one sum at a time costs 7 serial scalar adds). */
static inline __attribute__((always_inline)) vf32 reduce_f32(const vf32 *v) {
    vf32 s[4];
    for (int k = 0; k < 4; k++)
        s[k] = SHUF_f32(v[2 * k], v[2 * k + 1], 0, 2, 8, 10, 4, 6, 12, 14)
               + SHUF_f32(v[2 * k], v[2 * k + 1], 1, 3, 9, 11, 5, 7, 13, 15);
    vf32 q0 = SHUF_f32(s[0], s[1], 0, 2, 8, 10, 4, 6, 12, 14)
              + SHUF_f32(s[0], s[1], 1, 3, 9, 11, 5, 7, 13, 15);
    vf32 q1 = SHUF_f32(s[2], s[3], 0, 2, 8, 10, 4, 6, 12, 14)
              + SHUF_f32(s[2], s[3], 1, 3, 9, 11, 5, 7, 13, 15);
    return SHUF_f32(q0, q1, 0, 1, 2, 3, 8, 9, 10, 11)
           + SHUF_f32(q0, q1, 4, 5, 6, 7, 12, 13, 14, 15);
}

static inline __attribute__((always_inline)) vf64 reduce_f64(const vf64 *v) {
    vf64 s0 = SHUF_f64(v[0], v[1], 0, 4, 2, 6) + SHUF_f64(v[0], v[1], 1, 5, 3, 7);
    vf64 s1 = SHUF_f64(v[2], v[3], 0, 4, 2, 6) + SHUF_f64(v[2], v[3], 1, 5, 3, 7);
    return SHUF_f64(s0, s1, 0, 1, 4, 5) + SHUF_f64(s0, s1, 2, 3, 6, 7);
}

/* Clamp to [lo, hi] with NaN kept (x86 min/max return their second operand
 * when either is NaN, so x goes second); one instruction each where AVX has them. */
static inline __attribute__((always_inline)) vf32 clamp_f32(vf32 x, float lo, float hi) {
#if defined(__AVX__)
    x = (vf32)_mm256_max_ps((__m256)((vf32){0} + lo), (__m256)x);
    return (vf32)_mm256_min_ps((__m256)((vf32){0} + hi), (__m256)x);
#else
    x = sel_f32((vi32)(x < lo), (vf32){0} + lo, x);
    return sel_f32((vi32)(x > hi), (vf32){0} + hi, x);
#endif
}

/* exp(x): x = n ln2 + r, |r| <= ln2 / 2, times 2^n; the rounding of x / ln2 and
 * the 2^n bits both come from adding 1.5 * 2^23. exp(r) is a degree-6 polynomial
 * fitted for least maximum relative error on that interval (1.9e-9, below float
 * rounding; a degree-7 Taylor series is as accurate and one FMA dearer). */
static inline __attribute__((always_inline)) vf32 exp_f32(vf32 x) {
    x = clamp_f32(x, -87.0f, 88.0f);
    const float shift = 12582912.0f;
    vf32 kd = x * 1.44269504088896341f + shift;
    vf32 n = kd - shift;
    vf32 r = x - n * 0.693145751953125f;
    r = r - n * 1.42860682030941723e-6f;
    vf32 p = (vf32){0} + 1.3836845755577087e-3f;
    p = p * r + 8.374815806746483e-3f;
    p = p * r + 4.166822507977486e-2f;
    p = p * r + 1.6666419804096222e-1f;
    p = p * r + 4.9999991059303284e-1f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * (vf32)(((vi32)kd + 127) << 23);
}

static inline __attribute__((always_inline)) vf64 exp_f64(vf64 x) {
    x = sel_f64((vi64)(x < -708.0), (vf64){0} - 708.0, x);
    x = sel_f64((vi64)(x > 709.0), (vf64){0} + 709.0, x);
    const double shift = 6755399441055744.0;
    vf64 kd = x * 1.4426950408889634074 + shift;
    vf64 n = kd - shift;
    vf64 r = x - n * 6.93147180369123816490e-01;
    r = r - n * 1.90821492927058770002e-10;
    vf64 p = (vf64){0} + 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return p * (vf64)(((vi64)kd + 1023) << 52);
}

/* log(1 + y) for y in [0, 1] as 2 atanh(s), s = y / (2 + y) <= 1/3 (series in
 * s^2; no 1 + y is formed, so tiny y keep full precision). */
static inline __attribute__((always_inline)) vf32 log1p_unit_f32(vf32 y) {
    vf32 s = y / (2.0f + y), s2 = s * s, p = (vf32){0} + 1.0f / 17.0f;
    for (int k = 7; k >= 0; k--) p = p * s2 + 1.0f / (float)(2 * k + 1);
    return 2.0f * s * p;
}

static inline __attribute__((always_inline)) vf64 log1p_unit_f64(vf64 y) {
    vf64 s = y / (2.0 + y), s2 = s * s, p = (vf64){0} + 1.0 / 35.0;
    for (int k = 16; k >= 0; k--) p = p * s2 + 1.0 / (double)(2 * k + 1);
    return 2.0 * s * p;
}

/* softplus(x) = max(x, 0) + log1p(exp(-|x|)), and x itself above 20 (as torch);
 * its derivative sigmoid(x) (1 above 20). */
#define DEFINE_SOFTPLUS(T, SFX, V, VI)                                               \
    static inline V softplus_##SFX(V x) {                                            \
        V y = exp_##SFX(sel_##SFX((VI)(x < 0), x, -x));                              \
        V v = sel_##SFX((VI)(x > 0), x, (V){0}) + log1p_unit_##SFX(y);               \
        return sel_##SFX((VI)(x > (T)20), x, v);                                     \
    }                                                                                \
    static inline V silu_##SFX(V x) { return x / ((T)1 + exp_##SFX(-x)); }          \
    static inline V dsoftplus_##SFX(V x) {                                           \
        V y = exp_##SFX(sel_##SFX((VI)(x < 0), x, -x));                              \
        V v = sel_##SFX((VI)(x > 0), (T)1 / ((T)1 + y), y / ((T)1 + y));             \
        return sel_##SFX((VI)(x > (T)20), (V){0} + (T)1, v);                         \
    }

DEFINE_SOFTPLUS(float, f32, vf32, vi32)
DEFINE_SOFTPLUS(double, f64, vf64, vi64)

/* Number of tasks: batch items x groups x channel blocks of one group. */
static inline int64_t count_tasks(const ScanArgs *a) {
    int64_t dg = a->dim / a->groups;
    return a->batch * a->groups * ((dg + VL - 1) / VL);
}

/* Task index -> (batch item, first channel, width, group). */
static inline void task_coords(const ScanArgs *a, int64_t task, int64_t *b, int64_t *d0,
                               int *w, int64_t *g) {
    int64_t dg = a->dim / a->groups;
    int64_t blocks = (dg + VL - 1) / VL;
    int64_t per_batch = blocks * a->groups;
    *b = task / per_batch;
    int64_t rest = task % per_batch;
    *g = rest / blocks;
    int64_t blk = rest % blocks;
    *d0 = *g * dg + blk * VL;
    int64_t left = dg - blk * VL;
    *w = (int)(left < VL ? left : VL);
}

#define DEFINE_SCAN(T, SFX, V)                                                        \
    /* W lanes of memory -> NV vectors (zero-padded when W < VL), and back */       \
    static inline void load_##SFX(V *dst, const T *src, int W) {                     \
        if (W == VL) {                                                               \
            for (int j = 0; j < NV_##SFX; j++)                                       \
                memcpy(dst + j, src + j * (VL / NV_##SFX), sizeof(V));               \
            return;                                                                  \
        }                                                                            \
        T tmp[VL] = {0};                                                             \
        memcpy(tmp, src, W * sizeof(T));                                             \
        memcpy(dst, tmp, sizeof(tmp));                                               \
    }                                                                                \
    static inline void store_##SFX(T *dst, const V *src, int W) {                    \
        if (W == VL) {                                                               \
            for (int j = 0; j < NV_##SFX; j++)                                       \
                memcpy(dst + j * (VL / NV_##SFX), src + j, sizeof(V));               \
            return;                                                                  \
        }                                                                            \
        memcpy(dst, src, W * sizeof(T));                                             \
    }                                                                                \
    /* lane k of vector n from / to a (W, N) row-major block with row stride rs */   \
    static inline void gather_##SFX(V *dst, const T *src, int W, int64_t N,          \
                                    int64_t rs) {                                    \
        for (int64_t n = 0; n < N; n++) {                                            \
            T tmp[VL] = {0};                                                         \
            for (int k = 0; k < W; k++) tmp[k] = src[k * rs + n];                    \
            memcpy(dst + n * NV_##SFX, tmp, sizeof(tmp));                            \
        }                                                                            \
    }                                                                                \
    static inline void scatter_##SFX(T *dst, const V *src, int W, int64_t N,         \
                                     int64_t rs, int add) {                          \
        for (int64_t n = 0; n < N; n++) {                                            \
            T tmp[VL];                                                               \
            memcpy(tmp, src + n * NV_##SFX, sizeof(tmp));                            \
            for (int k = 0; k < W; k++)                                              \
                dst[k * rs + n] = add ? dst[k * rs + n] + tmp[k] : tmp[k];           \
        }                                                                            \
    }                                                                                \
    /* A lanes (N vectors) and the delta bias lanes of a channel block */           \
    static inline void setup_##SFX(const ScanArgs *a, int64_t d0, int W, V *At,      \
                                   V *bias) {                                        \
        gather_##SFX(At, (const T *)a->A + d0 * a->n_state, W, a->n_state,           \
                     a->n_state);                                                    \
        T tmp[VL] = {0};                                                             \
        if (a->delta_bias) memcpy(tmp, (const T *)a->delta_bias + d0, W * sizeof(T));\
        memcpy(bias, tmp, sizeof(tmp));                                              \
    }                                                                                \
    /* delta of one step: raw (+ bias), then softplus if asked */                   \
    static inline void delta_##SFX(const ScanArgs *a, const T *dt, const V *bias,    \
                                   int W, V *raw, V *dv) {                           \
        load_##SFX(raw, dt, W);                                                      \
        for (int j = 0; j < NV_##SFX; j++) {                                         \
            raw[j] += bias[j];                                                       \
            dv[j] = a->softplus ? softplus_##SFX(raw[j]) : raw[j];                   \
        }                                                                            \
    }                                                                                \
                                                                                     \
    /* forward of one task; W is VL (constant-propagated) or the tail width */      \
    static inline __attribute__((always_inline)) void fwd_block_##SFX(               \
        const ScanArgs *a, int64_t b, int64_t d0, int64_t g, const int W) {          \
        enum { NV = NV_##SFX };                                                      \
        const int64_t N = a->n_state, L = a->length;                                 \
        V h[MAX_STATE][NV], At[MAX_STATE][NV], bias[NV], skip[NV];                   \
        setup_##SFX(a, d0, W, &At[0][0], bias);                                      \
        memset(h, 0, N * sizeof(h[0]));                                              \
        const T *zp = a->z ? (const T *)a->z + b * a->sz_b + d0 : 0;                 \
        {                                                                            \
            T tmp[VL] = {0};                                                         \
            if (a->skip) memcpy(tmp, (const T *)a->skip + d0, W * sizeof(T));        \
            memcpy(skip, tmp, sizeof(tmp));                                          \
        }                                                                            \
        const T *u = (const T *)a->u + b * a->su_b + d0;                             \
        const T *dl = (const T *)a->delta + b * a->sd_b + d0;                        \
        const T *Bm = (const T *)a->B + b * a->sb_b + g * N;                         \
        const T *Cm = (const T *)a->C + b * a->sc_b + g * N;                         \
        T *y = (T *)a->y + b * a->sy_b + d0;                                         \
        T *ck = (T *)a->ckpt;                                                        \
        const int64_t nck = (L + a->chunk - 1) / a->chunk;                           \
        for (int64_t t = 0; t < L; t++) {                                            \
            if (ck && t % a->chunk == 0)                                             \
                scatter_##SFX(ck + ((b * nck + t / a->chunk) * a->dim + d0) * N,     \
                              &h[0][0], W, N, N, 0);                                 \
            V raw[NV], dv[NV], uv[NV], duv[NV], yv[NV];                              \
            delta_##SFX(a, dl + t * a->sd_l, bias, W, raw, dv);                      \
            load_##SFX(uv, u + t * a->su_l, W);                                      \
            for (int j = 0; j < NV; j++) {                                           \
                duv[j] = dv[j] * uv[j];                                              \
                yv[j] = (V){0};                                                      \
            }                                                                        \
            const T *bt = Bm + t * a->sb_l, *ct = Cm + t * a->sc_l;                  \
            for (int64_t n = 0; n < N; n++) {                                        \
                const T bn = bt[n], cn = ct[n];                                      \
                for (int j = 0; j < NV; j++) {                                       \
                    V hn = exp_##SFX(dv[j] * At[n][j]) * h[n][j] + duv[j] * bn;      \
                    h[n][j] = hn;                                                    \
                    yv[j] += cn * hn;                                                \
                }                                                                    \
            }                                                                        \
            if (zp) {                                                                \
                V zv[NV];                                                            \
                load_##SFX(zv, zp + t * a->sz_l, W);                                 \
                for (int j = 0; j < NV; j++)                                         \
                    yv[j] = (yv[j] + skip[j] * uv[j]) * silu_##SFX(zv[j]);           \
            }                                                                        \
            store_##SFX(y + t * a->sy_l, yv, W);                                     \
        }                                                                            \
        if (a->h_last)                                                               \
            scatter_##SFX((T *)a->h_last + (b * a->dim + d0) * N, &h[0][0], W, N,    \
                          N, 0);                                                     \
    }                                                                                \
                                                                                     \
    /* separate copies for full blocks (W = VL, all lane copies constant-size) */  \
    /* and for the tail block of a group */                                        \
    static __attribute__((noinline)) void fwd_full_##SFX(                            \
        const ScanArgs *a, int64_t b, int64_t d0, int64_t g) {                       \
        fwd_block_##SFX(a, b, d0, g, VL);                                            \
    }                                                                                \
    static __attribute__((noinline)) void fwd_tail_##SFX(                            \
        const ScanArgs *a, int64_t b, int64_t d0, int64_t g, int w) {                \
        fwd_block_##SFX(a, b, d0, g, w);                                             \
    }                                                                                \
                                                                                     \
    /* all tasks, split in equal static ranges over nthreads OpenMP threads */     \
    void scan_fwd_##SFX(const ScanArgs *a, int nthreads) {                          \
        const int64_t n_tasks = count_tasks(a);                                      \
        PARALLEL_RANGES(nthreads, n_tasks) {                                         \
            FTZ_BEGIN;                                                               \
            for (int64_t task = task0; task < task1; task++) {                       \
                int64_t b, d0, g;                                                    \
                int w;                                                               \
                task_coords(a, task, &b, &d0, &w, &g);                               \
                if (w == VL)                                                         \
                    fwd_full_##SFX(a, b, d0, g);                                     \
                else                                                                 \
                    fwd_tail_##SFX(a, b, d0, g, w);                                  \
            }                                                                        \
            FTZ_END;                                                                 \
        }                                                                            \
    }                                                                                \
                                                                                     \
    /* backward of one task: per chunk (last first) recompute the states from */    \
    /* the checkpoint, then walk back; gA, gB, gC accumulate into this worker's */   \
    /* own buffers (summed over workers by the caller). hs: (chunk + 1) * N */      \
    /* vector rows (hs[0] = state before the chunk), es: chunk * N decays */        \
    static inline __attribute__((always_inline)) void bwd_block_##SFX(               \
        const ScanArgs *a, int64_t b, int64_t d0, int64_t g, const int W, V *hs,     \
        V *es) {                                                                     \
        enum { NV = NV_##SFX, LN = (int)(sizeof(V) / sizeof(T)) };                 \
        const int64_t N = a->n_state, L = a->length, TC = a->chunk;                  \
        const int64_t row = N * NV;                                                  \
        V gh[MAX_STATE][NV], At[MAX_STATE][NV], gAt[MAX_STATE][NV], bias[NV];        \
        setup_##SFX(a, d0, W, &At[0][0], bias);                                      \
        memset(gAt, 0, N * sizeof(gAt[0]));                                          \
        if (a->gh_last)                                                              \
            gather_##SFX(&gh[0][0], (const T *)a->gh_last + (b * a->dim + d0) * N,   \
                         W, N, N);                                                   \
        else                                                                         \
            memset(gh, 0, N * sizeof(gh[0]));                                        \
        const T *u = (const T *)a->u + b * a->su_b + d0;                             \
        const T *dl = (const T *)a->delta + b * a->sd_b + d0;                        \
        const T *Bm = (const T *)a->B + b * a->sb_b + g * N;                         \
        const T *Cm = (const T *)a->C + b * a->sc_b + g * N;                         \
        const T *gy = (const T *)a->gy + b * a->sgy_b + d0;                          \
        T *gu = (T *)a->gu + b * a->sgu_b + d0;                                      \
        T *gd = (T *)a->gdelta + b * a->sgd_b + d0;                                  \
        T *gB = (T *)a->gB + b * a->sgb_b + g * N;                                   \
        T *gC = (T *)a->gC + b * a->sgc_b + g * N;                                   \
        const int64_t nck = (L + TC - 1) / TC;                                       \
        for (int64_t c = nck - 1; c >= 0; c--) {                                     \
            const int64_t t0 = c * TC, t1 = t0 + TC < L ? t0 + TC : L;               \
            gather_##SFX(hs, (const T *)a->ckpt + ((b * nck + c) * a->dim + d0) * N, \
                         W, N, N);                                                   \
            for (int64_t t = t0; t < t1; t++) {                                      \
                V raw[NV], dv[NV], uv[NV], duv[NV];                                  \
                delta_##SFX(a, dl + t * a->sd_l, bias, W, raw, dv);                  \
                load_##SFX(uv, u + t * a->su_l, W);                                  \
                for (int j = 0; j < NV; j++) duv[j] = dv[j] * uv[j];                 \
                const T *bt = Bm + t * a->sb_l;                                      \
                const V *hp = hs + (t - t0) * row;                                   \
                V *hn = hs + (t - t0 + 1) * row, *e = es + (t - t0) * row;           \
                for (int64_t n = 0; n < N; n++) {                                    \
                    const T bn = bt[n];                                              \
                    for (int j = 0; j < NV; j++) {                                   \
                        V ev = exp_##SFX(dv[j] * At[n][j]);                          \
                        e[n * NV + j] = ev;                                          \
                        hn[n * NV + j] = ev * hp[n * NV + j] + duv[j] * bn;          \
                    }                                                                \
                }                                                                    \
            }                                                                        \
            for (int64_t t = t1 - 1; t >= t0; t--) {                                 \
                V raw[NV], dv[NV], uv[NV], duv[NV], gyv[NV], gdv[NV], guv[NV];       \
                delta_##SFX(a, dl + t * a->sd_l, bias, W, raw, dv);                  \
                load_##SFX(uv, u + t * a->su_l, W);                                  \
                load_##SFX(gyv, gy + t * a->sgy_l, W);                               \
                for (int j = 0; j < NV; j++) {                                       \
                    duv[j] = dv[j] * uv[j];                                          \
                    gdv[j] = guv[j] = (V){0};                                        \
                }                                                                    \
                const T *bt = Bm + t * a->sb_l, *ct = Cm + t * a->sc_l;              \
                T *gbt = gB + t * a->sgb_l, *gct = gC + t * a->sgc_l;                \
                const V *hp = hs + (t - t0) * row, *hn = hp + row;                   \
                const V *e = es + (t - t0) * row;                                    \
                /* states in blocks of LN: their C / B gradient sums (over */      \
                /* the lanes) are reduced together, one lane per state */          \
                for (int64_t n0 = 0; n0 < N; n0 += LN) {                             \
                    const int nb = N - n0 < LN ? (int)(N - n0) : LN;                 \
                    V scs[LN], sbs[LN];                                              \
                    for (int k = 0; k < LN; k++) scs[k] = sbs[k] = (V){0};           \
                    for (int k = 0; k < nb; k++) {                                   \
                        const int64_t n = n0 + k;                                    \
                        const T bn = bt[n], cn = ct[n];                              \
                        for (int j = 0; j < NV; j++) {                               \
                            const int64_t i = n * NV + j;                            \
                            scs[k] += gyv[j] * hn[i];                                \
                            V ghv = gh[n][j] + gyv[j] * cn;                          \
                            V gb = ghv * bn;                                         \
                            V ga = ghv * hp[i] * e[i];                               \
                            gdv[j] += ga * At[n][j] + gb * uv[j];                    \
                            gAt[n][j] += ga * dv[j];                                 \
                            guv[j] += gb * dv[j];                                    \
                            sbs[k] += ghv * duv[j];                                  \
                            gh[n][j] = ghv * e[i];                                   \
                        }                                                            \
                    }                                                                \
                    V sums[2] = {reduce_##SFX(scs), reduce_##SFX(sbs)};              \
                    T *dst[2] = {gct + n0, gbt + n0};                                \
                    for (int m = 0; m < 2; m++) {                                    \
                        if (nb == LN) {                                              \
                            V acc;                                                   \
                            memcpy(&acc, dst[m], sizeof(acc));                       \
                            acc += sums[m];                                          \
                            memcpy(dst[m], &acc, sizeof(acc));                       \
                            continue;                                                \
                        }                                                            \
                        T tmp[LN];                                                   \
                        memcpy(tmp, &sums[m], sizeof(tmp));                          \
                        for (int k = 0; k < nb; k++) dst[m][k] += tmp[k];            \
                    }                                                                \
                }                                                                    \
                if (a->softplus)                                                     \
                    for (int j = 0; j < NV; j++) gdv[j] *= dsoftplus_##SFX(raw[j]);  \
                store_##SFX(gu + t * a->sgu_l, guv, W);                              \
                store_##SFX(gd + t * a->sgd_l, gdv, W);                              \
            }                                                                        \
        }                                                                            \
        scatter_##SFX((T *)a->gA + d0 * N, &gAt[0][0], W, N, N, 1);                  \
    }                                                                                \
                                                                                     \
    static __attribute__((noinline)) void bwd_full_##SFX(                            \
        const ScanArgs *a, int64_t b, int64_t d0, int64_t g, V *hs, V *es) {         \
        bwd_block_##SFX(a, b, d0, g, VL, hs, es);                                    \
    }                                                                                \
    static __attribute__((noinline)) void bwd_tail_##SFX(                            \
        const ScanArgs *a, int64_t b, int64_t d0, int64_t g, int w, V *hs, V *es) {  \
        bwd_block_##SFX(a, b, d0, g, w, hs, es);                                     \
    }                                                                                \
                                                                                     \
    /* Thread w of the team accumulates gA/gB/gC into buffer w (a->gA + w * */     \
    /* ws_a, ...); scratch: per thread (2 * chunk + 1) * N * VL values. */         \
    void scan_bwd_##SFX(const ScanArgs *a, int nthreads, int64_t ws_a,              \
                        int64_t ws_b, int64_t ws_c, T *scratch) {                    \
        const int64_t n_tasks = count_tasks(a);                                      \
        const int64_t ws_s = (2 * a->chunk + 1) * a->n_state * VL;                   \
        PARALLEL_RANGES(nthreads, n_tasks) {                                         \
            ScanArgs mine = *a;                                                      \
            mine.gA = (T *)a->gA + worker * ws_a;                                    \
            mine.gB = (T *)a->gB + worker * ws_b;                                    \
            mine.gC = (T *)a->gC + worker * ws_c;                                    \
            V *hs = (V *)(scratch + worker * ws_s);                                  \
            V *es = hs + (a->chunk + 1) * a->n_state * NV_##SFX;                     \
            FTZ_BEGIN;                                                               \
            for (int64_t task = task0; task < task1; task++) {                       \
                int64_t b, d0, g;                                                    \
                int w;                                                               \
                task_coords(a, task, &b, &d0, &w, &g);                               \
                if (w == VL)                                                         \
                    bwd_full_##SFX(&mine, b, d0, g, hs, es);                         \
                else                                                                 \
                    bwd_tail_##SFX(&mine, b, d0, g, w, hs, es);                      \
            }                                                                        \
            FTZ_END;                                                                 \
        }                                                                            \
    }

DEFINE_SCAN(float, f32, vf32)
DEFINE_SCAN(double, f64, vf64)

#define DEFINE_CONV(T, SFX, V)                                                        \
    static inline __attribute__((always_inline)) void conv_row_##SFX(                \
        const ConvArgs *a, int64_t b, int64_t t, int64_t d0, const int W) {          \
        enum { NV = NV_##SFX };                                                      \
        const T *w = (const T *)a->w, *bias = (const T *)a->bias;                    \
        const int64_t K = a->ksize;                                                  \
        V acc[NV], xv[NV], wv[NV];                                                   \
        T tmp[VL] = {0};                                                             \
        if (bias) memcpy(tmp, bias + d0, W * sizeof(T));                             \
        memcpy(acc, tmp, sizeof(tmp));                                               \
        for (int64_t k = 0; k < K && k <= t; k++) {                                  \
            load_##SFX(wv, w + k * a->dim + d0, W);                                  \
            load_##SFX(xv, (const T *)a->x + b * a->sx_b + (t - k) * a->sx_l + d0,   \
                       W);                                                           \
            for (int j = 0; j < NV; j++) acc[j] += wv[j] * xv[j];                    \
        }                                                                            \
        for (int j = 0; j < NV; j++) acc[j] = silu_##SFX(acc[j]);                    \
        store_##SFX((T *)a->out + b * a->so_b + t * a->so_l + d0, acc, W);           \
    }                                                                                \
    /* rows (b, t) split in static ranges over nthreads OpenMP threads */          \
    void conv_silu_##SFX(const ConvArgs *a, int nthreads) {                         \
        const int64_t rows = a->batch * a->length;                                   \
        PARALLEL_RANGES(nthreads, rows) {                                            \
            FTZ_BEGIN;                                                               \
            for (int64_t r = task0; r < task1; r++) {                                \
                const int64_t b = r / a->length, t = r % a->length;                  \
                int64_t d0 = 0;                                                      \
                for (; d0 + VL <= a->dim; d0 += VL) conv_row_##SFX(a, b, t, d0, VL); \
                if (d0 < a->dim) conv_row_##SFX(a, b, t, d0, (int)(a->dim - d0));    \
            }                                                                        \
            FTZ_END;                                                                 \
        }                                                                            \
    }

DEFINE_CONV(float, f32, vf32)
DEFINE_CONV(double, f64, vf64)

int scan_vector_width(void) { return VL; }
int scan_has_openmp(void) {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}
int scan_max_state(void) { return MAX_STATE; }
/* struct sizes, compared with ctypes.sizeof of the Python mirrors on load */
int64_t scan_args_size(void) { return (int64_t)sizeof(ScanArgs); }
int64_t conv_args_size(void) { return (int64_t)sizeof(ConvArgs); }

/* 2-D depth-wise convolutions (HINT-style FFNs), same translation unit */
#include "layers2d_cpu.h"
