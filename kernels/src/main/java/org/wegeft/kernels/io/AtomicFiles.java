package org.wegeft.kernels.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Atomic writes, the one way files and folders are written: the content goes to a temporary sibling
 * ({@link Leftovers#temporary}), is forced to disk, and is renamed into place in one step, so a reader sees the old
 * content or the new one, never half of it, and a crash leaves the old one intact. Every write first removes the
 * leftovers of dead writers in its folder ({@link Leftovers#sweep}), and every I/O error names the file written.
 *
 * <pre>
 *   AtomicFiles.writeString(dir.resolve("results.json"), json);
 *   AtomicFiles.write(file, ch -> ch.write(bytes));                  // any content through a FileChannel
 *   AtomicFiles.writeStream(png, out -> ImageIO.write(img, "png", out));
 *   AtomicFiles.writeFolder(out, tmp -> { ... files into tmp ... }); // a whole folder, replacing out
 * </pre>
 */
public final class AtomicFiles {
    /** Writes a file's content. */
    @FunctionalInterface
    public interface FileBody {
        void write(FileChannel ch) throws IOException;
    }

    /** Writes a file's content to a stream; closing the stream is allowed and does not end the write. */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a (new, empty) folder. */
    @FunctionalInterface
    public interface FolderBody {
        void write(Path dir) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code file} (replacing it) with what {@code body} writes to the channel. */
    public static void write(Path file, FileBody body) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Path tmp = open(abs);
        publish(abs, tmp, () -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            move(tmp, abs);
        });
    }

    /** Steps that fill a temporary name and rename it into place. */
    private interface Steps {
        void run() throws IOException;
    }

    /**
     * Runs {@code steps}, which end by renaming {@code tmp} to {@code target}; on any failure the temporary is
     * deleted and an I/O error names {@code target}.
     */
    private static void publish(Path target, Path tmp, Steps steps) throws IOException {
        boolean done = false;
        try {
            steps.run();
            done = true;
        } catch (IOException e) {
            throw IoErrors.naming(target, e);
        } finally {
            if (!done) {
                Leftovers.deleteQuietly(tmp);
            }
        }
    }

    /** Writes {@code text} as UTF-8 to {@code file} (replacing it). */
    public static void writeString(Path file, String text) throws IOException {
        write(file, bytes(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes {@code file} (replacing it) with what {@code body} writes to a buffered stream. */
    public static void writeStream(Path file, StreamBody body) throws IOException {
        write(file, ch -> {
            OutputStream toChannel = Channels.newOutputStream(ch);
            BufferedOutputStream out = new BufferedOutputStream(new FilterOutputStream(toChannel) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    toChannel.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush(); // the channel stays open: it is forced before the rename
                }
            }, 1 << 16);
            body.write(out);
            out.flush();
        });
    }

    /** A body writing {@code bytes}. */
    public static FileBody bytes(byte[] bytes) {
        return ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        };
    }

    /**
     * Sweeps the folder of {@code file} and returns a fresh temporary name beside it, for a writer that keeps its
     * channel open across calls and finishes with {@link #commit}.
     */
    public static Path open(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null) {
            Leftovers.sweep(parent);
        }
        return Leftovers.temporary(abs);
    }

    /** Renames the finished (and forced) temporary {@code tmp} over {@code file}. */
    public static void commit(Path tmp, Path file) throws IOException {
        try {
            move(tmp, file.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw IoErrors.naming(file, e);
        }
    }

    /**
     * Writes the folder {@code dir} (replacing an existing one): {@code body} fills a temporary sibling folder,
     * every file in it is forced to disk, and it is renamed to {@code dir}. An existing {@code dir} is parked under
     * a temporary name for the swap and then deleted; should the rename fail, it is put back.
     */
    public static void writeFolder(Path dir, FolderBody body) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IOException("cannot write the root folder " + abs);
        }
        Files.createDirectories(parent);
        Leftovers.sweep(parent);
        Path tmp = Leftovers.temporary(abs);
        publish(abs, tmp, () -> {
            Files.createDirectory(tmp);
            body.write(tmp);
            forceTree(tmp);
            swapIn(tmp, abs);
        });
    }

    /** Renames {@code tmp} to {@code out}, parking an existing {@code out} for the moment of the swap. */
    private static void swapIn(Path tmp, Path out) throws IOException {
        Path old = null;
        if (Files.exists(out)) {
            old = Leftovers.parked(out);
            Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, out, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        force(out.getParent(), true);
        if (old != null) {
            Leftovers.deleteTree(old);
        }
    }

    private static void move(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING); // a file system without atomic renames
        }
    }

    /** fsync of every file under {@code dir}, then of the folders (where the platform lets a folder be opened). */
    private static void forceTree(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.toList();
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                force(p, false);
            }
        }
        for (Path p : all) {
            if (Files.isDirectory(p)) {
                force(p, true);
            }
        }
    }

    /** fsync of a file or a folder; some platforms cannot open a folder, whose entries the rename then writes. */
    private static void force(Path p, boolean directory) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!directory) {
                throw IoErrors.naming(p, e);
            }
        }
    }
}
