package org.wegeft.kernels.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversTest {
    @TempDir
    Path dir;

    @Test
    void temporaryNamesAreHiddenAndCarryTheProcessId() {
        Path t = Leftovers.temporary(dir.resolve("merged"));
        String name = t.getFileName().toString();
        assertTrue(name.startsWith(".merged.wegeft-tmp-" + ProcessHandle.current().pid() + "-"), name);
        assertEquals(dir.toAbsolutePath(), t.getParent());
        assertTrue(Leftovers.isLeftoverName(name));
        assertFalse(Leftovers.isLeftoverName("merged"));
        assertFalse(Leftovers.isLeftoverName(".merged.wegeft-lock"));
        assertFalse(t.equals(Leftovers.temporary(dir.resolve("merged"))), "two writes get two names");
    }

    @Test
    void sweepRemovesTheLeftoversOfDeadWritersOnlyAndSaysSo() throws Exception {
        long dead = DeadProcess.pid();
        long me = ProcessHandle.current().pid();
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        Path deadFolder = dir.resolve(".merged.wegeft-tmp-" + dead + "-1a2b");
        Files.createDirectories(deadFolder.resolve("sub"));
        Files.write(deadFolder.resolve("sub/model.safetensors"), new byte[3000]);
        Path deadFile = dir.resolve(".config.json.wegeft-tmp-" + dead + "-ff");
        Files.writeString(deadFile, "{");
        Path mine = dir.resolve(".other.wegeft-tmp-" + me + "-3c");
        Files.createDirectory(mine);
        Path running = dir.resolve(".other.wegeft-tmp-" + parent + "-4d");
        Files.createDirectory(running);
        Path unrelated = dir.resolve(".merged.tmp-99");
        Files.createDirectory(unrelated);

        List<String> logged;
        try (LogLines log = new LogLines(Leftovers.class)) {
            assertEquals(2, Leftovers.sweep(dir).size());
            logged = log.lines();
        }
        assertEquals(Set.of(".merged.tmp-99", ".other.wegeft-tmp-" + me + "-3c",
                ".other.wegeft-tmp-" + parent + "-4d"), Set.copyOf(names()));
        assertEquals(2, logged.size(), logged.toString());
        String line = logged.stream().filter(l -> l.contains(deadFolder.toString())).findFirst().orElseThrow();
        assertTrue(line.contains("removed") && line.contains("2.9 KiB") && line.contains("process " + dead), line);
        assertTrue(logged.stream().noneMatch(l -> l.contains("\n")), "one line each: " + logged);
    }

    @Test
    void aParkedFolderWhoseReplacementNeverArrivedIsRestored() throws Exception {
        long dead = DeadProcess.pid();
        Path parked = dir.resolve(".checkpoint-4.wegeft-old-" + dead + "-77");
        Files.createDirectory(parked);
        Files.writeString(parked.resolve("trainer_state.json"), "{}");
        Path replaced = dir.resolve(".checkpoint-5.wegeft-old-" + dead + "-78");
        Files.createDirectory(replaced);
        Files.createDirectory(dir.resolve("checkpoint-5"));

        Leftovers.sweep(dir);
        assertEquals(List.of("checkpoint-4", "checkpoint-5"), names());
        assertEquals("{}", Files.readString(dir.resolve("checkpoint-4/trainer_state.json")));
    }

    @Test
    void everyAtomicWriteSweepsItsFolder() throws Exception {
        Path stale = dir.resolve(".merged.wegeft-tmp-" + DeadProcess.pid() + "-5e");
        Files.createDirectory(stale);
        AtomicFiles.writeFolder(dir.resolve("merged"), tmp -> Files.writeString(tmp.resolve("a.txt"), "a"));
        assertEquals(List.of("merged"), names());
        Files.createDirectory(stale);
        AtomicFiles.writeString(dir.resolve("results.json"), "[]");
        assertEquals(List.of("merged", "results.json"), names());
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
