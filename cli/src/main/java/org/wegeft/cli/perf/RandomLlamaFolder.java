package org.wegeft.cli.perf;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.DiskSpace;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.tensor.SafetensorsStreamWriter;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/**
 * Writes a Hugging Face {@code CausalLM} model folder with random weights, so that real-size benchmarks can
 * run through the user's own commands ({@code wegeft llm train}, {@code llm generate}):
 *
 * <pre>
 *   config.json                                   the config, torch_dtype set to the weights' dtype
 *   model-00001-of-0000N.safetensors, …           tensors under Hugging Face names, in build order
 *   model.safetensors.index.json                  weight_map and total_size ({@code model.safetensors} if N = 1)
 *   tokenizer.json, tokenizer_config.json, …      copied from a tokenizer folder, when given
 * </pre>
 *
 * Weights are Hugging Face's fresh init, N(0, initializer_range²), norms 1, drawn exactly as
 * {@code new CausalLM(config, seed, dtype)} draws them, so the folder loads to the model {@code bench train
 * --dtype bf16 --seed S} trains. A tied lm_head is not stored. One tensor exists in memory at a time (the largest,
 * the embedding table: 0.5 GB in bf16 for Llama 3's vocabulary), each drawn in float32 a block of rows at a time.
 * Everything is written into a temporary sibling folder that is renamed into place at the end, so a failure never
 * leaves a half-written model.
 */
final class RandomLlamaFolder {
    /** Elements drawn in float32 at a time (the same block as the model's own half-precision init). */
    private static final long BLOCK = 1L << 22;

    private RandomLlamaFolder() {
    }

    /**
     * What was written.
     * @param files      the folder's files, in the order written
     * @param parameters the parameters stored (a tied lm_head not counted twice)
     * @param bytes      the tensor bytes stored
     */
    record Written(Path folder, List<String> files, long parameters, long bytes) {}

