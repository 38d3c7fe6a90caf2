// The kernel dialect for OpenCL C 1.2: the same names as dialect_cuda.h.
#define KERNEL __kernel
// Helpers are always inlined. PoCL 3.1 gives each work-group its own copy of a kernel's __local array only where the
// kernel body uses it; a helper that Clang leaves out of line (block_sum, once a kernel calls it twice) keeps
// referring to one copy that all of PoCL's worker threads share.
#define DEVICE static inline __attribute__((always_inline))
#define GLOBAL __global
#define LOCAL __local
#define SHARED __local
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define LOCAL_ID ((int) get_local_id(0))
#define LOCAL_SIZE ((int) get_local_size(0))
#define GROUP_ID ((long) get_group_id(0))
#define GLOBAL_ID ((long) get_global_id(0))
#define GLOBAL_SIZE ((long) get_global_size(0))
// A device-buffer parameter is a buffer and a byte offset into it (a slice of a cl_mem); BIND makes the pointer.
// A null buffer stays a null pointer.
#define PTR(T, p) __global T* p##_base, ulong p##_off
#define BIND(T, p) __global T* p = p##_base ? (__global T*) ((__global char*) p##_base + p##_off) : 0;
// Dynamic local memory: a __local pointer parameter whose size the host sets at launch.
#define DYNAMIC_SHARED_PARAM(T, p) , __local T* p
#define DYNAMIC_SHARED(T, p)
typedef long i64;
typedef unsigned int u32;
typedef unsigned short u16;
#define FLOAT_BITS(f) as_uint(f)
#define BITS_FLOAT(u) as_float((u32) (u))
#define ATOMIC_ADD_I32(p, v) atomic_add(p, v)
#define ATOMIC_MIN_I32(p, v) atomic_min(p, v)
#define ATOMIC_ADD_F32(p, v) atomic_add_f32(p, v)
#define expf exp
#define logf log
#define sqrtf sqrt
#define rsqrtf rsqrt
#define tanhf tanh
#define erfcf erfc
#define powf pow
#define fabsf fabs
#define fmaxf fmax
#define fminf fmin
// OpenCL 1.2 has no float atomics: compare-and-swap on the bits.
static inline void atomic_add_f32(__global float* p, float v) {
    __global volatile u32* u = (__global volatile u32*) p;
    u32 old = *u, seen;
    do {
        seen = old;
        old = atomic_cmpxchg(u, seen, as_uint(as_float(seen) + v));
    } while (old != seen);
}
DEVICE float f16_bits_to_float(u16 h) { return vload_half(0, (const half*) &h); }
DEVICE u16 float_to_f16_bits(float f) { u16 h; vstore_half_rte(f, 0, (half*) &h); return h; }
