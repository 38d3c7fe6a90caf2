package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.runJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;

/**
 * The command line on the OpenCL backend against the CPU: perplexity of a random three-layer GQA LLaMA, with and
 * without a WeGeFT adapter (trained here on the CPU), within 1e-5 relative. (Training steps on OpenCL are checked
 * against the scalar reference by the tensor module's OpenClDevicePathTest.)
 * Skipped, with the reason printed, where no OpenCL device is found (CI installs PoCL, so it runs there).
 */
class OpenClCommandsTest {
    private static final double REL = 1e-5;

    @TempDir
    static Path tmp;
    static Path model;
    static Path data;

    @BeforeAll
    static void needsOpenCl() throws IOException {
        KernelBackend ocl = Backends.all().stream().filter(b -> b.name().equals("opencl")).findFirst().orElseThrow();
        if (!ocl.availability().available()) {
            String reason = "opencl: command-line parity skipped: " + ocl.availability().reason();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        model = TinyLlama.save(tmp.resolve("tiny3"), TinyLlama.KJV.resolve("tokenizer_config.json"), 3);
        data = tmp.resolve("text.jsonl");
        Files.writeString(data, """
                {"text": "In the beginning God created the heaven and the earth."}
                {"text": "And the earth was without form, and void; and darkness was upon the face of the deep."}
                {"text": "And God said, Let there be light: and there was light."}
                """);
    }

    private static JsonNode on(String backend, String... args) throws IOException {
        KernelBackend before = Backends.current();
        Backends.setCurrent(Backends.byName(backend));
        try {
            return runJson(args);
        } finally {
            Backends.setCurrent(before);
        }
    }

    private static void assertRel(double expected, double actual, String what) {
        System.out.printf(Locale.ROOT, "opencl: %s: cpu %.9f, opencl %.9f%n", what, expected, actual);
        assertTrue(Math.abs(expected - actual) <= REL * Math.abs(expected),
                what + ": cpu " + expected + ", opencl " + actual);
    }

    @Test
    void perplexityEqualsTheCpuWithAndWithoutAnAdapter() throws IOException {
        Path adapter = tmp.resolve("adapter");
        CliRun.Result train = CliRun.run("llm", "train", "--model", model.toString(), "--data", data.toString(),
                "--method", "wegeft", "--rank", "4", "--dropout", "0", "--steps", "4", "--lr", "0.05", "--batch", "2",
                "--out", adapter.toString(), "--template", "plain");
        assertEquals(0, train.status(), train.err());
        for (List<String> extra : List.of(List.<String>of(), List.of("--adapter", adapter.toString()))) {
            List<String> args = new ArrayList<>(List.of("llm", "perplexity", "--model", model.toString(), "--data",
                    data.toString()));
            args.addAll(extra);
            JsonNode cpu = on("cpu", args.toArray(String[]::new));
            JsonNode ocl = on("opencl", args.toArray(String[]::new));
            assertEquals(cpu.get("tokens").asLong(), ocl.get("tokens").asLong());
            assertRel(cpu.get("nll").asDouble(), ocl.get("nll").asDouble(),
                    "nll" + (extra.isEmpty() ? "" : " with the adapter"));
        }
    }
}
