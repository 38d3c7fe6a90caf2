package org.wegeft.kernels.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.wegeft.kernels.io.AtomicFiles;

/**
 * Compiled device code (PTX from NVRTC, program binaries from an OpenCL compiler) cached on disk as
 * {@code <dir>/<key><suffix>}, the key a SHA-256 over everything the compiled bytes depend on (source, target,
 * compiler version). Entries are written to a temporary file in the same folder and moved into place atomically, so
 * concurrent processes never see a half-written file. An unreadable entry is recompiled; an unwritable folder only
 * means compiling every time.
 */
public final class BinaryCache {
    private final Path dir;
    private final String suffix;

    public BinaryCache(Path dir, String suffix) {
        this.dir = dir;
        this.suffix = suffix;
    }

    /**
     * The cache under {@code ~/.cache/wegeft/<folder>}, or the folder the system property {@code property} names.
     */
    public static BinaryCache atDefaultLocation(String property, String folder, String suffix) {
        String p = System.getProperty(property);
        return new BinaryCache(p != null && !p.isBlank() ? Path.of(p)
                : Path.of(System.getProperty("user.home"), ".cache", "wegeft", folder), suffix);
    }

    public Path dir() {
        return dir;
    }

    /** The cache key: hex SHA-256 over {@code parts}, each followed by a zero byte (so field boundaries count). */
    public static String key(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    public Path path(String key) {
        return dir.resolve(key + suffix);
    }

    public Optional<byte[]> read(String key) {
        Path p = path(key);
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code bytes} under {@code key} atomically (temporary file + rename). */
    public void write(String key, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.write(path(key), AtomicFiles.bytes(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write compiled-code cache entry " + path(key), e);
        }
    }

    /** The cached bytes for {@code key}, or {@code compile}'s result, written to the cache (a failed write is ignored). */
    public byte[] getOrCompile(String key, Supplier<byte[]> compile) {
        Optional<byte[]> hit = read(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        byte[] bytes = compile.get();
        try {
            write(key, bytes);
        } catch (UncheckedIOException e) {
            // a read-only home still works, it just compiles every time
        }
        return bytes;
    }
}
