// Elementwise kernels: one thread per element (grid-stride loops), the same data-parallel shape as the CPU loops.
// Op codes are the ordinals of org.wegeft.kernels.UnaryOp / BinaryOp / ReduceOp.

#define MAX_RANK 8

// Broadcast index space for binary / copy_strided: shape and element strides of the two inputs (168 bytes).
typedef struct {
    i64 sa[MAX_RANK];
    i64 sb[MAX_RANK];
    int shape[MAX_RANK];
    int rank;
    int pad;
} Dims;

DEVICE float nan_max(float x, float y) { return (x != x || y != y) ? QNAN : fmaxf(x, y); }
DEVICE float nan_min(float x, float y) { return (x != x || y != y) ? QNAN : fminf(x, y); }
DEVICE float sigmoid_f(float x) { return x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x)); }
DEVICE float phi_f(float x) { return 0.5f * erfcf(-x * 0.70710678118654752f); }

#define GELU_TANH_C 0.79788456080286536f
#define GELU_TANH_K 0.044715f
#define INV_SQRT_2PI 0.39894228040143268f

DEVICE float unary_apply(int op, float x) {
    switch (op) {
        case 0: return -x;                          // NEG
        case 1: return fabsf(x);                    // ABS
        case 2: return expf(x);                     // EXP
        case 3: return logf(x);                     // LOG
        case 4: return sqrtf(x);                    // SQRT
        case 5: return 1.f / sqrtf(x);              // RSQRT
        case 6: return 1.f / x;                     // RECIPROCAL
        case 7: return x * x;                       // SQUARE
        case 8: return tanhf(x);                    // TANH
        case 9: return sigmoid_f(x);                // SIGMOID
        case 10: return x > 0.f ? x : 0.f;          // RELU
        case 11: return x * phi_f(x);               // GELU_ERF
        case 12: return 0.5f * x * (1.f + tanhf(GELU_TANH_C * (x + GELU_TANH_K * x * x * x))); // GELU_TANH
        default: return x * sigmoid_f(x);           // SILU
    }
}

DEVICE float unary_derivative(int op, float x) {
    switch (op) {
        case 0: return -1.f;
        case 1: return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
        case 2: return expf(x);
        case 3: return 1.f / x;
        case 4: return 0.5f / sqrtf(x);
        case 5: return -0.5f / (x * sqrtf(x));
        case 6: return -1.f / (x * x);
        case 7: return 2.f * x;
        case 8: { float t = tanhf(x); return 1.f - t * t; }
        case 9: { float s = sigmoid_f(x); return s * (1.f - s); }
        case 10: return x > 0.f ? 1.f : 0.f;
        case 11: return phi_f(x) + x * INV_SQRT_2PI * expf(-0.5f * x * x);
        case 12: {
            float u = GELU_TANH_C * (x + GELU_TANH_K * x * x * x);
            float t = tanhf(u);
            float du = GELU_TANH_C * (1.f + 3.f * GELU_TANH_K * x * x);
            return 0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * du;
        }
        default: { float s = sigmoid_f(x); return s * (1.f + x * (1.f - s)); }
    }
}

KERNEL void unary_forward(int op, PTR(const float, x), PTR(float, y), i64 n) {
    BIND(const float, x) BIND(float, y)
    GRID_STRIDE(i, n) { y[i] = unary_apply(op, x[i]); }
}

KERNEL void unary_backward(int op, PTR(const float, x), PTR(const float, dy), PTR(float, dx), i64 n) {
    BIND(const float, x) BIND(const float, dy) BIND(float, dx)
    GRID_STRIDE(i, n) { dx[i] = dy[i] * unary_derivative(op, x[i]); }
}

KERNEL void affine(PTR(const float, x), PTR(float, y), i64 n, float scale, float shift) {
    BIND(const float, x) BIND(float, y)
    GRID_STRIDE(i, n) { y[i] = x[i] * scale + shift; }
}

KERNEL void fill(PTR(float, y), i64 n, float value) {
    BIND(float, y)
    GRID_STRIDE(i, n) { y[i] = value; }
}

DEVICE float binary_apply(int op, float x, float y) {
    switch (op) {
        case 0: return x + y;
        case 1: return x - y;
        case 2: return x * y;
        case 3: return x / y;
        case 4: return nan_max(x, y);
        case 5: return nan_min(x, y);
        default: return powf(x, y);
    }
}

// out[flat] = a[Σ idx·sa] op b[Σ idx·sb]; the flat index is decomposed innermost-first.
KERNEL void binary(int op, Dims dims, PTR(const float, a), PTR(const float, b), PTR(float, out), i64 total) {
    BIND(const float, a) BIND(const float, b) BIND(float, out)
    GRID_STRIDE(i, total) {
        i64 rest = i, oa = 0, ob = 0;
        for (int d = dims.rank - 1; d >= 0; d--) {
            i64 idx = rest % dims.shape[d];
            rest /= dims.shape[d];
            oa += idx * dims.sa[d];
            ob += idx * dims.sb[d];
        }
        out[i] = binary_apply(op, a[oa], b[ob]);
    }
}

// dst[flat] = src[Σ idx·sa] (sb unused).
KERNEL void copy_strided(Dims dims, PTR(const float, src), PTR(float, dst), i64 total) {
    BIND(const float, src) BIND(float, dst)
    GRID_STRIDE(i, total) {
        i64 rest = i, oa = 0;
        for (int d = dims.rank - 1; d >= 0; d--) {
            i64 idx = rest % dims.shape[d];
            rest /= dims.shape[d];
            oa += idx * dims.sa[d];
        }
        dst[i] = src[oa];
    }
}

// x: (outer, dim, inner) -> out: (outer, inner); one thread per output element.
KERNEL void reduce(int op, PTR(const float, x), PTR(float, out), int outer, int dim, int inner) {
    BIND(const float, x) BIND(float, out)
    GRID_STRIDE(o, (i64) outer * inner) {
        i64 r = o / inner, c = o % inner;
        GLOBAL const float* base = x + r * (i64) dim * inner + c;
        float acc = op == 2 ? NEG_INF : (op == 3 ? POS_INF : 0.f);
        for (int j = 0; j < dim; j++) {
            float v = base[(i64) j * inner];
            acc = op == 2 ? nan_max(acc, v) : (op == 3 ? nan_min(acc, v) : acc + v);
        }
        if (op == 1) {
            acc = dim == 0 ? QNAN : acc / dim;
        }
        out[o] = acc;
    }
}

// One AdamW step (PyTorch's order); bias1 = 1 − β1^step, bias2 = 1 − β2^step computed on the host.
KERNEL void adamw(PTR(float, p), PTR(const float, g), PTR(float, m), PTR(float, v), i64 n, float lr, float beta1,
                  float beta2, float eps, float wd, float bias1, float bias2) {
    BIND(float, p) BIND(const float, g) BIND(float, m) BIND(float, v)
    GRID_STRIDE(i, n) {
        float gi = g[i];
        float pi = p[i] * (1.f - lr * wd);
        float mi = beta1 * m[i] + (1.f - beta1) * gi;
        float vi = beta2 * v[i] + (1.f - beta2) * gi * gi;
        pi -= lr * (mi / bias1) / (sqrtf(vi / bias2) + eps);
        m[i] = mi;
        v[i] = vi;
        p[i] = pi;
    }
}
