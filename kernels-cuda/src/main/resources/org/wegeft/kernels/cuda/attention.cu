// Attention and rotary-embedding kernels. Attention: one block per (head, query row); the row's scores live in
// dynamic shared memory (tk floats), as the CPU loop keeps them in an array. Query i sees key j when
// !causal or j <= i + tk − tq.

#define THREADS 128

#include "block_reduce.cuh"

__device__ __forceinline__ float dotf(const float* a, const float* b, int d) {
    float s = 0.f;
    for (int c = 0; c < d; c++) s += a[c] * b[c];
    return s;
}

// q, out: (bh, tq, d); k, v: (bh, tk, d); lse: (bh, tq). Grid: bh·tq blocks.
extern "C" __global__ void attention_forward(const float* q, const float* k, const float* v, float* out, float* lse,
                                             int tq, int tk, int d, float scale, int causal) {
    extern __shared__ float s[]; // tk scores
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;          // h·tq + i
    long long h = row / tq;
    int i = (int) (row % tq);
    int limit = causal ? i + tk - tq : tk - 1;
    const float* qi = q + row * d;
    const float* kh = k + h * tk * d;
    const float* vh = v + h * tk * d;
    float mx = __int_as_float(0xff800000);
    for (int j = threadIdx.x; j < tk; j += blockDim.x) {
        if (j <= limit) { s[j] = scale * dotf(qi, kh + (long long) j * d, d); mx = fmaxf(mx, s[j]); }
    }
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int j = threadIdx.x; j < tk; j += blockDim.x) if (j <= limit) sum += expf(s[j] - mx);
    sum = block_sum(sum, scratch);
    float rowLse = sum > 0.f ? mx + logf(sum) : __int_as_float(0xff800000);
    for (int j = threadIdx.x; j < tk; j += blockDim.x) s[j] = (j <= limit && sum > 0.f) ? expf(s[j] - rowLse) : 0.f;
    __syncthreads();
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        float acc = 0.f;
        for (int j = 0; j < tk; j++) acc += s[j] * vh[(long long) j * d + c];
        out[row * d + c] = acc;
    }
    if (threadIdx.x == 0) lse[row] = rowLse;
}

// Backward, pass 1 (one block per query row): p_j, dp_j = dout_i·v_j, D_i = Σ p·dp, dq_i = scale·Σ_j ds_j k_j.
extern "C" __global__ void attention_backward_dq(const float* q, const float* k, const float* v, const float* lse,
                                                 const float* dout, float* dq, float* delta, int tq, int tk, int d,
                                                 float scale, int causal) {
    extern __shared__ float sh[]; // p (tk), then dp (tk)
    __shared__ float scratch[THREADS / 32];
    float* p = sh;
    float* dp = sh + tk;
    long long row = blockIdx.x;
    long long h = row / tq;
    int i = (int) (row % tq);
    int limit = causal ? i + tk - tq : tk - 1;
    const float* qi = q + row * d;
    const float* gi = dout + row * d;
    const float* kh = k + h * tk * d;
    const float* vh = v + h * tk * d;
    float rowLse = lse[row];
    float pdp = 0.f;
    for (int j = threadIdx.x; j < tk; j += blockDim.x) {
        if (j <= limit) {
            p[j] = expf(scale * dotf(qi, kh + (long long) j * d, d) - rowLse);
            dp[j] = dotf(gi, vh + (long long) j * d, d);
        } else {
            p[j] = 0.f;
            dp[j] = 0.f;
        }
        pdp += p[j] * dp[j];
    }
    pdp = block_sum(pdp, scratch);
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        float acc = 0.f;
        for (int j = 0; j < tk; j++) acc += p[j] * (dp[j] - pdp) * kh[(long long) j * d + c];
        dq[row * d + c] = scale * acc;
    }
    if (threadIdx.x == 0) delta[row] = pdp;
}

// Backward, pass 2 (one block per key row j): dv_j = Σ_i p_ij dout_i; dk_j = scale·Σ_i p_ij (dp_ij − D_i) q_i.
extern "C" __global__ void attention_backward_dkv(const float* q, const float* k, const float* v, const float* lse,
                                                  const float* dout, const float* delta, float* dk, float* dv,
                                                  int tq, int tk, int d, float scale, int causal) {
    extern __shared__ float w[]; // per query: p (tq), then ds (tq)
    float* p = w;
    float* ds = w + tq;
    long long row = blockIdx.x;          // h·tk + j
    long long h = row / tk;
    int j = (int) (row % tk);
    const float* kj = k + row * d;
    const float* vj = v + row * d;
    const float* qh = q + h * tq * d;
    const float* gh = dout + h * tq * d;
    for (int i = threadIdx.x; i < tq; i += blockDim.x) {
        bool visible = !causal || j <= i + tk - tq;
        float rowLse = lse[h * tq + i];
        if (visible && rowLse != __int_as_float(0xff800000)) {
            float pij = expf(scale * dotf(qh + (long long) i * d, kj, d) - rowLse);
            float dpij = dotf(gh + (long long) i * d, vj, d);
            p[i] = pij;
            ds[i] = pij * (dpij - delta[h * tq + i]);
        } else {
            p[i] = 0.f;
            ds[i] = 0.f;
        }
    }
    __syncthreads();
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        float av = 0.f, ak = 0.f;
        for (int i = 0; i < tq; i++) {
            av += p[i] * gh[(long long) i * d + c];
            ak += ds[i] * qh[(long long) i * d + c];
        }
        dv[row * d + c] = av;
        dk[row * d + c] = scale * ak;
    }
}

// Rotary embedding, half-split layout: x, y (n, t, d); cos, sin (t, d/2); one thread per rotated pair.
extern "C" __global__ void rope(const float* x, float* y, const float* cosT, const float* sinT, int n, int t, int d,
                                int inverse) {
    int half = d / 2;
    long long total = (long long) n * t * half;
    for (long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x; e < total;
         e += (long long) blockDim.x * gridDim.x) {
        long long rowIdx = e / half;
        int i = (int) (e % half);
        int pos = (int) (rowIdx % t);
        float c = cosT[(long long) pos * half + i];
        float s = sinT[(long long) pos * half + i];
        if (inverse) s = -s;
        long long base = rowIdx * d;
        float x1 = x[base + i], x2 = x[base + i + half];
        y[base + i] = x1 * c - x2 * s;
        y[base + i + half] = x2 * c + x1 * s;
    }
}
