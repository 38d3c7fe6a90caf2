package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.io.DeadProcess;
import org.wegeft.kernels.io.Leftovers;
import org.wegeft.kernels.io.LogLines;
import org.wegeft.kernels.io.NotEnoughSpaceException;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.peft.merge.MergePlan;
import org.wegeft.peft.merge.MergeWriter;

/**
 * What {@code wegeft merge} leaves on disk when things go wrong: the temporary folder of a killed merge, a second
 * merge into the same folder, a disk too small for the result.
 */
class MergeReliabilityTest {
    @TempDir
    Path tmp;

    @Test
    void theNextMergeRemovesTheTemporaryFolderOfAKilledOneAndSaysSo() throws Exception {
        Path out = tmp.resolve("merged");
        // what a merge killed with SIGKILL half-way leaves: its temporary folder, named for its (now gone) process
        long dead = DeadProcess.pid();
        Path stale = tmp.resolve(".merged.wegeft-tmp-" + dead + "-9f3a");
        Files.createDirectory(stale);
        Files.write(stale.resolve(".model.safetensors.wegeft-tmp-" + dead + "-1"), new byte[1 << 16]);
        Files.writeString(OutputLock.fileFor(out), "pid=" + dead + "\ncommand=merge\n");

        CliRun.Result r;
        List<String> logged;
        try (LogLines log = new LogLines(Leftovers.class)) {
            r = MergeCommandTest.merge(MergeCommandTest.fixture("llama_f32"), MergeCommandTest.fixture("adapter_lora"),
                    out);
            logged = log.lines();
        }
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("merged"), names(tmp), "nothing beside the output");
        assertEquals(1, logged.size(), logged.toString());
        assertTrue(logged.getFirst().startsWith("removed " + stale + " (64.0 KiB), left by process " + dead),
                logged.getFirst());
    }

    @Test
    void aSecondMergeIntoTheSameFolderIsRefused() throws IOException {
        Path out = tmp.resolve("merged");
        try (OutputLock first = OutputLock.acquire(out, "merge")) {
            CliRun.Result r = MergeCommandTest.merge(MergeCommandTest.fixture("llama_f32"),
                    MergeCommandTest.fixture("adapter_lora"), out);
            assertEquals(WegeftCli.USAGE_ERROR, r.status(), r.err());
            assertEquals(List.of("wegeft merge: output folder " + out + " is in use by process "
                    + ProcessHandle.current().pid() + " (merge), started "), r.errLines().stream()
                    .map(l -> l.substring(0, l.indexOf("started ") + 8)).toList());
            assertEquals(List.of(".merged.wegeft-lock"), names(tmp), "nothing written");
        }
    }

    /** Every command that owns an output folder: the arguments it needs to get as far as taking the lock. */
    static Stream<List<String>> commandsOwningAnOutFolder() {
        String model = MergeCommandTest.fixture("llama_f32").toString();
        return Stream.of(List.of("llm", "train", "--model", model, "--data", "d.jsonl"),
                List.of("vit", "train", "--model", model, "--train", "t.arrow", "--eval", "e.arrow", "--method", "lora"),
                List.of("llm", "pretrain", "--corpus", "c.txt", "--tokenizer", model),
                List.of("vit", "pretrain", "--data", "d.arrow"),
                List.of("demo", "llm"),
                List.of("demo", "vit"),
                List.of("bench", "make-model", "--model", "llama-tiny"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commandsOwningAnOutFolder")
    void everyCommandOwningAnOutFolderRefusesOneInUse(List<String> args) throws IOException {
        Path out = tmp.resolve("out");
        try (OutputLock first = OutputLock.acquire(out, "first")) {
            List<String> all = new java.util.ArrayList<>(args);
            all.addAll(List.of("--out", out.toString()));
            CliRun.Result r = CliRun.run(all.toArray(String[]::new));
            assertEquals(WegeftCli.USAGE_ERROR, r.status(), r.err());
            assertTrue(r.err().contains("output folder " + out + " is in use by process "
                    + ProcessHandle.current().pid() + " (first)"), r.err());
        }
        assertEquals(List.of(), names(tmp), "nothing written");
    }

    @Test
    void aMergeLargerThanTheFreeSpaceIsRefusedBeforeWriting() throws IOException {
        Path out = tmp.resolve("merged");
        try (MergePlan plan = MergePlan.prepare(MergeCommandTest.fixture("llama_f32"),
                MergeCommandTest.fixture("adapter_lora"), out, null, false)) {
            MergeWriter w = new MergeWriter(plan, (i, n, name, tensors, merged, bytes) -> {
                throw new AssertionError("wrote shard " + name);
            }, folder -> 1000);
            NotEnoughSpaceException e = assertThrows(NotEnoughSpaceException.class, w::write);
            long needed = e.needed();
            assertTrue(needed > Files.size(MergeCommandTest.fixture("llama_f32").resolve("config.json")), "" + needed);
            assertTrue(e.getMessage().startsWith("not enough free space in " + tmp + " for the merged model: it needs "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("1000 B (1000 bytes) is free"), e.getMessage());
            assertFalse(Files.exists(out));
            assertEquals(List.of(), names(tmp), "nothing written, no lock left");
            new MergeWriter(plan, (i, n, name, tensors, merged, bytes) -> { }, folder -> needed).write();
            long written;
            try (Stream<Path> s = Files.walk(out)) {
                written = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertEquals(written, needed, 256, "the figure checked is what the merge writes");
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
