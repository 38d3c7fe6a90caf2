package org.wegeft.examples;

import java.util.Arrays;
import java.util.List;

/** The median the benchmarks and demos report (of an even count: the mean of the two middle values). */
public final class Median {
    private Median() {
    }

    /** The median of {@code xs} (left as it is); NaN for none. */
    public static double of(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** The median of step times given in nanoseconds, in milliseconds; -1 for none. */
    public static double millis(List<Long> nanos) {
        return nanos.isEmpty() ? -1 : of(nanos.stream().mapToDouble(Long::doubleValue).toArray()) / 1e6;
    }
}
