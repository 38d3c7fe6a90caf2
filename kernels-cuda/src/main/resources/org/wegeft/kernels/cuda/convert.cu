// dtype conversion kernels (F32 = 0, BF16 = 1, F16 = 2: ordinals of org.wegeft.kernels.DType). f32 → bf16 and
// f32 → f16 round to nearest even; NaN stays NaN; f16 overflow gives ±inf (the cvt.rn.f16.f32 instruction).

__device__ __forceinline__ float load_as_float(int dtype, const void* src, long long i) {
    if (dtype == 0) return ((const float*) src)[i];
    unsigned short h = ((const unsigned short*) src)[i];
    if (dtype == 1) return __int_as_float(((unsigned int) h) << 16);
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ unsigned short float_to_bf16(float f) {
    unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short) ((u >> 16) | 0x0040u); // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return (unsigned short) (u >> 16);
}

__device__ __forceinline__ void store_from_float(int dtype, void* dst, long long i, float f) {
    if (dtype == 0) { ((float*) dst)[i] = f; return; }
    unsigned short h;
    if (dtype == 1) {
        h = float_to_bf16(f);
    } else {
        asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    }
    ((unsigned short*) dst)[i] = h;
}

extern "C" __global__ void convert(int from, const void* src, int to, void* dst, long long n) {
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long) blockDim.x * gridDim.x) {
        if (from == to && from != 0) {
            ((unsigned short*) dst)[i] = ((const unsigned short*) src)[i];
        } else {
            store_from_float(to, dst, i, load_as_float(from, src, i));
        }
    }
}
