package org.wegeft.kernels.io;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The names of in-flight writes and the clean-up of those whose writer died. A file or folder {@code NAME} is
 * written as {@code .NAME.wegeft-tmp-<pid>-<random>} and renamed into place; a folder being replaced is parked as
 * {@code .NAME.wegeft-old-<pid>-<random>} for the moment of the swap. A process killed mid-write leaves such an
 * entry behind; the next write into the same folder ({@link #sweep}) removes it once no process with that id is
 * running (a running writer's entries are never touched), and says so in one log line. A parked folder whose
 * replacement never arrived is renamed back to {@code NAME} instead, so nothing is lost.
 *
 * <p>Process ids are those of this machine: two machines writing into one shared folder are not told apart.
 */
public final class Leftovers {
    private static final System.Logger LOG = System.getLogger(Leftovers.class.getName());
    private static final Pattern NAME = Pattern.compile("\\.(.+)\\.wegeft-(tmp|old)-(\\d{1,19})-[0-9a-f]{1,16}");
    private static final long PID = ProcessHandle.current().pid();

    private Leftovers() {
    }

    /** A fresh temporary name beside {@code target} for this process: {@code .NAME.wegeft-tmp-<pid>-<random>}. */
    public static Path temporary(Path target) {
        return sibling(target, "tmp");
    }

    /** A fresh name beside {@code target} to park the folder it replaces: {@code .NAME.wegeft-old-<pid>-<random>}. */
    static Path parked(Path target) {
        return sibling(target, "old");
    }

    private static Path sibling(Path target, String kind) {
        Path abs = target.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + ".wegeft-" + kind + "-" + PID + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
    }

    /** Whether {@code fileName} is the temporary or parked name of a write (by any process). */
    public static boolean isLeftoverName(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    /**
     * Removes the leftovers in {@code folder} of writers that are no longer running, restoring a parked folder whose
     * replacement is missing, and logs one line per entry. Best effort: an entry that cannot be removed is logged
     * and left; nothing here fails the write that asked.
     * @return the leftover entries found and handled
     */
    public static List<Path> sweep(Path folder) {
        List<Path> entries;
        try (Stream<Path> s = Files.list(folder)) {
            entries = s.filter(p -> isLeftoverName(p.getFileName().toString())).toList();
        } catch (IOException e) {
            return List.of(); // a folder that cannot be listed is reported by the write itself
        }
        List<Path> handled = new ArrayList<>();
        for (Path p : entries) {
            Matcher m = NAME.matcher(p.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(m.group(3));
            } catch (NumberFormatException e) {
                continue;
            }
            if (isRunning(pid)) {
                continue;
            }
            Path target = p.resolveSibling(m.group(1));
            try {
                if (m.group(2).equals("old") && !Files.exists(target)) {
                    Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                    LOG.log(Level.INFO, "restored " + target + " from " + p.getFileName()
                            + ", parked by process " + pid + " which stopped before replacing it");
                } else {
                    long bytes = deleteTree(p);
                    LOG.log(Level.INFO, "removed " + p + " (" + DiskSpace.human(bytes)
                            + "), left by process " + pid + " which is no longer running");
                }
                handled.add(p);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not remove " + p + ", left by process " + pid + ": " + e.getMessage());
            }
        }
        return handled;
    }

    /** Whether a process with this id runs on this machine (this process included). */
    static boolean isRunning(long pid) {
        return pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Deletes a file or a folder tree; entries that vanish meanwhile are skipped.
     * @return the bytes of the regular files deleted
     */
    public static long deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(p)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return 0;
        }
        long bytes = 0;
        for (Path q : all) {
            bytes += sizeOrZero(q);
            Files.deleteIfExists(q);
        }
        return bytes;
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Deletes quietly: for clean-up after a failure, whose own error matters more. */
    static void deleteQuietly(@Nullable Path p) {
        if (p == null) {
            return;
        }
        try {
            deleteTree(p);
        } catch (IOException | RuntimeException ignored) {
            // best effort: the failure being reported matters more
        }
    }
}
