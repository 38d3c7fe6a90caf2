package org.wegeft.tensor;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.jspecify.annotations.Nullable;

/**
 * Gives the pages of a read-only file mapping back to the operating system once they have been read (Linux's
 * {@code madvise(MADV_DONTNEED)}): they leave the process's resident set and are read from the file again if touched.
 * Where madvise cannot be found (another OS) nothing happens; the pages then go when memory is short.
 */
final class MappedPages {
    private static final int MADV_DONTNEED = 4;
    private static final long PAGE = 4096;
    private static final @Nullable MethodHandle MADVISE = madvise();

    private MappedPages() {
    }

    private static @Nullable MethodHandle madvise() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("madvise").map(f -> linker.downcallHandle(f,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT))).orElse(null);
        } catch (RuntimeException e) {   // native access refused: keep the pages
            return null;
        }
    }

    /**
     * Releases the whole pages inside {@code region} (a part of a read-only file mapping); returns whether madvise
     * accepted them (false where it is not available or refused, e.g. on pages larger than 4 KiB at this alignment).
     */
    static boolean release(MemorySegment region) {
        MethodHandle m = MADVISE;
        long start = (region.address() + PAGE - 1) / PAGE * PAGE;
        long end = (region.address() + region.byteSize()) / PAGE * PAGE;
        if (m == null || end <= start) {
            return false;
        }
        try {
            return (int) m.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_DONTNEED) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
