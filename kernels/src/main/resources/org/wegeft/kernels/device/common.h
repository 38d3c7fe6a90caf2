// Shared by every kernel module (inlined by DeviceKernelSources after the dialect header).
#define NEG_INF BITS_FLOAT(0xff800000u)
#define POS_INF BITS_FLOAT(0x7f800000u)
#define QNAN BITS_FLOAT(0x7fc00000u)

// Block-wide reductions: a tree over `scratch`, which holds LOCAL_SIZE floats (a power of two) in shared memory.
// Every thread of the block must call them; every thread gets the result. No warp intrinsics, so the same code runs
// on any warp or SIMD width (and on a CPU through PoCL).
DEVICE float block_sum(float v, LOCAL float* scratch) {
    int t = LOCAL_ID;
    scratch[t] = v;
    BARRIER();
    for (int s = LOCAL_SIZE >> 1; s > 0; s >>= 1) {
        if (t < s) scratch[t] += scratch[t + s];
        BARRIER();
    }
    float r = scratch[0];
    BARRIER();
    return r;
}

DEVICE float block_max(float v, LOCAL float* scratch) {
    int t = LOCAL_ID;
    scratch[t] = v;
    BARRIER();
    for (int s = LOCAL_SIZE >> 1; s > 0; s >>= 1) {
        if (t < s) scratch[t] = fmaxf(scratch[t], scratch[t + s]);
        BARRIER();
    }
    float r = scratch[0];
    BARRIER();
    return r;
}

#define GRID_STRIDE(i, n) for (i64 i = GLOBAL_ID; i < (n); i += GLOBAL_SIZE)
