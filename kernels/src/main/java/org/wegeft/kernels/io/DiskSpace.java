package org.wegeft.kernels.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The free-space check every large write makes before it starts: the bytes it will write (known from tensor sizes)
 * against {@link java.nio.file.FileStore#getUsableSpace()} of the folder it writes into.
 */
public final class DiskSpace {
    /** Usable bytes in a folder's file system; tests pass a fixed figure. */
    @FunctionalInterface
    public interface Probe {
        long usableBytes(Path folder) throws IOException;
    }

    /** The real figure, from the folder's {@link java.nio.file.FileStore}. */
    public static final Probe FILE_STORE = folder -> Files.getFileStore(folder).getUsableSpace();

    private DiskSpace() {
    }

    /** {@link #require(Path, long, String, Probe)} with the real figure. */
    public static void require(Path folder, long bytes, String what) throws IOException {
        require(folder, bytes, what, FILE_STORE);
    }

    /**
     * Refuses a write of {@code bytes} into {@code folder} (or, while it does not exist yet, its nearest existing
     * ancestor) when its file system has fewer usable bytes.
     * @param what what is written, for the message ("the merged model", "checkpoint /runs/x/checkpoint-20")
     * @throws NotEnoughSpaceException naming the folder, the bytes needed and the bytes free
     */
    public static void require(Path folder, long bytes, String what, Probe probe) throws IOException {
        Path existing = folder.toAbsolutePath().normalize();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        long usable;
        try {
            usable = probe.usableBytes(existing);
        } catch (IOException e) {
            throw IoErrors.naming(existing, e);
        }
        if (usable < bytes) {
            throw new NotEnoughSpaceException(folder.toAbsolutePath().normalize().toString(), what, bytes, usable);
        }
    }

    /** {@code bytes} in binary units, one decimal: "512 B", "3.4 MiB", "2.3 GiB". */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
