// Softmax and norm kernels: one block (THREADS threads) per row with block reductions, the rows of the CPU loops.

#define THREADS 256

// x, y: (rows, cols); causal rows come in blocks of tq queries, column j masked when j > q + cols − tq.
KERNEL void softmax(PTR(const float, x), PTR(float, y), int rows, int cols, int causal, int tq) {
    BIND(const float, x) BIND(float, y)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* xr = x + row * cols;
    GLOBAL float* yr = y + row * cols;
    int limit = causal ? (int) (row % tq) + cols - tq : cols - 1; // last visible column
    float mx = NEG_INF;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) if (j <= limit) mx = fmaxf(mx, xr[j]);
    mx = block_max(mx, scratch);
    float s = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) if (j <= limit) s += expf(xr[j] - mx);
    s = block_sum(s, scratch);
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) {
        yr[j] = (j <= limit && s > 0.f) ? expf(xr[j] - mx) / s : 0.f;
    }
}

KERNEL void softmax_backward(PTR(const float, y), PTR(const float, dy), PTR(float, dx), int rows, int cols) {
    BIND(const float, y) BIND(const float, dy) BIND(float, dx)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* yr = y + row * cols;
    GLOBAL const float* gr = dy + row * cols;
    float s = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) s += yr[j] * gr[j];
    s = block_sum(s, scratch);
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) dx[row * cols + j] = yr[j] * (gr[j] - s);
}

// gamma / beta may be null.
KERNEL void layer_norm(PTR(const float, x), PTR(const float, gamma), PTR(const float, beta), PTR(float, y),
                       PTR(float, mean), PTR(float, rstd), int rows, int cols, float eps) {
    BIND(const float, x) BIND(const float, gamma) BIND(const float, beta) BIND(float, y) BIND(float, mean)
    BIND(float, rstd)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* xr = x + row * cols;
    float s = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) s += xr[j];
    float mu = block_sum(s, scratch) / cols;
    float q = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) { float d = xr[j] - mu; q += d * d; }
    float rs = rsqrtf(block_sum(q, scratch) / cols + eps);
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) {
        float v = (xr[j] - mu) * rs;
        if (gamma) v *= gamma[j];
        if (beta) v += beta[j];
        y[row * cols + j] = v;
    }
    if (LOCAL_ID == 0) { mean[row] = mu; rstd[row] = rs; }
}

// dx = rstd · (g − mean(g) − x̂ · mean(g·x̂)), g = dy·gamma.
KERNEL void layer_norm_backward_dx(PTR(const float, x), PTR(const float, gamma), PTR(const float, mean),
                                   PTR(const float, rstd), PTR(const float, dy), PTR(float, dx), int rows, int cols) {
    BIND(const float, x) BIND(const float, gamma) BIND(const float, mean) BIND(const float, rstd)
    BIND(const float, dy) BIND(float, dx)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* xr = x + row * cols;
    GLOBAL const float* gr = dy + row * cols;
    float mu = mean[row], rs = rstd[row];
    float sg = 0.f, sgx = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) {
        float g = gr[j] * (gamma ? gamma[j] : 1.f);
        sg += g;
        sgx += g * (xr[j] - mu) * rs;
    }
    sg = block_sum(sg, scratch) / cols;
    sgx = block_sum(sgx, scratch) / cols;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) {
        float g = gr[j] * (gamma ? gamma[j] : 1.f);
        dx[row * cols + j] = rs * (g - sg - (xr[j] - mu) * rs * sgx);
    }
}

// dgamma[j] += Σ_r dy·x̂, dbeta[j] += Σ_r dy; one thread per column (either may be null).
KERNEL void layer_norm_backward_params(PTR(const float, x), PTR(const float, mean), PTR(const float, rstd),
                                       PTR(const float, dy), PTR(float, dgamma), PTR(float, dbeta), int rows,
                                       int cols) {
    BIND(const float, x) BIND(const float, mean) BIND(const float, rstd) BIND(const float, dy)
    BIND(float, dgamma) BIND(float, dbeta)
    i64 j = GLOBAL_ID;
    if (j >= cols) return;
    float sg = 0.f, sb = 0.f;
    for (int r = 0; r < rows; r++) {
        i64 at = (i64) r * cols + j;
        sg += dy[at] * (x[at] - mean[r]) * rstd[r];
        sb += dy[at];
    }
    if (dgamma) dgamma[j] += sg;
    if (dbeta) dbeta[j] += sb;
}

KERNEL void rms_norm(PTR(const float, x), PTR(const float, w), PTR(float, y), PTR(float, rstd), int rows, int cols,
                     float eps) {
    BIND(const float, x) BIND(const float, w) BIND(float, y) BIND(float, rstd)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* xr = x + row * cols;
    float q = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) q += xr[j] * xr[j];
    float rs = rsqrtf(block_sum(q, scratch) / cols + eps);
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) y[row * cols + j] = xr[j] * rs * (w ? w[j] : 1.f);
    if (LOCAL_ID == 0) rstd[row] = rs;
}

// dx = rstd · (g − x · rstd² · mean(g·x)), g = dy·w.
KERNEL void rms_norm_backward_dx(PTR(const float, x), PTR(const float, w), PTR(const float, rstd),
                                 PTR(const float, dy), PTR(float, dx), int rows, int cols) {
    BIND(const float, x) BIND(const float, w) BIND(const float, rstd) BIND(const float, dy) BIND(float, dx)
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;
    GLOBAL const float* xr = x + row * cols;
    GLOBAL const float* gr = dy + row * cols;
    float rs = rstd[row];
    float s = 0.f;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) s += gr[j] * (w ? w[j] : 1.f) * xr[j];
    s = block_sum(s, scratch) / cols;
    for (int j = LOCAL_ID; j < cols; j += LOCAL_SIZE) {
        dx[row * cols + j] = rs * (gr[j] * (w ? w[j] : 1.f) - xr[j] * rs * rs * s);
    }
}

// dweight[j] += Σ_r dy · x · rstd; one thread per column.
KERNEL void rms_norm_backward_weight(PTR(const float, x), PTR(const float, rstd), PTR(const float, dy),
                                     PTR(float, dw), int rows, int cols) {
    BIND(const float, x) BIND(const float, rstd) BIND(const float, dy) BIND(float, dw)
    i64 j = GLOBAL_ID;
    if (j >= cols) return;
    float s = 0.f;
    for (int r = 0; r < rows; r++) {
        i64 at = (i64) r * cols + j;
        s += dy[at] * x[at] * rstd[r];
    }
    dw[j] += s;
}