    /**
     * The tensors of the folder in build order (the order the random generator is consumed in), with sequential
     * byte ranges; norms are ones, everything else N(0, initializer_range²).
     * @throws IllegalArgumentException for a config with biases, which the benchmark shapes do not have, or of
     *                                  another family than llama
     */
    static List<TensorInfo> tensors(DecoderConfig c, DType dtype) {
        if (!c.modelType().equals("llama")) {    // e.g. qwen3's q_norm/k_norm are not in the list below
            throw new IllegalArgumentException("random model folders have the LLaMA layout; --model is a "
                    + c.modelType() + " model");
        }
        if (c.attentionBias() || c.mlpBias()) {
            throw new IllegalArgumentException("random model folders have no biases; the config asks for some");
        }
        long h = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        long m = c.intermediateSize();
        List<long[]> shapes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        add(names, shapes, "model.embed_tokens.weight", c.vocabSize(), h);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            add(names, shapes, p + "self_attn.q_proj.weight", q, h);
            add(names, shapes, p + "self_attn.k_proj.weight", kv, h);
            add(names, shapes, p + "self_attn.v_proj.weight", kv, h);
            add(names, shapes, p + "self_attn.o_proj.weight", h, q);
            add(names, shapes, p + "mlp.gate_proj.weight", m, h);
            add(names, shapes, p + "mlp.up_proj.weight", m, h);
            add(names, shapes, p + "mlp.down_proj.weight", h, m);
            add(names, shapes, p + "input_layernorm.weight", h);
            add(names, shapes, p + "post_attention_layernorm.weight", h);
        }
        add(names, shapes, "model.norm.weight", h);
        if (!c.tieWordEmbeddings()) {
            add(names, shapes, "lm_head.weight", c.vocabSize(), h);
        }
        List<TensorInfo> out = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            long n = 1;
            for (long d : shapes.get(i)) {
                n *= d;
            }
            long bytes = n * dtype.byteSize();
            out.add(new TensorInfo(names.get(i), dtype.safetensorsName(), shapes.get(i), offset, offset + bytes));
            offset += bytes;
        }
        return out;
    }

    private static void add(List<String> names, List<long[]> shapes, String name, long... shape) {
        names.add(name);
        shapes.add(shape);
    }

    /**
     * Writes the folder {@code out} (which must not exist, or be an empty folder).
     * @param config        the model; its torch_dtype is set from {@code dtype}
     * @param dtype         F32 or BF16
     * @param shards        safetensors files to spread the tensors over, at least 1
     * @param tokenizerFrom a folder whose tokenizer files are copied, or null
     * @throws IllegalArgumentException naming the flag for a bad out folder, shard count or tokenizer folder
     */
    static Written write(DecoderConfig config, DType dtype, int shards, long seed, @Nullable Path tokenizerFrom,
            Path out) throws IOException {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("--dtype: expected f32 or bf16, got " + dtype);
        }
        List<TensorInfo> tensors = tensors(config, dtype);
        if (shards < 1 || shards > tensors.size()) {
            throw new IllegalArgumentException("--shards must be between 1 and the model's " + tensors.size()
                    + " tensors, got " + shards);
        }
        List<Path> tokenizer = tokenizerFiles(tokenizerFrom);
        Path abs = out.toAbsolutePath().normalize();
        try (OutputLock lock = OutputLock.acquire(abs, "bench make-model")) {
            checkOut(abs);
            long bytes = tensors.stream().mapToLong(TensorInfo::bytes).sum();
            DiskSpace.require(abs.getParent(), bytes, "the random model");
            List<String> files = new ArrayList<>();
            AtomicFiles.writeFolder(abs, tmp -> {
                SplittableRandom rng = new SplittableRandom(seed);
                float std = (float) config.initializerRange();
                List<List<TensorInfo>> groups = split(tensors, shards);
                ObjectNode weightMap = JsonMapper.builder().build().createObjectNode();
                for (int s = 0; s < groups.size(); s++) {
                    String name = shards == 1 ? ShardedSafetensors.SINGLE
                            : String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
                    writeShard(tmp.resolve(name), groups.get(s), dtype, rng, std);
                    groups.get(s).forEach(t -> weightMap.put(t.name(), name));
                    files.add(name);
                }
                if (shards > 1) {
                    writeIndex(tmp.resolve(ShardedSafetensors.INDEX), weightMap, bytes);
                    files.add(ShardedSafetensors.INDEX);
                }
                config.withTorchDtype(dtype == DType.BF16 ? "bfloat16" : "float32").write(tmp.resolve("config.json"));
                files.add("config.json");
                for (Path f : tokenizer) {
                    Files.copy(f, tmp.resolve(f.getFileName().toString()));
                    files.add(f.getFileName().toString());
                }
            });
            long parameters = tensors.stream().mapToLong(TensorInfo::elements).sum();
            return new Written(abs, files, parameters, bytes);
        }
    }

    /** Shards of consecutive tensors, each about total/N bytes and none empty. */
    static List<List<TensorInfo>> split(List<TensorInfo> tensors, int shards) {
        long total = tensors.stream().mapToLong(TensorInfo::bytes).sum();
        List<List<TensorInfo>> out = new ArrayList<>();
        int next = 0;
        long cumulative = 0;
        for (int s = 0; s < shards; s++) {
            List<TensorInfo> group = new ArrayList<>();
            int leave = shards - s - 1;                             // one tensor at least for each later shard
            double end = (double) total * (s + 1) / shards;
            while (next < tensors.size() - leave
                    && (group.isEmpty() || s == shards - 1 || cumulative + tensors.get(next).bytes() <= end)) {
                cumulative += tensors.get(next).bytes();
                group.add(tensors.get(next++));
            }
            out.add(group);
        }
        return out;
    }

    private static void writeShard(Path file, List<TensorInfo> group, DType dtype, SplittableRandom rng, float std)
            throws IOException {
        try (SafetensorsStreamWriter w = SafetensorsStreamWriter.create(file, Map.of("format", "pt"), group)) {
            for (TensorInfo t : group) {
                try (Tensor x = t.shape().length == 1 ? ones(dtype, t.shape()) : normal(rng, std, dtype, t.shape())) {
                    w.write(t.name(), x);
                }
            }
            w.commit();
        }
    }

    private static Tensor ones(DType dtype, long[] shape) {
        try (Tensor one = Tensor.ones(shape)) {
            return one.to(dtype);
        }
    }

    /** N(0, std²) drawn as the model's own init: float32 blocks of rows, scaled, rounded into {@code dtype}. */
    private static Tensor normal(SplittableRandom rng, float std, DType dtype, long[] shape) {
        Tensor out = Tensor.zeros(dtype, shape);
        long rows = Math.max(1, BLOCK / shape[1]);
        for (long r = 0; r < shape[0]; r += rows) {
            long n = Math.min(rows, shape[0] - r);
            try (Tensor g = Tensor.randn(rng, n, shape[1]); Tensor f = g.mul(std); Tensor dst = out.narrow(0, r, n)) {
                dst.copyFrom(f);
            }
        }
        return out;
    }

    private static void writeIndex(Path file, ObjectNode weightMap, long bytes) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", bytes);
        index.set("weight_map", weightMap);
        AtomicFiles.write(file, AtomicFiles.bytes(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(index)));
    }

    /** The tokenizer files present in {@code dir}; none asked for when {@code dir} is null. */
    private static List<Path> tokenizerFiles(@Nullable Path dir) {
        if (dir == null) {
            return List.of();
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--tokenizer-from " + dir + ": not a folder");
        }
        List<Path> found = HfTokenizer.FILES.stream().map(dir::resolve).filter(Files::isRegularFile).toList();
        if (found.isEmpty()) {
            throw new IllegalArgumentException("--tokenizer-from " + dir + ": holds none of "
                    + String.join(", ", HfTokenizer.FILES));
        }
        return found;
    }

    private static void checkOut(Path out) {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + ": exists and is not a folder");
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException("--out " + out + ": exists and is not empty");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--out " + out + ": cannot list: " + e.getMessage(), e);
        }
    }
}
