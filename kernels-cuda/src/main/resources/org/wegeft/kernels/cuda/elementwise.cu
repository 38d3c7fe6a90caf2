// Elementwise kernels of the WeGeFT CUDA backend: one thread per element (grid-stride loops), the same
// data-parallel shape as the CPU loops. Op codes are the ordinals of org.wegeft.kernels.UnaryOp / BinaryOp /
// ReduceOp. Compiled by NVRTC at first use; no headers.

#define MAX_RANK 8

// Broadcast index space for binary / copyStrided: shape and element strides of the two inputs.
struct Dims {
    long long sa[MAX_RANK];
    long long sb[MAX_RANK];
    int shape[MAX_RANK];
    int rank;
    int pad;
};

__device__ __forceinline__ float nan_max(float x, float y) { return (x != x || y != y) ? __int_as_float(0x7fc00000) : fmaxf(x, y); }
__device__ __forceinline__ float nan_min(float x, float y) { return (x != x || y != y) ? __int_as_float(0x7fc00000) : fminf(x, y); }
__device__ __forceinline__ float sigmoidf(float x) { return x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x)); }
__device__ __forceinline__ float phif(float x) { return 0.5f * erfcf(-x * 0.70710678118654752f); }

#define GELU_TANH_C 0.79788456080286536f
#define GELU_TANH_K 0.044715f
#define INV_SQRT_2PI 0.39894228040143268f

__device__ float unary_apply(int op, float x) {
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
        case 9: return sigmoidf(x);                 // SIGMOID
        case 10: return x > 0.f ? x : 0.f;          // RELU
        case 11: return x * phif(x);                // GELU_ERF
        case 12: return 0.5f * x * (1.f + tanhf(GELU_TANH_C * (x + GELU_TANH_K * x * x * x))); // GELU_TANH
        default: return x * sigmoidf(x);            // SILU
    }
}

__device__ float unary_derivative(int op, float x) {
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
        case 9: { float s = sigmoidf(x); return s * (1.f - s); }
        case 10: return x > 0.f ? 1.f : 0.f;
        case 11: return phif(x) + x * INV_SQRT_2PI * expf(-0.5f * x * x);
        case 12: {
            float u = GELU_TANH_C * (x + GELU_TANH_K * x * x * x);
            float t = tanhf(u);
            float du = GELU_TANH_C * (1.f + 3.f * GELU_TANH_K * x * x);
            return 0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * du;
        }
        default: { float s = sigmoidf(x); return s * (1.f + x * (1.f - s)); }
    }
}

#define GRID_STRIDE(i, n) for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                               i += (long long) blockDim.x * gridDim.x)

extern "C" __global__ void unary_forward(int op, const float* x, float* y, long long n) {
    GRID_STRIDE(i, n) { y[i] = unary_apply(op, x[i]); }
}

extern "C" __global__ void unary_backward(int op, const float* x, const float* dy, float* dx, long long n) {
    GRID_STRIDE(i, n) { dx[i] = dy[i] * unary_derivative(op, x[i]); }
}

extern "C" __global__ void affine(const float* x, float* y, long long n, float scale, float shift) {
    GRID_STRIDE(i, n) { y[i] = x[i] * scale + shift; }
}

extern "C" __global__ void fill(float* y, long long n, float value) {
    GRID_STRIDE(i, n) { y[i] = value; }
}

__device__ float binary_apply(int op, float x, float y) {
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
extern "C" __global__ void binary(int op, Dims dims, const float* a, const float* b, float* out, long long total) {
    GRID_STRIDE(i, total) {
        long long rest = i, oa = 0, ob = 0;
        for (int d = dims.rank - 1; d >= 0; d--) {
            long long idx = rest % dims.shape[d];
            rest /= dims.shape[d];
            oa += idx * dims.sa[d];
            ob += idx * dims.sb[d];
        }
        out[i] = binary_apply(op, a[oa], b[ob]);
    }
}

// dst[flat] = src[Σ idx·sa] (sb unused).
extern "C" __global__ void copy_strided(Dims dims, const float* src, float* dst, long long total) {
    GRID_STRIDE(i, total) {
        long long rest = i, oa = 0;
        for (int d = dims.rank - 1; d >= 0; d--) {
            long long idx = rest % dims.shape[d];
            rest /= dims.shape[d];
            oa += idx * dims.sa[d];
        }
        dst[i] = src[oa];
    }
}

// x: (outer, dim, inner) -> out: (outer, inner); one thread per output element.
extern "C" __global__ void reduce(int op, const float* x, float* out, int outer, int dim, int inner) {
    GRID_STRIDE(o, (long long) outer * inner) {
        long long r = o / inner, c = o % inner;
        const float* base = x + r * (long long) dim * inner + c;
        float acc = op == 2 ? __int_as_float(0xff800000) : (op == 3 ? __int_as_float(0x7f800000) : 0.f);
        for (int j = 0; j < dim; j++) {
            float v = base[(long long) j * inner];
            acc = op == 2 ? nan_max(acc, v) : (op == 3 ? nan_min(acc, v) : acc + v);
        }
        if (op == 1) {
            acc = dim == 0 ? __int_as_float(0x7fc00000) : acc / dim;
        }
        out[o] = acc;
    }
}

// One AdamW step (PyTorch's order); bias1 = 1 − β1^step, bias2 = 1 − β2^step computed on the host.
extern "C" __global__ void adamw(float* p, const float* g, float* m, float* v, long long n, float lr, float beta1,
                                 float beta2, float eps, float wd, float bias1, float bias2) {
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
