package org.wegeft.cli.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.cli.WegeftCli;

/**
 * {@code --model org/name} read from a Hugging Face cache laid out as huggingface_hub lays it out, found through
 * {@code HF_HUB_CACHE} (so each case runs the command line in a JVM of its own, with that variable set).
 */
class HubIdModelTest {
    static final Path FIX = LlmCommandsTest.FIX;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path cache;

    record Run(int status, String out, String err) {}

    private Run wegeft(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-") || a.startsWith("--sun-")).toList());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WegeftCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HF_HUB_CACHE", cache.toString());
        pb.environment().remove("HF_HOME");
        Path out = cache.resolveSibling(cache.getFileName() + "-out.txt");
        Path err = cache.resolveSibling(cache.getFileName() + "-err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int status = p.waitFor();
        return new Run(status, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aHubIdInTheCacheReadsTheSameModelAsItsFolder() throws IOException, InterruptedException {
        Path snapshot = Files.createDirectories(cache.resolve("models--wegeft--tiny-llama/snapshots/0123abcd"));
        try (Stream<Path> files = Files.list(FIX.resolve("llama_untied"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, snapshot.resolve(f.getFileName()));
            }
        }
        Files.createDirectories(cache.resolve("models--wegeft--tiny-llama/refs"));
        Files.writeString(cache.resolve("models--wegeft--tiny-llama/refs/main"), "0123abcd");
        String data = FIX.resolve("llm_eval/ppl.jsonl").toString();
        Run byId = wegeft("llm", "perplexity", "--model", "wegeft/tiny-llama", "--data", data);
        Run byFolder = wegeft("llm", "perplexity", "--model", FIX.resolve("llama_untied").toString(), "--data", data);
        assertEquals(0, byId.status(), byId.err());
        assertEquals(0, byFolder.status(), byFolder.err());
        JsonNode a = JSON.readTree(byFolder.out());
        JsonNode b = JSON.readTree(byId.out());
        assertEquals(a.get("tokens"), b.get("tokens"));
        assertEquals(a.get("nll").asDouble(), b.get("nll").asDouble(), 0.0, "the same model, read from the cache");
    }

    @Test
    void anIdMissingFromTheCacheIsBadInputNamingWhereItLooked() throws IOException, InterruptedException {
        Run r = wegeft("llm", "perplexity", "--model", "meta-llama/Llama-3.2-1B", "--data",
                FIX.resolve("llm_eval/ppl.jsonl").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("meta-llama/Llama-3.2-1B") && r.err().contains(
                cache.resolve("models--meta-llama--Llama-3.2-1B").resolve("snapshots").toString()), r.err());
    }
}
