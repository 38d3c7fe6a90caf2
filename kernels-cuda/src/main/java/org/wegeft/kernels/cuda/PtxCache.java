package org.wegeft.kernels.cuda;

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
 * PTX compiled by NVRTC, cached on disk as {@code <dir>/<sha256(source, arch, nvrtc version)>.ptx}. Entries are
 * written to a temporary file in the same folder and moved into place atomically, so concurrent processes never see
 * a half-written file. The default folder is {@code ~/.cache/wegeft/ptx} ({@code -Dwegeft.cuda.ptxCache} overrides).
 */
final class PtxCache {
    static final String PROPERTY = "wegeft.cuda.ptxCache";

    private final Path dir;

    PtxCache(Path dir) {
        this.dir = dir;
    }

    static PtxCache atDefaultLocation() {
        String p = System.getProperty(PROPERTY);
        return new PtxCache(p != null && !p.isBlank() ? Path.of(p)
                : Path.of(System.getProperty("user.home"), ".cache", "wegeft", "ptx"));
    }

    Path dir() {
        return dir;
    }

    /** The cache key: hex SHA-256 over the source, the target architecture and the compiler version. */
    static String key(String source, String arch, String nvrtcVersion) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(arch.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(nvrtcVersion.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    Path path(String key) {
        return dir.resolve(key + ".ptx");
    }

    Optional<String> read(String key) {
        Path p = path(key);
        try {
            return Files.isRegularFile(p) ? Optional.of(Files.readString(p)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // an unreadable entry is recompiled
        }
    }

    /** Writes {@code ptx} under {@code key} atomically (temporary file + rename). */
    void write(String key, String ptx) {
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeString(path(key), ptx);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PTX cache entry " + path(key), e);
        }
    }

    /** The cached PTX for {@code key}, or {@code compile}'s result, written to the cache (a failed write is ignored). */
    String getOrCompile(String key, Supplier<String> compile) {
        Optional<String> hit = read(key);
        if (hit.isPresent()) {
            return hit.get();
        }
        String ptx = compile.get();
        try {
            write(key, ptx);
        } catch (UncheckedIOException e) {
            // a read-only home still works, it just compiles every time
        }
        return ptx;
    }
}
