package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.wegeft.kernels.GemmSpec;

/**
 * The low-rank adapter products of a training step (the blocked kernel, and GemmSkinny's for a result of at most
 * 16 × one vector) must run as vector code once C2 has compiled them: a Vector API operation C2 leaves out of line
 * boxes its vectors on the heap, which is slow (a 1576×1536×16 product took 2.0 ms instead of 0.65) and churns the
 * collector. Each case calls the product on a
 * confined arena (so on this thread alone) until this thread's heap allocation per call falls below the bound or
 * 20 s have passed. Compiled, these kernels allocate from a hundred bytes to a few tens of KB a call (the figure
 * printed is the first measurement under the bound, which may still include calls run before C2 finished); with the
 * boxed stores this test was written for, 1.3 MB (1576×384×16) and 5.4 MB (1576×1536×16) every call.
 */
class AdapterGemmAllocationTest {

    private static final long BOUND_BYTES = 256 << 10;

    @ParameterizedTest(name = "{0}x{1}x{2} {3}{4} beta={5} addend={6}")
    @CsvSource({
            "1576, 1536, 16, N, N, 1, false",   // du·psi added to the input's gradient (k ≤ 16)
            "1576, 384, 16, N, N, 0, false",
            "1576, 16, 384, N, T, 0, false",    // x·psiᵀ (n ≤ one vector)
            "16, 384, 1576, T, N, 0, false",    // duᵀ·x (m ≤ 16)
            "1576, 1536, 16, N, N, 0, true",    // x + s·u·phi through gemmAddend
            "16, 16, 1576, T, N, 0, false",     // an r×r product over the rows (GemmSkinny)
    })
    void compiledAdapterProductsDoNotAllocate(int m, int n, int k, char ta, char tb, float beta, boolean addend) {
        GemmSpec spec = GemmSpec.of(ta == 'T', tb == 'T', m, n, k, 1f, beta);
        CpuBackend cpu = new CpuBackend();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((long) m * k * Float.BYTES, 64);
            MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
            MemorySegment c = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment c2 = arena.allocate((long) m * n * Float.BYTES, 64);
            long last = CompiledAllocation.bytesPerCall(() -> {
                if (addend) {
                    cpu.gemmAddend(spec, a, b, c, c2);
                } else {
                    CpuGemm.gemm(spec, a, b, c);
                }
            }, 20, BOUND_BYTES, false);
            System.out.printf("adapter gemm %dx%dx%d %c%c: %d bytes of heap per call once compiled%n", m, n, k, ta, tb,
                    last);
            assertTrue(last < BOUND_BYTES, () -> "GEMM " + spec + " still allocates " + (last >> 10)
                    + " KB of heap per call after 20 s: a Vector API operation is not compiled (boxed vectors)");
        }
    }
}
