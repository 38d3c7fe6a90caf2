// Block-wide reductions shared by the row kernels (inlined into each module by KernelSources before NVRTC
// compiles it). Every thread gets the result; `scratch` holds blockDim.x / 32 floats in shared memory.

__device__ float block_sum(float v, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = 0.f;
    for (int w = 0; w < (int) (blockDim.x >> 5); w++) t += scratch[w];
    return t;
}

__device__ float block_max(float v, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float t = scratch[0];
    for (int w = 1; w < (int) (blockDim.x >> 5); w++) t = fmaxf(t, scratch[w]);
    return t;
}
