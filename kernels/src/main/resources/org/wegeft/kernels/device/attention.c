// Attention and rotary-embedding kernels. Attention: one block per (head, query row); the row's scores live in
// dynamic shared memory (tk floats), as the CPU loop keeps them in an array. Query i sees key j when
// !causal or j <= i + tk − tq.

#define THREADS 128

DEVICE float dot_f(GLOBAL const float* a, GLOBAL const float* b, int d) {
    float s = 0.f;
    for (int c = 0; c < d; c++) s += a[c] * b[c];
    return s;
}

// q, out: (bh, tq, d); k, v: (bh, tk, d); lse: (bh, tq). Grid: bh·tq blocks.
KERNEL void attention_forward(PTR(const float, q), PTR(const float, k), PTR(const float, v), PTR(float, out),
                              PTR(float, lse), int tq, int tk, int d, float scale, int causal
                              DYNAMIC_SHARED_PARAM(float, s)) {
    BIND(const float, q) BIND(const float, k) BIND(const float, v) BIND(float, out) BIND(float, lse)
    DYNAMIC_SHARED(float, s) // tk scores
    SHARED float scratch[THREADS];
    i64 row = GROUP_ID;          // h·tq + i
    i64 h = row / tq;
    int i = (int) (row % tq);
    int limit = causal ? i + tk - tq : tk - 1;
    GLOBAL const float* qi = q + row * d;
    GLOBAL const float* kh = k + h * tk * d;
    GLOBAL const float* vh = v + h * tk * d;
    float mx = NEG_INF;
    for (int j = LOCAL_ID; j < tk; j += LOCAL_SIZE) {
        if (j <= limit) { s[j] = scale * dot_f(qi, kh + (i64) j * d, d); mx = fmaxf(mx, s[j]); }
    }
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int j = LOCAL_ID; j < tk; j += LOCAL_SIZE) if (j <= limit) sum += expf(s[j] - mx);
    sum = block_sum(sum, scratch);
    float rowLse = sum > 0.f ? mx + logf(sum) : NEG_INF;
    for (int j = LOCAL_ID; j < tk; j += LOCAL_SIZE) s[j] = (j <= limit && sum > 0.f) ? expf(s[j] - rowLse) : 0.f;
    BARRIER();
    for (int c = LOCAL_ID; c < d; c += LOCAL_SIZE) {
        float acc = 0.f;
        for (int j = 0; j < tk; j++) acc += s[j] * vh[(i64) j * d + c];
        out[row * d + c] = acc;
    }
    if (LOCAL_ID == 0) lse[row] = rowLse;
}

// Backward, pass 1 (one block per query row): p_j, dp_j = dout_i·v_j, D_i = Σ p·dp, dq_i = scale·Σ_j ds_j k_j.
KERNEL void attention_backward_dq(PTR(const float, q), PTR(const float, k), PTR(const float, v),
                                  PTR(const float, lse), PTR(const float, dout), PTR(float, dq), PTR(float, delta),
                                  int tq, int tk, int d, float scale, int causal DYNAMIC_SHARED_PARAM(float, sh)) {
    BIND(const float, q) BIND(const float, k) BIND(const float, v) BIND(const float, lse) BIND(const float, dout)
    BIND(float, dq) BIND(float, delta)
    DYNAMIC_SHARED(float, sh) // p (tk), then dp (tk)
    SHARED float scratch[THREADS];
    LOCAL float* p = sh;
    LOCAL float* dp = sh + tk;
    i64 row = GROUP_ID;
    i64 h = row / tq;
    int i = (int) (row % tq);
    int limit = causal ? i + tk - tq : tk - 1;
    GLOBAL const float* qi = q + row * d;
    GLOBAL const float* gi = dout + row * d;
    GLOBAL const float* kh = k + h * tk * d;
    GLOBAL const float* vh = v + h * tk * d;
    float rowLse = lse[row];
    float pdp = 0.f;
    for (int j = LOCAL_ID; j < tk; j += LOCAL_SIZE) {
        if (j <= limit) {
            p[j] = expf(scale * dot_f(qi, kh + (i64) j * d, d) - rowLse);
            dp[j] = dot_f(gi, vh + (i64) j * d, d);
        } else {
            p[j] = 0.f;
            dp[j] = 0.f;
        }
        pdp += p[j] * dp[j];
    }
    pdp = block_sum(pdp, scratch);
    for (int c = LOCAL_ID; c < d; c += LOCAL_SIZE) {
        float acc = 0.f;
        for (int j = 0; j < tk; j++) acc += p[j] * (dp[j] - pdp) * kh[(i64) j * d + c];
        dq[row * d + c] = scale * acc;
    }
    if (LOCAL_ID == 0) delta[row] = pdp;
}

