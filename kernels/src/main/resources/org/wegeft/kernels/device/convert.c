// dtype conversion (F32 = 0, BF16 = 1, F16 = 2: ordinals of org.wegeft.kernels.DType). f32 → bf16 and f32 → f16
// round to nearest even; NaN stays NaN; f16 overflow gives ±inf (the dialect's f16 conversions).

DEVICE float load_as_float(int dtype, GLOBAL const u16* src, i64 i) {
    if (dtype == 0) return ((GLOBAL const float*) src)[i];
    u16 h = src[i];
    if (dtype == 1) return BITS_FLOAT(((u32) h) << 16);
    return f16_bits_to_float(h);
}

DEVICE u16 float_to_bf16(float f) {
    u32 u = FLOAT_BITS(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u16) ((u >> 16) | 0x0040u); // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return (u16) (u >> 16);
}

DEVICE void store_from_float(int dtype, GLOBAL u16* dst, i64 i, float f) {
    if (dtype == 0) { ((GLOBAL float*) dst)[i] = f; return; }
    dst[i] = dtype == 1 ? float_to_bf16(f) : float_to_f16_bits(f);
}

// src and dst are 16-bit views of buffers of either width; float elements are read through a cast.
KERNEL void convert(int from, PTR(const u16, src), int to, PTR(u16, dst), i64 n) {
    BIND(const u16, src) BIND(u16, dst)
    GRID_STRIDE(i, n) {
        if (from == to && from != 0) {
            dst[i] = src[i];
        } else {
            store_from_float(to, dst, i, load_as_float(from, src, i));
        }
    }
}
