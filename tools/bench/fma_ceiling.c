// The CPU's arithmetic ceiling for a GEMM micro-kernel: a 12 x 32 tile of float32 accumulators kept in registers,
// its A and B panels in L1, so nothing but the multiply-add units limits it. Two kernels of the same shape:
//   f32      one FMA per (row, 16 columns, k):       16 x 2 FLOPs an instruction (vfmadd231ps zmm)
//   bf16dot  one dot product per (row, 16 columns, k pair): 32 x 2 FLOPs an instruction (vdpbf16ps zmm, AVX-512 BF16),
//            the instruction a bf16 GEMM with float32 accumulation would use
// Prints one JSON line per kernel and thread count: the median of 7 timed rounds after one warm-up round.
// Built and run by fma_ceiling.sh.
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MR = 12, KC = 256, CALLS = 100000, ROUNDS = 7 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((noinline)) static void tile_f32(const float *ap, const float *bp, float *c, long k) {
    __m512 acc[2 * MR];
    for (int i = 0; i < 2 * MR; i++) acc[i] = _mm512_setzero_ps();
    for (long p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(bp + p * 32), b1 = _mm512_loadu_ps(bp + p * 32 + 16);
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_set1_ps(ap[p * MR + r]);
            acc[2 * r] = _mm512_fmadd_ps(a, b0, acc[2 * r]);
            acc[2 * r + 1] = _mm512_fmadd_ps(a, b1, acc[2 * r + 1]);
        }
    }
    for (int i = 0; i < 2 * MR; i++) _mm512_storeu_ps(c + 16 * i, acc[i]);
}

#ifdef __AVX512BF16__
// A: per k pair, MR 32-bit words (two bf16 of one row); B: per k pair, 32 columns x two bf16
__attribute__((noinline)) static void tile_bf16dot(const uint32_t *ap, const uint16_t *bp, float *c, long kpairs) {
    __m512 acc[2 * MR];
    for (int i = 0; i < 2 * MR; i++) acc[i] = _mm512_setzero_ps();
    for (long p = 0; p < kpairs; p++) {
        __m512bh b0 = (__m512bh) _mm512_loadu_si512(bp + p * 64);
        __m512bh b1 = (__m512bh) _mm512_loadu_si512(bp + p * 64 + 32);
#pragma GCC unroll 12
        for (int r = 0; r < MR; r++) {
            __m512bh a = (__m512bh) _mm512_set1_epi32((int) ap[p * MR + r]);
            acc[2 * r] = _mm512_dpbf16_ps(acc[2 * r], a, b0);
            acc[2 * r + 1] = _mm512_dpbf16_ps(acc[2 * r + 1], a, b1);
        }
    }
    for (int i = 0; i < 2 * MR; i++) _mm512_storeu_ps(c + 16 * i, acc[i]);
}
#endif

static int cmp(const void *x, const void *y) {
    double a = *(const double *) x, b = *(const double *) y;
    return (a > b) - (a < b);
}

// Runs `kernel` CALLS times on each of `threads` threads, ROUNDS + 1 times; returns the median GFLOP/s of all threads.
static double rate(int bf16, int threads) {
    double secs[ROUNDS];
    float sink = 0;
    for (int round = -1; round < ROUNDS; round++) {
        double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
        {
            float *af = aligned_alloc(64, KC * MR * sizeof(float));
            float *bf = aligned_alloc(64, KC * 32 * sizeof(float));
            uint32_t *ab = aligned_alloc(64, KC / 2 * MR * sizeof(uint32_t));
            uint16_t *bb = aligned_alloc(64, KC / 2 * 64 * sizeof(uint16_t));
            float c[2 * MR * 16];
            for (int i = 0; i < KC * MR; i++) af[i] = 1.0f / (1 + i % 7);
            for (int i = 0; i < KC * 32; i++) bf[i] = 1.0f / (1 + i % 5);
            for (int i = 0; i < KC / 2 * MR; i++) ab[i] = 0x3f803f80u;   // (1.0, 1.0) in bf16
            for (int i = 0; i < KC / 2 * 64; i++) bb[i] = 0x3f00;        // 0.5 in bf16
#pragma omp barrier
#pragma omp master
            t0 = now();
            for (int i = 0; i < CALLS; i++) {
#ifdef __AVX512BF16__
                if (bf16) tile_bf16dot(ab, bb, c, KC / 2); else
#endif
                tile_f32(af, bf, c, KC);
                sink += c[i % (2 * MR * 16)];
            }
#pragma omp barrier
#pragma omp master
            t1 = now();
            free(af); free(bf); free(ab); free(bb);
        }
        if (round >= 0) secs[round] = t1 - t0;
    }
    qsort(secs, ROUNDS, sizeof(double), cmp);
    if (sink == 12345.678f) printf("#\n");   // keeps the results live
    return 2.0 * MR * 32 * KC * (double) CALLS * threads / secs[ROUNDS / 2] / 1e9;
}

int main(void) {
    int max = omp_get_num_procs();
    for (int threads = 1; threads <= max; threads *= 2) {
        printf("{\"kernel\": \"f32\", \"threads\": %d, \"gflops\": %.1f}\n", threads, rate(0, threads));
#ifdef __AVX512BF16__
        printf("{\"kernel\": \"bf16dot\", \"threads\": %d, \"gflops\": %.1f}\n", threads, rate(1, threads));
#else
        printf("{\"kernel\": \"bf16dot\", \"threads\": %d, \"gflops\": null, \"why\": \"no AVX-512 BF16\"}\n", threads);
#endif
        fflush(stdout);
    }
    return 0;
}
