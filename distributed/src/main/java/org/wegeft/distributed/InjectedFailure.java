package org.wegeft.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A test hook: replica {@code rank} fails when it reaches optimizer step {@code step} (0-based) on the first attempt
 * of the run. It either throws {@link InjectedFailureException}, as a crashed task would fail ({@code holdMarker}
 * null), or writes its process id to the file {@code holdMarker} and waits there for the test to kill its
 * process (a lost executor, at a known step), throwing after {@link #HOLD_LIMIT} if nobody does.
 */
public record InjectedFailure(int rank, long step, @Nullable String holdMarker) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How long a holding replica waits to be killed before it fails by itself. */
    public static final Duration HOLD_LIMIT = Duration.ofMinutes(5);

    public InjectedFailure {
        if (rank < 0 || step < 0) {
            throw new IllegalArgumentException("InjectedFailure: rank " + rank + ", step " + step);
        }
    }

    /** Replica {@code rank} throws at {@code step}. */
    public InjectedFailure(int rank, long step) {
        this(rank, step, null);
    }

    /** Replica {@code rank} writes its process id to {@code marker} at {@code step} and waits to be killed. */
    public static InjectedFailure holdAt(int rank, long step, Path marker) {
        return new InjectedFailure(rank, step, marker.toAbsolutePath().toString());
    }

    /** Fails the calling replica: throws, or announces its process and waits (see the class comment). */
    void strike() {
        if (holdMarker != null) {
            Path marker = Path.of(holdMarker);
            try {
                Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
                Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
                Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
                Thread.sleep(HOLD_LIMIT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new InjectedFailureException(rank, step);
    }

    /** Thrown by the replica that fails on purpose. */
    public static final class InjectedFailureException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InjectedFailureException(int rank, long step) {
            super("injected failure of replica " + rank + " at step " + step);
        }
    }
}
