// The kernel dialect for NVRTC (CUDA C++). The shared kernels (*.c next to this file) use only these macros and the
// common subset of CUDA C and OpenCL C; dialect_opencl.h defines the same names for OpenCL C.
#define KERNEL extern "C" __global__
#define DEVICE __device__ __forceinline__
#define GLOBAL
#define LOCAL
#define SHARED __shared__
#define BARRIER() __syncthreads()
#define LOCAL_ID ((int) threadIdx.x)
#define LOCAL_SIZE ((int) blockDim.x)
#define GROUP_ID ((long long) blockIdx.x)
#define GLOBAL_ID ((long long) blockIdx.x * blockDim.x + threadIdx.x)
#define GLOBAL_SIZE ((long long) blockDim.x * gridDim.x)
// A device-buffer parameter is one pointer; BIND has nothing to do.
#define PTR(T, p) T* p
#define BIND(T, p)
// Dynamic shared memory: sized at launch, declared in the body.
#define DYNAMIC_SHARED_PARAM(T, p)
#define DYNAMIC_SHARED(T, p) extern __shared__ T p[];
typedef long long i64;
typedef unsigned int u32;
typedef unsigned short u16;
#define FLOAT_BITS(f) __float_as_uint(f)
#define BITS_FLOAT(u) __uint_as_float(u)
#define ATOMIC_ADD_I32(p, v) atomicAdd(p, v)
#define ATOMIC_MIN_I32(p, v) atomicMin(p, v)
#define ATOMIC_ADD_F32(p, v) atomicAdd(p, v)
DEVICE float f16_bits_to_float(u16 h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
DEVICE u16 float_to_f16_bits(float f) { u16 h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h; }
