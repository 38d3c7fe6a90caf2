package org.wegeft.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PtxCacheTest {

    @Test
    void keyChangesWithSourceArchitectureAndCompilerVersion() {
        String k = PtxCache.key("src", "compute_90", "13.0");
        assertEquals(64, k.length());
        assertEquals(k, PtxCache.key("src", "compute_90", "13.0"));
        assertNotEquals(k, PtxCache.key("src2", "compute_90", "13.0"));
        assertNotEquals(k, PtxCache.key("src", "compute_80", "13.0"));
        assertNotEquals(k, PtxCache.key("src", "compute_90", "12.8"));
        // field boundaries matter: ("ab", "c") is not ("a", "bc")
        assertNotEquals(PtxCache.key("ab", "c", "v"), PtxCache.key("a", "bc", "v"));
    }

    @Test
    void compilesOnceThenReadsTheCachedFile(@TempDir Path dir) throws IOException {
        PtxCache cache = new PtxCache(dir.resolve("ptx"));
        AtomicInteger compiles = new AtomicInteger();
        String key = PtxCache.key("kernel", "compute_90", "13.0");
        assertEquals("PTX-1", cache.getOrCompile(key, () -> "PTX-" + compiles.incrementAndGet()));
        assertEquals("PTX-1", cache.getOrCompile(key, () -> "PTX-" + compiles.incrementAndGet()));
        assertEquals(1, compiles.get());
        assertEquals("PTX-1", Files.readString(dir.resolve("ptx").resolve(key + ".ptx")));
    }

    @Test
    void writeLeavesNoTemporaryFilesAndReplacesAtomically(@TempDir Path dir) throws IOException {
        PtxCache cache = new PtxCache(dir);
        cache.write("k", "first");
        cache.write("k", "second");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("k.ptx")), files.toList());
        }
        assertEquals("second", cache.read("k").orElseThrow());
        assertTrue(cache.read("missing").isEmpty());
    }

    @Test
    void unwritableCacheStillReturnsTheCompiledPtx(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("not-a-dir");
        Files.writeString(file, "x");
        PtxCache cache = new PtxCache(file.resolve("ptx")); // parent is a file: createDirectories fails
        assertEquals("PTX", cache.getOrCompile("k", () -> "PTX"));
    }
}
