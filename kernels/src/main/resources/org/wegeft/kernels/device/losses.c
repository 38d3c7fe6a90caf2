// Embedding and cross-entropy kernels. Index checks run first (check_ids) so a bad id leaves outputs untouched.

#define THREADS 256

// status[0] = smallest position whose id is outside [0, limit) and not `ignore` (status[0] starts at INT_MAX);
// status[1] counts the positions that are not ignored.
KERNEL void check_ids(PTR(const int, ids), int n, int limit, int ignore, PTR(int, status)) {
    BIND(const int, ids) BIND(int, status)
    i64 i = GLOBAL_ID;
    if (i >= n) return;
    int id = ids[i];
    if (id == ignore) return;
    ATOMIC_ADD_I32(&status[1], 1);
    if (id < 0 || id >= limit) ATOMIC_MIN_I32(&status[0], (int) i);
}

// out (n, dim) = table[ids]; one thread per output element.
KERNEL void embedding(PTR(const int, ids), PTR(const float, table), PTR(float, out), int n, int dim) {
    BIND(const int, ids) BIND(const float, table) BIND(float, out)
    GRID_STRIDE(i, (i64) n * dim) {
        i64 r = i / dim, c = i % dim;
        out[i] = table[(i64) ids[r] * dim + c];
    }
}

// dtable[ids[i]] += dout[i] (scatter-add with atomics: repeated ids accumulate).
KERNEL void embedding_backward(PTR(const int, ids), PTR(const float, dout), PTR(float, dtable), int n, int dim) {
    BIND(const int, ids) BIND(const float, dout) BIND(float, dtable)
    GRID_STRIDE(i, (i64) n * dim) {
        i64 r = i / dim, c = i % dim;
        ATOMIC_ADD_F32(&dtable[(i64) ids[r] * dim + c], dout[i]);
    }
}

// One block per row: loss = −[(1−ε)·log p_t + ε/C·Σ_j log p_j]; dlogits (may be null) = softmax − target; an
// ignored row gets zeros. Every thread of the block reaches every barrier: an ignored row still runs the reductions
// (a return before a barrier, even a block-uniform one, is miscompiled by some OpenCL implementations).
KERNEL void cross_entropy(PTR(const float, logits), PTR(const int, targets), PTR(float, losses), PTR(float, dlogits),
                          int rows, int classes, int ignore, float eps) {
    BIND(const float, logits) BIND(const int, targets) BIND(float, losses) BIND(float, dlogits)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* xr = logits + row * classes;
    int t = targets[row];
    int skip = t == ignore;
    float mx = NEG_INF;
    for (int j = LOCAL_ID; j < classes; j += LOCAL_SIZE) mx = fmaxf(mx, xr[j]);
    mx = block_max(mx, scratch);
    float s = 0.f, sl = 0.f;
    for (int j = LOCAL_ID; j < classes; j += LOCAL_SIZE) { s += expf(xr[j] - mx); sl += xr[j]; }
    s = block_sum(s, scratch);
    sl = block_sum(sl, scratch);
    float lse = mx + logf(s);
    if (LOCAL_ID == 0) {
        float logPt = skip ? 0.f : xr[t] - lse;
        float sumLogP = sl - classes * lse;
        losses[row] = skip ? 0.f : -((1.f - eps) * logPt + eps / classes * sumLogP);
    }
    if (dlogits) {
        for (int j = LOCAL_ID; j < classes; j += LOCAL_SIZE) {
            float target = (j == t ? 1.f - eps : 0.f) + eps / classes;
            dlogits[row * classes + j] = skip ? 0.f : expf(xr[j] - lse) - target;
        }
    }
}
