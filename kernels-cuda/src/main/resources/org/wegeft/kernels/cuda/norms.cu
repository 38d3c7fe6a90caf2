// Softmax and norm kernels: one block (256 threads) per row with block reductions, the rows of the CPU loops.

#define THREADS 256

#include "block_reduce.cuh"

// x, y: (rows, cols); causal rows come in blocks of tq queries, column j masked when j > q + cols − tq.
extern "C" __global__ void softmax(const float* x, float* y, int rows, int cols, int causal, int tq) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* xr = x + row * cols;
    float* yr = y + row * cols;
    int limit = causal ? (int) (row % tq) + cols - tq : cols - 1; // last visible column
    float mx = __int_as_float(0xff800000);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) if (j <= limit) mx = fmaxf(mx, xr[j]);
    mx = block_max(mx, scratch);
    float s = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) if (j <= limit) s += expf(xr[j] - mx);
    s = block_sum(s, scratch);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        yr[j] = (j <= limit && s > 0.f) ? expf(xr[j] - mx) / s : 0.f;
    }
}

extern "C" __global__ void softmax_backward(const float* y, const float* dy, float* dx, int rows, int cols) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* yr = y + row * cols;
    const float* gr = dy + row * cols;
    float s = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += yr[j] * gr[j];
    s = block_sum(s, scratch);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dx[row * cols + j] = yr[j] * (gr[j] - s);
}

// gamma / beta may be null (0).
extern "C" __global__ void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                      float* rstd, int rows, int cols, float eps) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* xr = x + row * cols;
    float s = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += xr[j];
    float mu = block_sum(s, scratch) / cols;
    float q = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) { float d = xr[j] - mu; q += d * d; }
    float rs = rsqrtf(block_sum(q, scratch) / cols + eps);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float v = (xr[j] - mu) * rs;
        if (gamma) v *= gamma[j];
        if (beta) v += beta[j];
        y[row * cols + j] = v;
    }
    if (threadIdx.x == 0) { mean[row] = mu; rstd[row] = rs; }
}

// dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)), g = dy·gamma.
extern "C" __global__ void layer_norm_backward_dx(const float* x, const float* gamma, const float* mean,
                                                  const float* rstd, const float* dy, float* dx, int rows, int cols) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* xr = x + row * cols;
    const float* gr = dy + row * cols;
    float mu = mean[row], rs = rstd[row];
    float sg = 0.f, sgx = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float g = gr[j] * (gamma ? gamma[j] : 1.f);
        sg += g;
        sgx += g * (xr[j] - mu) * rs;
    }
    sg = block_sum(sg, scratch) / cols;
    sgx = block_sum(sgx, scratch) / cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        float g = gr[j] * (gamma ? gamma[j] : 1.f);
        dx[row * cols + j] = rs * (g - sg - (xr[j] - mu) * rs * sgx);
    }
}

// dgamma[j] += Σ_r dy·x̂, dbeta[j] += Σ_r dy; one thread per column (either may be null).
extern "C" __global__ void layer_norm_backward_params(const float* x, const float* mean, const float* rstd,
                                                      const float* dy, float* dgamma, float* dbeta, int rows,
                                                      int cols) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) return;
    float sg = 0.f, sb = 0.f;
    for (int r = 0; r < rows; r++) {
        long long at = (long long) r * cols + j;
        sg += dy[at] * (x[at] - mean[r]) * rstd[r];
        sb += dy[at];
    }
    if (dgamma) dgamma[j] += sg;
    if (dbeta) dbeta[j] += sb;
}

extern "C" __global__ void rms_norm(const float* x, const float* w, float* y, float* rstd, int rows, int cols,
                                    float eps) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* xr = x + row * cols;
    float q = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) q += xr[j] * xr[j];
    float rs = rsqrtf(block_sum(q, scratch) / cols + eps);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) y[row * cols + j] = xr[j] * rs * (w ? w[j] : 1.f);
    if (threadIdx.x == 0) rstd[row] = rs;
}

// dx = rstd · (g − x · rstd² · mean(g·x)), g = dy·w.
extern "C" __global__ void rms_norm_backward_dx(const float* x, const float* w, const float* rstd, const float* dy,
                                                float* dx, int rows, int cols) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* xr = x + row * cols;
    const float* gr = dy + row * cols;
    float rs = rstd[row];
    float s = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += gr[j] * (w ? w[j] : 1.f) * xr[j];
    s = block_sum(s, scratch) / cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        dx[row * cols + j] = rs * (gr[j] * (w ? w[j] : 1.f) - xr[j] * rs * rs * s);
    }
}

// dweight[j] += Σ_r dy · x · rstd; one thread per column.
extern "C" __global__ void rms_norm_backward_weight(const float* x, const float* rstd, const float* dy, float* dw,
                                                    int rows, int cols) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) return;
    float s = 0.f;
    for (int r = 0; r < rows; r++) {
        long long at = (long long) r * cols + j;
        s += dy[at] * x[at] * rstd[r];
    }
    dw[j] += s;
}