// Backward, pass 2 (one block per key row j): dv_j = Σ_i p_ij dout_i; dk_j = scale·Σ_i p_ij (dp_ij − D_i) q_i.
KERNEL void attention_backward_dkv(PTR(const float, q), PTR(const float, k), PTR(const float, v),
                                   PTR(const float, lse), PTR(const float, dout), PTR(const float, delta),
                                   PTR(float, dk), PTR(float, dv), int tq, int tk, int d, float scale, int causal
                                   DYNAMIC_SHARED_PARAM(float, w)) {
    BIND(const float, q) BIND(const float, k) BIND(const float, v) BIND(const float, lse) BIND(const float, dout)
    BIND(const float, delta) BIND(float, dk) BIND(float, dv)
    DYNAMIC_SHARED(float, w) // per query: p (tq), then ds (tq)
    LOCAL float* p = w;
    LOCAL float* ds = w + tq;
    i64 row = GROUP_ID;          // h·tk + j
    i64 h = row / tk;
    int j = (int) (row % tk);
    GLOBAL const float* kj = k + row * d;
    GLOBAL const float* vj = v + row * d;
    GLOBAL const float* qh = q + h * tq * d;
    GLOBAL const float* gh = dout + h * tq * d;
    for (int i = LOCAL_ID; i < tq; i += LOCAL_SIZE) {
        bool visible = !causal || j <= i + tk - tq;
        float rowLse = lse[h * tq + i];
        if (visible && rowLse != NEG_INF) {
            float pij = expf(scale * dot_f(qh + (i64) i * d, kj, d) - rowLse);
            float dpij = dot_f(gh + (i64) i * d, vj, d);
            p[i] = pij;
            ds[i] = pij * (dpij - delta[h * tq + i]);
        } else {
            p[i] = 0.f;
            ds[i] = 0.f;
        }
    }
    BARRIER();
    for (int c = LOCAL_ID; c < d; c += LOCAL_SIZE) {
        float av = 0.f, ak = 0.f;
        for (int i = 0; i < tq; i++) {
            av += p[i] * gh[(i64) i * d + c];
            ak += ds[i] * qh[(i64) i * d + c];
        }
        dv[row * d + c] = av;
        dk[row * d + c] = scale * ak;
    }
}

// Rotary embedding, half-split layout: x, y (n, t, d); cos, sin (t, d/2); one thread per rotated pair.
KERNEL void rope(PTR(const float, x), PTR(float, y), PTR(const float, cosT), PTR(const float, sinT), int n, int t,
                 int d, int inverse) {
    BIND(const float, x) BIND(float, y) BIND(const float, cosT) BIND(const float, sinT)
    int hd = d / 2;
    GRID_STRIDE(e, (i64) n * t * hd) {
        i64 rowIdx = e / hd;
        int i = (int) (e % hd);
        int pos = (int) (rowIdx % t);
        float c = cosT[(i64) pos * hd + i];
        float sn = sinT[(i64) pos * hd + i];
        if (inverse) sn = -sn;
        i64 base = rowIdx * d;
        float x1 = x[base + i], x2 = x[base + i + hd];
        y[base + i] = x1 * c - x2 * sn;
        y[base + i + hd] = x2 * c + x1 * sn;
    }
}
