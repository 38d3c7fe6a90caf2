package org.wegeft.peft.vera;

/**
 * PyTorch's CPU random generator ({@code torch.Generator().manual_seed(seed)}: a 32-bit Mersenne Twister, MT19937)
 * and its float {@code uniform_}, reproduced so that VeRA's projections made from {@code projection_prng_key} equal
 * the ones PEFT makes: each float takes the low 24 bits of one 32-bit draw, x = bits / 2²⁴, and value = x·(to − from)
 * + from in float arithmetic with one rounding (PyTorch's CPU kernel is compiled to a fused multiply-add), element
 * after element in row-major order.
 */
final class TorchGenerator {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] state = new int[N];
    private int next = N;

    TorchGenerator(long seed) {
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
        }
    }

    /** The next 32-bit draw. */
    int nextInt() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & 0x80000000) | (state[(k + 1) % N] & 0x7fffffff);
            state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
        }
        next = 0;
    }

    /** {@code count} floats of {@code tensor.uniform_(from, to, generator=g)} (bounds given as Python floats). */
    float[] uniform(int count, double from, double to) {
        float lo = (float) from;
        float span = (float) to - lo;
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            float x = (nextInt() & 0xffffff) * 0x1p-24f;
            out[i] = Math.fma(x, span, lo);
        }
        return out;
    }
}
