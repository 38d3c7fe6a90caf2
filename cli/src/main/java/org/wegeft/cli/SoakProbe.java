package org.wegeft.cli;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.MemoryStats;

/**
 * The process figures {@code wegeft bench soak} samples: resident memory and open file descriptors from
 * {@code /proc/self} (Linux; {@code null} elsewhere), the JVM heap in use, the tensor pool's off-heap bytes and
 * the JVM's direct-buffer pool.
 */
final class SoakProbe {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path FD = Path.of("/proc/self/fd");

    /** One sample; {@code rssBytes} and {@code openFds} are null where /proc is absent. */
    record Sample(long step, float loss, @Nullable Long rssBytes, long heapUsedBytes, long poolLiveBytes,
            long poolCachedBytes, long directBytes, @Nullable Integer openFds) {
        /** Off-heap bytes held: the tensor pool (live + cached) and the direct-buffer pool. */
        long offHeapBytes() {
            return poolLiveBytes + poolCachedBytes + directBytes;
        }
    }

    private SoakProbe() {
    }

    /** Whether the Linux-only figures (resident memory, file descriptors) can be read. */
    static boolean procAvailable() {
        return Files.isReadable(STATUS) && Files.isDirectory(FD);
    }

    static Sample sample(long step, float loss) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryStats pool = MemoryStats.current();
        return new Sample(step, loss, rssBytes(), heap.getUsed(), pool.liveBytes(), pool.cachedBytes(), directBytes(),
                openFds());
    }

    /** VmRSS of /proc/self/status in bytes, or null where it cannot be read. */
    static @Nullable Long rssBytes() {
        long kb = ProcStatus.kb("VmRSS:");
        return kb < 0 ? null : kb * 1024;
    }

    /** Entries of /proc/self/fd, less the one the listing itself opens; null where it cannot be read. */
    static @Nullable Integer openFds() {
        if (!Files.isDirectory(FD)) {
            return null;
        }
        int n = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FD)) {
            for (Path ignored : dir) {
                n++;
            }
        } catch (IOException e) {
            return null;
        }
        return n - 1;
    }

    /** Bytes used by the JVM's "direct" and "mapped" buffer pools. */
    static long directBytes() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getMemoryUsed() > 0) {
                sum += b.getMemoryUsed();
            }
        }
        return sum;
    }
}
