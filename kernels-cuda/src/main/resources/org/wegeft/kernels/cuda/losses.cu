// Embedding and cross-entropy kernels. Index checks run first (check_ids) so a bad id leaves outputs untouched.

#define THREADS 256

#include "block_reduce.cuh"

// status[0] = smallest position whose id is outside [0, limit) and not `ignore` (status[0] starts at INT_MAX);
// status[1] counts the positions that are not ignored.
extern "C" __global__ void check_ids(const int* ids, int n, int limit, int ignore, int* status) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int id = ids[i];
    if (id == ignore) return;
    atomicAdd(&status[1], 1);
    if (id < 0 || id >= limit) atomicMin(&status[0], i);
}

// out (n, dim) = table[ids]; one thread per output element.
extern "C" __global__ void embedding(const int* ids, const float* table, float* out, int n, int dim) {
    long long total = (long long) n * dim;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < total;
         i += (long long) blockDim.x * gridDim.x) {
        long long r = i / dim, c = i % dim;
        out[i] = table[(long long) ids[r] * dim + c];
    }
}

// dtable[ids[i]] += dout[i] (scatter-add with atomics: repeated ids accumulate).
extern "C" __global__ void embedding_backward(const int* ids, const float* dout, float* dtable, int n, int dim) {
    long long total = (long long) n * dim;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < total;
         i += (long long) blockDim.x * gridDim.x) {
        long long r = i / dim, c = i % dim;
        atomicAdd(&dtable[(long long) ids[r] * dim + c], dout[i]);
    }
}

// One block per row: loss = −[(1−ε)·log p_t + ε/C·Σ_j log p_j]; dlogits (may be null) = softmax − target.
extern "C" __global__ void cross_entropy(const float* logits, const int* targets, float* losses, float* dlogits,
                                         int rows, int classes, int ignore, float eps) {
    __shared__ float scratch[THREADS / 32];
    long long row = blockIdx.x;
    const float* xr = logits + row * classes;
    int t = targets[row];
    if (t == ignore) {
        if (threadIdx.x == 0) losses[row] = 0.f;
        if (dlogits) for (int j = threadIdx.x; j < classes; j += blockDim.x) dlogits[row * classes + j] = 0.f;
        return;
    }
    float mx = __int_as_float(0xff800000);
    for (int j = threadIdx.x; j < classes; j += blockDim.x) mx = fmaxf(mx, xr[j]);
    mx = block_max(mx, scratch);
    float s = 0.f, sl = 0.f;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) { s += expf(xr[j] - mx); sl += xr[j]; }
    s = block_sum(s, scratch);
    sl = block_sum(sl, scratch);
    float lse = mx + logf(s);
    if (threadIdx.x == 0) {
        float logPt = xr[t] - lse;
        float sumLogP = sl - classes * lse;
        losses[row] = -((1.f - eps) * logPt + eps / classes * sumLogP);
    }
    if (dlogits) {
        for (int j = threadIdx.x; j < classes; j += blockDim.x) {
            float target = (j == t ? 1.f - eps : 0.f) + eps / classes;
            dlogits[row * classes + j] = expf(xr[j] - lse) - target;
        }
    }
}
