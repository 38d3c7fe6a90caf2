package org.wegeft.nn.train;

import java.util.Arrays;
import java.util.List;

/**
 * The summaries the benchmarks and demos report over repeated runs: the median (of an even count, the mean of the two
 * middle values), the mean and the sample standard deviation.
 */
public final class SampleStats {
    private SampleStats() {
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

    /** The mean of {@code xs}; NaN for none. */
    public static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }

    /** The sample standard deviation of {@code xs} (divided by n − 1); 0 for fewer than two. */
    public static double std(double[] xs) {
        if (xs.length < 2) {
            return 0;
        }
        double m = mean(xs);
        return Math.sqrt(Arrays.stream(xs).map(x -> (x - m) * (x - m)).sum() / (xs.length - 1));
    }

    /** The median of step times given in nanoseconds, in milliseconds; -1 for none. */
    public static double millis(List<Long> nanos) {
        return nanos.isEmpty() ? -1 : of(nanos.stream().mapToDouble(Long::doubleValue).toArray()) / 1e6;
    }

    /** The mean of the last {@code n} values of {@code v} (all of them when fewer); NaN for none. */
    public static double tailMean(float[] v, int n) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        int k = Math.min(n, v.length);
        for (int i = v.length - k; i < v.length; i++) {
            s += v[i];
        }
        return s / k;
    }
}
