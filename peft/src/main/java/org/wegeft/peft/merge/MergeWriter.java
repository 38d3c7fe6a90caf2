package org.wegeft.peft.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.DiskSpace;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.peft.AdapterTarget;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.SafetensorsStreamWriter;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/**
 * Writes a validated {@link MergePlan}: each shard of the model is streamed tensor by tensor into a shard of the
 * same name (targets as W + ΔW rounded back to their dtype, adapter-replaced tensors from the adapter, the rest
 * copied byte for byte), the index and every other file are copied, all inside a temporary sibling folder that is
 * renamed to the output folder at the end ({@link AtomicFiles#writeFolder}). Before anything is written the output
 * folder is locked against a second writer ({@link OutputLock}), the leftovers of merges that were killed are
 * removed, and the bytes to write are checked against the free space ({@link DiskSpace}). Peak memory: one target
 * weight in float32 and its ΔW (plus the adapter's own tensors, which are small).
 *
 * <pre>
 *   .merged.wegeft-lock
 *   .merged.wegeft-tmp-4242-1a2b/  model-00001-of-00002.safetensors, …, index, config.json, …   →   rename → merged/
 * </pre>
 */
public final class MergeWriter {
    /** What was written. */
    public record Summary(int targets, int replaced, int copied, int shards, int otherFiles, long bytes) {
    }

