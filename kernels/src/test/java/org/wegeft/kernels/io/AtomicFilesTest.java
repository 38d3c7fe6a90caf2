package org.wegeft.kernels.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsReplacedWholeAndNoTemporaryStays() throws IOException {
        Path f = dir.resolve("results.json");
        AtomicFiles.writeString(f, "old");
        AtomicFiles.writeString(f, "new");
        AtomicFiles.writeStream(dir.resolve("s.bin"), out -> {
            out.write(new byte[] {1, 2, 3});
            out.close(); // a writer that closes its stream still gets its file
        });
        assertEquals("new", Files.readString(f));
        assertEquals(3, Files.size(dir.resolve("s.bin")));
        assertEquals(List.of("results.json", "s.bin"), names());
    }

    @Test
    void aFailedWriteKeepsTheOldFileRemovesItsTemporaryAndNamesTheFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(java.nio.ByteBuffer.wrap(new byte[100]));
            throw new IOException("No space left on device");
        }));
        assertEquals(f.toAbsolutePath() + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("model.safetensors"), names());
    }

    @Test
    void aFolderIsReplacedWholeAndAFailedOneLeavesTheOldOne() throws IOException {
        Path out = dir.resolve("merged");
        AtomicFiles.writeFolder(out, tmp -> Files.writeString(tmp.resolve("a"), "1"));
        AtomicFiles.writeFolder(out, tmp -> Files.writeString(tmp.resolve("b"), "2"));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("b"), s.map(p -> p.getFileName().toString()).toList());
        }
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeFolder(out, tmp -> {
            Files.writeString(tmp.resolve("c"), "3");
            throw new IOException("Input/output error");
        }));
        assertTrue(e.getMessage().startsWith(out.toAbsolutePath() + ": "), e.getMessage());
        assertEquals("2", Files.readString(out.resolve("b")));
        assertEquals(List.of("merged"), names());
    }

    @Test
    void ioErrorsNameTheirFileOnce() {
        Path f = dir.resolve("x.bin");
        IOException bare = new IOException("No space left on device");
        IOException named = IoErrors.naming(f, bare);
        assertTrue(named instanceof FileSystemException fse && fse.getFile().equals(f.toString()));
        assertSame(bare, named.getCause());
        NoSuchFileException already = new NoSuchFileException(dir.resolve("y").toString());
        assertSame(already, IoErrors.naming(f, already));
        IOException mentions = new IOException("cannot write " + f + ": disk quota exceeded");
        assertSame(mentions, IoErrors.naming(f, mentions));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
