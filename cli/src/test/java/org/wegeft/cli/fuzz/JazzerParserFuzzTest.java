package org.wegeft.cli.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of every file parser with Jazzer, beside the seeded mutational {@link ParserFuzzTest}
 * and with its property: the bytes either parse or raise the parser's typed exception, nothing else.
 *
 * <p>A plain {@code ./mvnw test} runs the regression mode: each {@code @FuzzTest} is run once per file in
 * {@code src/test/resources/org/wegeft/cli/fuzz/JazzerParserFuzzTestInputs/<method>/} (the {@link Seeds}
 * inputs and any crash found since). {@code JAZZER_FUZZ=1} fuzzes the (one) selected method:
 *
 * <pre>
 *   JAZZER_FUZZ=1 ./mvnw -pl examples -am test -Dtest='JazzerParserFuzzTest#jsonl' \
 *       -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration=30s
 * </pre>
 */
class JazzerParserFuzzTest {
    private static final Path WORK = Path.of("target", "jazzer-work");

    @FuzzTest(maxDuration = "30s")
    void safetensors(byte[] input) throws Exception {
        check("safetensors", input);
    }

    @FuzzTest(maxDuration = "30s")
    void vitConfig(byte[] input) throws Exception {
        check("vit-config", input);
    }

    @FuzzTest(maxDuration = "30s")
    void llamaConfig(byte[] input) throws Exception {
        check("llama-config", input);
    }

    @FuzzTest(maxDuration = "30s")
    void adapterConfig(byte[] input) throws Exception {
        check("adapter-config", input);
    }

    @FuzzTest(maxDuration = "30s")
    void tokenizer(byte[] input) throws Exception {
        check("tokenizer", input);
    }

    @FuzzTest(maxDuration = "30s")
    void arrow(byte[] input) throws Exception {
        check("arrow", input);
    }

    @FuzzTest(maxDuration = "30s")
    void parquet(byte[] input) throws Exception {
        check("parquet", input);
    }

    @FuzzTest(maxDuration = "30s")
    void jsonl(byte[] input) throws Exception {
        check("jsonl", input);
    }

    /** Writes the input as the parser's file and applies {@link ParserFuzzTest}'s property to it. */
    private static void check(String name, byte[] input) throws IOException, InterruptedException {
        ParserFuzzTest.Target target = ParserFuzzTest.targets().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow();
        Path file = Files.createDirectories(WORK.resolve(name)).resolve(target.fileName());
        Files.write(file, input);
        Throwable t = ParserFuzzTest.runOne(target, file);
        if (t != null && target.typed().stream().noneMatch(c -> c.isInstance(t))) {
            fail(name + ": " + input.length + "-byte input raised " + t.getClass().getName() + " instead of "
                    + target.typed() + ": " + t, t);
        }
    }

    @AfterAll
    static void stopWorker() {
        ParserFuzzTest.stopWorker();
    }
}