    /** Told of each shard once it is written. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param index   1-based shard number
         * @param shards  shard count
         * @param name    the shard's file name
         * @param tensors tensors in the shard
         * @param merged  targets merged into it
         * @param bytes   bytes written
         */
        void shardWritten(int index, int shards, String name, int tensors, int merged, long bytes);
    }

    private final MergePlan plan;
    private final Progress progress;
    private final DiskSpace.Probe freeSpace;
    private final Map<String, Tensor> adapterTensors = new HashMap<>();

    public MergeWriter(MergePlan plan, Progress progress) {
        this(plan, progress, DiskSpace.FILE_STORE);
    }

    /** A writer that reads the free space from {@code freeSpace} (tests give a fixed figure). */
    public MergeWriter(MergePlan plan, Progress progress, DiskSpace.Probe freeSpace) {
        this.plan = plan;
        this.progress = progress;
        this.freeSpace = freeSpace;
    }

    /**
     * Writes everything, then renames the temporary folder to {@code plan.out}.
     * @throws org.wegeft.kernels.io.OutputInUseException when another running process writes the same folder
     * @throws org.wegeft.kernels.io.NotEnoughSpaceException before writing anything, when the merged model does not
     *         fit the free space
     */
    public Summary write() throws IOException {
        try (OutputLock lock = OutputLock.acquire(plan.out, "merge")) {
            plan.checkOut(); // again, now that no other writer can fill it
            DiskSpace.require(plan.out.getParent(), bytesToWrite(), "the merged model", freeSpace);
            Summary[] s = new Summary[1];
            AtomicFiles.writeFolder(plan.out, tmp -> s[0] = writeInto(tmp));
            return s[0];
        } finally {
            adapterTensors.values().forEach(Tensor::close);
        }
    }

    /** The bytes the merge writes: every shard (its tensors in the output dtype, its header) and every other file. */
    long bytesToWrite() throws IOException {
        long bytes = 0;
        for (SafetensorsFile in : plan.checkpoint.shards()) {
            long data = 0;
            for (TensorInfo t : in.tensors()) {
                String dtype = plan.outDtype(t.dtype());
                bytes += dtype.equals(t.dtype()) ? t.bytes() : t.elements() * dtypeOf(t.name(), dtype).byteSize();
                data += t.bytes();
            }
            bytes += Math.max(0, Files.size(in.path()) - data); // the header, about the input's
        }
        for (Path rel : plan.otherFiles) {
            bytes += Files.size(plan.model.resolve(rel));
        }
        return bytes + (plan.index != null ? Files.size(plan.index) : 0);
    }

    private Summary writeInto(Path dir) throws IOException {
        int targets = 0;
        int replaced = 0;
        int copied = 0;
        long bytes = 0;
        List<SafetensorsFile> shards = plan.checkpoint.shards().stream() // model-00001-of-…, model-00002-of-…
                .sorted(Comparator.comparing(f -> f.path().getFileName().toString())).toList();
        Map<String, Long> outBytes = new HashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            SafetensorsFile in = shards.get(i);
            String name = in.path().getFileName().toString();
            List<TensorInfo> layout = in.tensors().stream().map(t -> new TensorInfo(t.name(),
                    plan.outDtype(t.dtype()), t.shape(), t.begin(), t.end())).toList();
            int shardTargets = 0;
            // no autograd here: wrapped file tensors do not require grad and Merger works under Grad.disabled()
            try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(dir.resolve(name), in.metadata(), layout)) {
                for (TensorInfo t : w.dataOrder()) {
                    String src = plan.replaced.get(t.name());
                    if (plan.isTarget(t.name())) {
                        writeMerged(w, in, t);
                        shardTargets++;
                    } else if (plan.isTargetBias(t.name()) && writeMergedBias(w, in, t)) {
                        // the target's bias, changed by merging: counted with its weight
                    } else if (src != null) {
                        writeConverted(w, t, plan.adapterFile, src);
                        replaced++;
                    } else if (t.dtype().equals(in.info(t.name()).dtype())) {
                        w.copy(t.name(), in, t.name());
                        copied++;
                    } else {
                        writeConverted(w, t, in, t.name());
                        copied++;
                    }
                    outBytes.put(t.name(), t.bytes());
                }
                w.commit();
                bytes += w.bytesWritten();
                progress.shardWritten(i + 1, shards.size(), name, layout.size(), shardTargets, w.bytesWritten());
            }
            targets += shardTargets;
        }
        checkAllMerged(plan.merger.plan().targets(), targets);
        if (plan.index != null) {
            writeIndex(plan.index, dir.resolve(plan.index.getFileName()), outBytes);
        }
        for (Path rel : plan.otherFiles) {
            Path dst = dir.resolve(rel.toString());
            Files.createDirectories(dst.getParent());
            Files.copy(plan.model.resolve(rel), dst, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return new Summary(targets, replaced, copied, shards.size(), plan.otherFiles.size(), bytes);
    }

    /** W + ΔW in float32, converted back to the output dtype (round to nearest even). */
    private void writeMerged(SafetensorsStreamWriter w, SafetensorsFile in, TensorInfo t) throws IOException {
        String path = t.name().substring(0, t.name().length() - ".weight".length());
        try (var s = in.storage(t.name()); Tensor wt = Tensor.wrap(s, t.shape());
                Tensor merged = plan.merger.merged(path, wt, this::adapterTensor)) { // merged: (d_out, d_in) F32
            writeAs(w, t, merged);
        }
    }

    /** Writes a target's bias as merging changes it and returns true, or writes nothing and returns false. */
    private boolean writeMergedBias(SafetensorsStreamWriter w, SafetensorsFile in, TensorInfo t) throws IOException {
        String path = t.name().substring(0, t.name().length() - ".bias".length());
        try (var s = in.storage(t.name()); Tensor b = Tensor.wrap(s, t.shape());
                Tensor merged = plan.merger.mergedBias(path, b, this::adapterTensor)) {
            if (merged == null) {
                return false;
            }
            writeAs(w, t, merged);
            return true;
        }
    }

    /** A tensor of {@code src} converted to {@code t}'s dtype. */
    private void writeConverted(SafetensorsStreamWriter w, TensorInfo t, SafetensorsFile src, String key)
            throws IOException {
        try (var s = src.storage(key); Tensor x = Tensor.wrap(s, t.shape())) {
            writeAs(w, t, x);
        }
    }

    private static void writeAs(SafetensorsStreamWriter w, TensorInfo t, Tensor x) throws IOException {
        try (Tensor y = x.to(dtypeOf(t.name(), t.dtype()))) {
            w.write(t.name(), y);
        }
    }

    /** The floating-point dtype a tensor is converted to. */
    private static DType dtypeOf(String name, String safetensorsDtype) {
        return switch (safetensorsDtype) {
            case "F32" -> DType.F32;
            case "BF16" -> DType.BF16;
            case "F16" -> DType.F16;
            default -> throw new IllegalStateException(name + ": cannot convert to " + safetensorsDtype);
        };
    }

    /** An adapter tensor in float32, read once (adapter tensors are small). */
    private Tensor adapterTensor(String key) {
        return adapterTensors.computeIfAbsent(key, k -> {
            TensorInfo info = plan.adapterFile.info(k);
            try (var s = plan.adapterFile.storage(k); Tensor raw = Tensor.wrap(s, info.shape())) {
                return raw.to(DType.F32);
            }
        });
    }

    /** The index with the same weight_map; {@code metadata.total_size} updated when dtypes changed. */
    private void writeIndex(Path src, Path dst, Map<String, Long> outBytes) throws IOException {
        if (plan.outDtype == null) {
            Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        JsonMapper json = new JsonMapper();
        JsonNode root = json.readTree(src.toFile());
        if (root.get("metadata") instanceof ObjectNode meta && meta.has("total_size")) {
            meta.put("total_size", outBytes.values().stream().mapToLong(Long::longValue).sum());
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dst.toFile(), root);
    }

    /** Every planned target must have been merged exactly once (a tensor name in two shards would break this). */
    static void checkAllMerged(List<AdapterTarget> targets, int merged) {
        if (merged != targets.size()) {
            throw new IllegalStateException("merged " + merged + " of " + targets.size() + " targets");
        }
    }
}
