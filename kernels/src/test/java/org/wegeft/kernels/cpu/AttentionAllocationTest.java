package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention on a ViT-S/16 batch (8 sequences, 6 heads of 64, 197 tokens, q|k|v packed as the fused projection
 * writes them) must run as vector code once C2 has compiled it, as {@link AdapterGemmAllocationTest} asks of the
 * adapter products: a Vector API operation left out of line boxes its vectors. Each case calls the kernel until the
 * heap allocation of all threads per call falls below the bound or 20 s have passed. Compiled, a call allocates a few
 * tens of KB (task objects and slices); the forward's row softmax inlined into the block with its GEMMs boxed a
 * vector per row (0.9 MB a call), and a zeroing loop that sliced every row allocated 0.8 MB a backward call.
 */
class AttentionAllocationTest {

    private static final long BOUND_BYTES = 256 << 10;

    @ParameterizedTest(name = "batch {0}, {1} heads of {3}, {2} tokens, causal {4}, backward {5}")
    @CsvSource({
            "8, 6, 197, 64, false, false",
            "8, 6, 197, 64, false, true",
            "4, 8, 256, 64, true, false",
            "4, 8, 256, 64, true, true",
    })
    void compiledAttentionDoesNotAllocate(int batch, int heads, int t, int d, boolean causal, boolean backward) {
        int c = heads * d;
        long qkvBytes = (long) batch * t * 3 * c * Float.BYTES;
        long outBytes = (long) batch * t * c * Float.BYTES;
        float scale = (float) (1 / Math.sqrt(d));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment qkv = arena.allocate(qkvBytes, 64);
            MemorySegment dqkv = arena.allocate(qkvBytes, 64);
            MemorySegment out = arena.allocate(outBytes, 64);
            MemorySegment dout = arena.allocate(outBytes, 64);
            MemorySegment lse = arena.allocate((long) batch * heads * t * Float.BYTES, 64);
            Random rng = new Random(1);
            for (long i = 0; i < qkvBytes / 4; i++) {
                qkv.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, rng.nextFloat() - 0.5f);
            }
            for (long i = 0; i < outBytes / 4; i++) {
                dout.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, rng.nextFloat() - 0.5f);
            }
            MemorySegment k = qkv.asSlice((long) c * 4);
            MemorySegment v = qkv.asSlice(2L * c * 4);
            CpuAttention.attention(qkv, 3 * c, k, 3 * c, v, 3 * c, out, c, lse, batch, heads, t, t, d, scale, causal);
            long last = CompiledAllocation.bytesPerCall(() -> {
                if (backward) {
                    CpuAttention.attentionBackward(qkv, 3 * c, k, 3 * c, v, 3 * c, out, c, lse, dout, dqkv,
                            dqkv.asSlice((long) c * 4), dqkv.asSlice(2L * c * 4), batch, heads, t, t, d, scale, causal);
                } else {
                    CpuAttention.attention(qkv, 3 * c, k, 3 * c, v, 3 * c, out, c, lse, batch, heads, t, t, d, scale,
                            causal);
                }
            }, 10, BOUND_BYTES, true);
            System.out.printf("attention%s batch %d heads %d t %d d %d%s: %d bytes of heap per call once compiled%n",
                    backward ? " backward" : "", batch, heads, t, d, causal ? " causal" : "", last);
            assertTrue(last < BOUND_BYTES, () -> "attention" + (backward ? " backward" : "") + " still allocates "
                    + (last >> 10) + " KB of heap per call after 20 s: a Vector API operation is not compiled");
        }
    }
}
