package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the command line in this JVM, as the tests of every command do, and reads what it wrote. */
public final class CliRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CliRun() {
    }

    /** The exit status and the two streams of one run. */
    public record Result(int status, String out, String err) {
        public List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** {@code wegeft ARGS}, with stdout and stderr captured. */
    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = WegeftCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    /** The one JSON line that a successful {@code wegeft ARGS} prints; any other exit status fails the test. */
    public static JsonNode runJson(String... args) throws IOException {
        Result r = run(args);
        assertEquals(0, r.status(), r.err());
        return JSON.readTree(r.out().strip());
    }

    /** Loss of each step logged in a trainer's {@code metrics.jsonl} ({@link LlmSoak#lossesByStep}). */
    public static Map<Long, String> lossesByStep(Path metrics) throws IOException {
        return LlmSoak.lossesByStep(metrics);
    }
}
