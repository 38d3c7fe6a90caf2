package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launcher's default garbage-collector options ({@code tools/gc-opts.sh}, sourced by {@code ./wegeft}). */
class GcOptsScriptTest {

    @ParameterizedTest(name = "WEGEFT_JAVA_OPTS=''{0}'' → ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "|-XX:+UseSerialGC -Xmn64m",
        "-Xmx1g -Dwegeft.threads=4|-XX:+UseSerialGC -Xmn64m",
        "-Xmx300M|-XX:+UseSerialGC -Xmn64m",
        "-Xmx48m|-XX:+UseSerialGC",
        "-Xmx200000k|-XX:+UseSerialGC",
        "-Xmx100000000|-XX:+UseSerialGC",
        "-XX:+UseG1GC|",
        "-Xmx48m -XX:+UseZGC|",
        "-XX:+UseParallelGC -Xmx48m|",
        "-Xmn32m|",
        "-XX:MaxNewSize=128m -Xmx2g|",
        "-Xmxfoo|-XX:+UseSerialGC -Xmn64m",
        "-Xmx1x|-XX:+UseSerialGC -Xmn64m",
    })
    void defaultCollectorUnlessTheUserChoseOne(String userOpts, String expectedOpts) throws IOException,
            InterruptedException {
        String user = userOpts == null ? "" : userOpts;         // an empty CSV column arrives as null
        String expected = expectedOpts == null ? "" : expectedOpts;
        Path script = Path.of("..", "tools", "gc-opts.sh").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(script), script + " is missing");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "set -euo pipefail; source \"$1\"; echo \"${GC_OPTS[*]-}\"", "test", script.toString());
        pb.environment().put("WEGEFT_JAVA_OPTS", user);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals(expected, out, "for WEGEFT_JAVA_OPTS='" + user + "'");
    }
}
