package org.wegeft.kernels.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinaryCacheTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keyChangesWithSourceTargetAndCompilerVersion() {
        String k = BinaryCache.key("src", "compute_90", "13.0");
        assertEquals(64, k.length());
        assertEquals(k, BinaryCache.key("src", "compute_90", "13.0"));
        assertNotEquals(k, BinaryCache.key("src2", "compute_90", "13.0"));
        assertNotEquals(k, BinaryCache.key("src", "compute_80", "13.0"));
        assertNotEquals(k, BinaryCache.key("src", "compute_90", "12.8"));
        // field boundaries matter: ("ab", "c") is not ("a", "bc")
        assertNotEquals(BinaryCache.key("ab", "c", "v"), BinaryCache.key("a", "bc", "v"));
    }

    @Test
    void compilesOnceThenReadsTheCachedFile(@TempDir Path dir) throws IOException {
        BinaryCache cache = new BinaryCache(dir.resolve("ptx"), ".ptx");
        AtomicInteger compiles = new AtomicInteger();
        String key = BinaryCache.key("kernel", "compute_90", "13.0");
        assertArrayEquals(bytes("PTX-1"), cache.getOrCompile(key, () -> bytes("PTX-" + compiles.incrementAndGet())));
        assertArrayEquals(bytes("PTX-1"), cache.getOrCompile(key, () -> bytes("PTX-" + compiles.incrementAndGet())));
        assertEquals(1, compiles.get());
        assertEquals("PTX-1", Files.readString(dir.resolve("ptx").resolve(key + ".ptx")));
    }

    @Test
    void writeLeavesNoTemporaryFilesAndReplacesAtomically(@TempDir Path dir) throws IOException {
        BinaryCache cache = new BinaryCache(dir, ".bin");
        cache.write("k", bytes("first"));
        cache.write("k", bytes("second"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("k.bin")), files.toList());
        }
        assertArrayEquals(bytes("second"), cache.read("k").orElseThrow());
        assertTrue(cache.read("missing").isEmpty());
    }

    @Test
    void unwritableCacheStillReturnsTheCompiledBytes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("not-a-dir");
        Files.writeString(file, "x");
        BinaryCache cache = new BinaryCache(file.resolve("ptx"), ".ptx"); // parent is a file: createDirectories fails
        assertArrayEquals(bytes("PTX"), cache.getOrCompile("k", () -> bytes("PTX")));
    }
}
