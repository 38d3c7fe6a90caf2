package org.wegeft.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory figures for the benchmarks: fields of {@code /proc/self/status} (Linux; -1 elsewhere)
 * and the Java heap's peak.
 */
public final class ProcStatus {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcStatus() {
    }

    /** A kB field of /proc/self/status, e.g. {@code "VmHWM:"} (peak resident set) or {@code "VmRSS:"}; -1 when unknown. */
    public static long kb(String key) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** {@link #kb} in MiB, or -1 when unknown. */
    public static double mb(String key) {
        long kb = kb(key);
        return kb < 0 ? -1 : kb / 1024.0;
    }

    /** The sum of the heap pools' peak usage in bytes: the Java heap's high-water mark. */
    public static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
