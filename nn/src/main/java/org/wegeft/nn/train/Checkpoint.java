package org.wegeft.nn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.DiskSpace;
import org.wegeft.kernels.io.NotEnoughSpaceException;
import org.wegeft.tensor.SafetensorsException;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/**
 * A training checkpoint folder: {@code trainable.safetensors} (trainable parameters by name),
 * {@code optimizer.safetensors} (optimizer state by parameter name; scalars such as per-parameter step counts
 * in its metadata), {@code trainer_state.json} and, written last, {@code manifest.json} (each file's size and
 * CRC32C: {@link CheckpointManifest}). Written atomically: everything goes to a hidden temporary sibling folder that
 * is renamed into place only when complete, so a failure never leaves a partial folder; the manifest catches what
 * happens to the files afterwards (a truncated copy, a bad disk). {@link #latestValid} is what resuming uses: the
 * newest checkpoint that {@link #verify verifies}, skipping damaged ones with a warning.
 */
public final class Checkpoint {
    public static final String TRAINABLE = "trainable.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "trainer_state.json";
    private static final List<String> FILES = List.of(TRAINABLE, OPTIMIZER, STATE);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoint() {
    }

    /**
     * Writes the folder {@code dir} atomically (replacing an existing one) through {@link AtomicFiles#writeFolder}:
     * the files go to a hidden temporary sibling, are forced to disk, and the folder is renamed into place. A process
     * killed at any moment leaves either the old folder or the new one complete, plus at worst a hidden temporary
     * folder that {@link #latest} never returns and the next write into the same place removes. The free space is
     * checked first against the bytes of the tensors to write.
     * @throws org.wegeft.kernels.io.NotEnoughSpaceException naming the folder, the bytes needed and those free
     */
    public static void write(Path dir, Map<String, Tensor> trainable, OptimizerState optimizer, TrainerState state) {
        try {
            long bytes = Stream.concat(trainable.values().stream(), optimizer.tensors().values().stream())
                    .mapToLong(t -> t.numel() * t.dtype().byteSize()).sum();
            DiskSpace.require(dir.toAbsolutePath().getParent(), bytes, "checkpoint " + dir.getFileName());
            AtomicFiles.writeFolder(dir, tmp -> {
                writeTensors(tmp.resolve(TRAINABLE), trainable, Map.of());
                WRITE_HOOK.run();
                writeTensors(tmp.resolve(OPTIMIZER), optimizer.tensors(), optimizer.scalars());
                AtomicFiles.write(tmp.resolve(STATE), AtomicFiles.bytes(JSON.writeValueAsBytes(state)));
                CheckpointManifest.write(tmp, FILES);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint " + dir + " failed: " + e.getMessage(), e);
        } catch (NotEnoughSpaceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException("writing checkpoint " + dir + " failed: " + e.getMessage(), e);
        }
    }

    /** Called between the files of a checkpoint write; tests replace it to pause or kill a writer mid-way. */
    static volatile Runnable WRITE_HOOK = () -> { };

    /**
     * The complete checkpoint folder {@code checkpoint-<step>} of {@code outputDir} with the highest step, if
     * any. Hidden temporary folders of interrupted writes are never returned.
     */
    public static Optional<Path> latest(Path outputDir) {
        if (!Files.isDirectory(outputDir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(outputDir)) {
            return s.filter(p -> CHECKPOINT_NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)) && Files.isRegularFile(p.resolve(TRAINABLE))
                            && Files.isRegularFile(p.resolve(OPTIMIZER)))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(11))));
        } catch (IOException e) {
            throw new UncheckedIOException("listing checkpoints in " + outputDir + " failed", e);
        }
    }

    /**
     * The newest checkpoint folder of {@code outputDir} that {@link #verify verifies}; each newer one that does not is
     * skipped with a warning naming it and the reason, passed to {@code warnings}.
     */
    public static Optional<Path> latestValid(Path outputDir, Consumer<String> warnings) {
        for (Path ck : candidates(outputDir)) {
            try {
                verify(ck);
                return Optional.of(ck);
            } catch (CheckpointCorruptException e) {
                warnings.accept("skipping damaged checkpoint " + ck + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Every complete-looking checkpoint folder of {@code outputDir}, newest first. */
    private static List<Path> candidates(Path outputDir) {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(outputDir)) {
            return s.filter(p -> CHECKPOINT_NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparingLong((Path p) -> Long.parseLong(p.getFileName().toString()
                            .substring(11))).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing checkpoints in " + outputDir + " failed", e);
        }
    }

    /**
     * Checks a checkpoint folder without loading it: with a manifest, every file's size and CRC32C; without one
     * (a checkpoint written before manifests existed) that the three files are present. In both cases the
     * safetensors headers must parse with every tensor inside its file, and the trainer state must parse.
     * @return whether the folder had a manifest
     * @throws CheckpointCorruptException naming the file at fault and why
     */
    public static boolean verify(Path dir) {
        boolean manifest = Files.isRegularFile(dir.resolve(CheckpointManifest.FILE));
        if (manifest) {
            CheckpointManifest.verify(dir, FILES);
        } else {
            for (String f : FILES) {
                if (!Files.isRegularFile(dir.resolve(f))) {
                    throw new CheckpointCorruptException(dir.resolve(f), "is missing");
                }
            }
        }
        for (String f : List.of(TRAINABLE, OPTIMIZER)) {
            try (SafetensorsFile sf = SafetensorsFile.open(dir.resolve(f))) {
                sf.tensors();
            } catch (SafetensorsException e) {
                throw new CheckpointCorruptException(dir.resolve(f), "is damaged: " + e.getMessage(), e);
            }
        }
        try {
            readState(dir);
        } catch (UncheckedIOException e) {
            throw new CheckpointCorruptException(dir.resolve(STATE), "does not parse: "
                    + e.getCause().getMessage().lines().findFirst().orElse(""), e);
        }
        return manifest;
    }

    private static final Pattern CHECKPOINT_NAME = Pattern.compile("checkpoint-\\d{1,18}");

    private static void writeTensors(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter.save(file, tensors, metadata);
    }

    /** The trainer state of a checkpoint folder. */
    public static TrainerState readState(Path dir) {
        try {
            return JSON.readValue(dir.resolve(STATE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir.resolve(STATE) + " failed", e);
        }
    }

    /**
     * Copies {@code trainable.safetensors} into {@code targets} (by name); every target must be in the file
     * with its shape and every file entry must have a target.
     */
    public static void loadTrainable(Path dir, Map<String, Tensor> targets) {
        Map<String, Tensor> loaded = readTensors(dir.resolve(TRAINABLE));
        try (var g = org.wegeft.tensor.Grad.disabled()) {
            for (var e : targets.entrySet()) {
                Tensor src = loaded.get(e.getKey());
                if (src == null) {
                    throw new IllegalArgumentException(dir.resolve(TRAINABLE) + ": missing tensor '" + e.getKey() + "'");
                }
                e.getValue().copyFrom(src);
            }
            for (String k : loaded.keySet()) {
                if (!targets.containsKey(k)) {
                    throw new IllegalArgumentException(dir.resolve(TRAINABLE) + ": unexpected tensor '" + k + "'");
                }
            }
        } finally {
            loaded.values().forEach(Tensor::close);
        }
    }

    /** The optimizer state of a checkpoint; its tensors are pooled F32 copies the caller closes. */
    public static OptimizerState readOptimizer(Path dir) {
        Path file = dir.resolve(OPTIMIZER);
        Map<String, String> scalars = new HashMap<>();
        try (SafetensorsFile sf = SafetensorsFile.open(file)) {
            sf.metadata().forEach((k, v) -> {
                if (!k.equals("format")) {
                    scalars.put(k, v);
                }
            });
        }
        return new OptimizerState(readTensors(file), scalars);
    }

    /** Every tensor of a file as a pooled F32 copy (the mapping is released before returning). */
    private static Map<String, Tensor> readTensors(Path file) {
        Map<String, Tensor> out = new HashMap<>();
        try (SafetensorsFile sf = SafetensorsFile.open(file)) {
            for (TensorInfo info : sf.tensors()) {
                try (Storage s = sf.storage(info.name()); Tensor mapped = Tensor.wrap(s, info.shape())) {
                    out.put(info.name(), Tensor.zeros(info.shape()).copyFrom(mapped));
                }
            }
        }
        return out;
    }
}
