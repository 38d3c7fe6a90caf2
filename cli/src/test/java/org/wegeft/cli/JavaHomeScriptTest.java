package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The JDK choice that {@code .ci/run}, {@code ./wegeft} and {@code ./mvnw} share ({@code tools/java-home.sh}), run
 * under POSIX {@code sh} as {@code ./mvnw} runs it.
 */
class JavaHomeScriptTest {

    private static final Path SCRIPT = Path.of("..", "tools", "java-home.sh").toAbsolutePath().normalize();
    private static final String KNOWN_JDK = "/usr/lib/jvm/temurin-25-jdk-amd64";

    /** Sources the script with JAVA_HOME set to {@code javaHome}; prints the JAVA_HOME it leaves. */
    private static Result source(String javaHome) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT + " is missing");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "set -eu; . \"$1\"; echo \"$JAVA_HOME\"", "test",
                SCRIPT.toString());
        pb.environment().put("JAVA_HOME", javaHome);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), out);
    }

    private record Result(int status, String out) {
    }

    @Test
    void keepsAJdk25() throws IOException, InterruptedException {
        String running = System.getProperty("java.home");   // the build runs on a JDK 25 (the enforcer sees to it)
        Result r = source(running);
        assertEquals(0, r.status(), r.out());
        assertEquals(running, r.out());
    }

    @Test
    void replacesAMissingJdkWithTheKnownOneOrSaysWhatToInstall() throws IOException, InterruptedException {
        Result r = source("/nonexistent/jdk");
        if (Files.isExecutable(Path.of(KNOWN_JDK, "bin", "javac"))) {
            assertEquals(0, r.status(), r.out());
            assertEquals(KNOWN_JDK, r.out());
        } else {
            assertEquals(2, r.status(), r.out());
            assertTrue(r.out().contains("needs a JDK 25"), r.out());
        }
    }
}
