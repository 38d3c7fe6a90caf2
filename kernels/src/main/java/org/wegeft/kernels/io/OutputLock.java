package org.wegeft.kernels.io;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * One writer per output folder. The owner of {@code DIR} holds the lock file {@code .DIR.wegeft-lock} beside it
 * (beside, not inside, so the folder itself can be replaced atomically), which records its process id, start time,
 * host and command, and holds a {@link FileChannel#tryLock} on it while it runs. A second writer is refused with
 * {@link OutputInUseException} naming the owner. The file is deleted on {@link #close()} (and by a shutdown hook on
 * Ctrl-C); one left by a process that is gone, on this machine, is taken over with one log line.
 *
 * <pre>
 *   try (OutputLock lock = OutputLock.acquire(out, "wegeft llm train")) { ... write into out ... }
 * </pre>
 */
public final class OutputLock implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OutputLock.class.getName());
    /** A recorded start time matches the running process's within this (it is derived from clock ticks). */
    private static final Duration START_SLACK = Duration.ofSeconds(2);
    private static final String HOST = readHostName();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread hook;
    private boolean closed;

    private OutputLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.hook = new Thread(this::deleteFile, "wegeft-lock-" + file.getFileName());
    }

    /** The lock file of output folder {@code dir}: {@code .DIR.wegeft-lock} in its parent folder. */
    public static Path fileFor(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".wegeft-lock");
    }

    /**
     * Takes the lock of output folder {@code dir} (creating its parent folder if needed).
     * @param command what holds it, shown to a refused writer ("wegeft merge")
     * @throws OutputInUseException when a running process holds it, naming that process and the lock file
     */
    public static OutputLock acquire(Path dir, String command) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new IOException("cannot lock the root folder " + abs);
        }
        Path file = fileFor(abs);
        FileChannel ch;
        try {
            Files.createDirectories(abs.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw IoErrors.naming(file, e);
        }
        boolean ok = false;
        try {
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                fl = null; // this JVM holds it already
            }
            Owner previous = Owner.read(ch);
            if (fl == null || previous != null && previous.running()) {
                throw new OutputInUseException(abs.toString(), "output folder " + abs + " is in use by "
                        + (previous == null ? "another process" : previous.describe()) + " (lock file " + file
                        + "); wait for it to finish or write elsewhere"
                        + (previous != null && !previous.onThisHost() ? ", or delete the lock file if that process"
                        + " is gone" : ""));
            }
            if (previous != null) {
                LOG.log(Level.INFO, "took over " + file + " from " + previous.describe() + ", which is no longer running");
            }
            byte[] mine = Owner.current(command).text().getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(mine);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(true);
            OutputLock lock = new OutputLock(file, ch, fl);
            Runtime.getRuntime().addShutdownHook(lock.hook);
            ok = true;
            return lock;
        } catch (IOException e) {
            throw IoErrors.naming(file, e);
        } finally {
            if (!ok) {
                ch.close(); // releases a lock taken here
            }
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Deletes the lock file and releases the lock. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook deletes the file
        }
        try {
            Files.deleteIfExists(file); // while still locked, so no one takes a file about to vanish
        } finally {
            lock.release();
            channel.close();
        }
    }

    private void deleteFile() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the next writer takes over a lock whose process is gone
        }
    }

    /** What a lock file records about its owner. */
    private record Owner(long pid, @Nullable Instant start, String host, String command) {
        static Owner current(String command) {
            ProcessHandle me = ProcessHandle.current();
            return new Owner(me.pid(), me.info().startInstant().orElse(null), hostName(), command);
        }

        /** The owner recorded in the channel's file, or null for an empty or unreadable one. */
        static @Nullable Owner read(FileChannel ch) throws IOException {
            long size = ch.size();
            if (size == 0 || size > 64 * 1024) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                // read it all
            }
            Properties p = new Properties();
            p.load(new java.io.StringReader(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8)));
            try {
                long pid = Long.parseLong(p.getProperty("pid", "").strip());
                String start = p.getProperty("start", "").strip();
                return new Owner(pid, start.isEmpty() ? null : Instant.parse(start), p.getProperty("host", "").strip(),
                        p.getProperty("command", "").strip());
            } catch (RuntimeException e) {
                return null; // not ours to interpret: the OS lock decides
            }
        }

        String text() {
            return "pid=" + pid + "\nstart=" + (start == null ? "" : start) + "\nhost=" + host + "\ncommand="
                    + command + "\n";
        }

        boolean onThisHost() {
            return host.isEmpty() || host.equals(hostName());
        }

        /** Whether the owner may still run: on this host, a process with its id and start time runs. */
        boolean running() {
            if (!onThisHost()) {
                return true; // cannot tell: only the OS lock says it is free, which a shared file system may not
            }
            Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
            if (h.isEmpty()) {
                return false;
            }
            Optional<Instant> started = h.get().info().startInstant();
            return start == null || started.isEmpty()
                    || Duration.between(start, started.get()).abs().compareTo(START_SLACK) <= 0;
        }

        String describe() {
            return "process " + pid + (command.isEmpty() ? "" : " (" + command + ")")
                    + (onThisHost() ? "" : " on " + host) + (start == null ? "" : ", started " + start);
        }
    }

    private static String hostName() {
        return HOST;
    }

    /** This machine's name, read once; no name lookup (which can stall on a broken resolver). */
    private static String readHostName() {
        try {
            Path linux = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(linux)) {
                return Files.readString(linux).strip();
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the environment
        }
        for (String v : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String h = System.getenv(v);
            if (h != null && !h.isBlank()) {
                return h.strip();
            }
        }
        return "";
    }
}
