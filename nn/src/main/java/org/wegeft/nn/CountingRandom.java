package org.wegeft.nn;

import java.util.random.RandomGenerator;

/**
 * A generator whose whole state is a seed and a draw counter (SplitMix64 over {@code seed + counter·γ}), so a
 * training checkpoint can save where it stands ({@link #seed()}, {@link #position()}) and a resumed run continues the
 * very same stream ({@link #restore}). Modules that draw random numbers in {@code forward} (dropout, stochastic
 * depth, adapter dropout) own one and expose it through {@link Stochastic}.
 */
public final class CountingRandom implements RandomGenerator {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private long seed;
    private long counter;

    public CountingRandom(long seed) {
        this.seed = seed;
    }

    /** A counting generator seeded from one draw of {@code rng} (or {@code rng} itself when it already counts). */
    public static CountingRandom from(RandomGenerator rng) {
        return rng instanceof CountingRandom c ? c : new CountingRandom(rng.nextLong());
    }

    @Override
    public long nextLong() {
        long z = seed + (++counter) * GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Number of 64-bit draws made so far. */
    public long position() {
        return counter;
    }

    /** Continues the stream of seed {@code seed} after {@code draws} draws (what a checkpoint saved). */
    public void restore(long seed, long draws) {
        position(draws);
        this.seed = seed;
    }

    /** Moves the stream to {@code draws} draws from its start. */
    public void position(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("generator position must be >= 0, got " + draws);
        }
        this.counter = draws;
    }

    public long seed() {
        return seed;
    }
}
