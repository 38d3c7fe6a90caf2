package org.wegeft.cli.perf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.Quantization;
import org.wegeft.llm.RopeScaling;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.MethodOptions;
import org.wegeft.peft.PeftModel;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.train.Classification;
import org.wegeft.vision.train.VitFineTuning;

/**
 * The benchmark models of {@code wegeft bench train} and {@code tools/bench/torch_ref.py}, randomly initialised,
 * with random data:
 * <ul>
 *   <li>{@code vit-ti16}, {@code vit-s16}, {@code vit-b16}: ViT/16 at 224 px (197 tokens), depth 12, width
 *       192/384/768, 3/6/12 heads; {@code vit-l16}: ViT-L/16, depth 24, width 1024, 16 heads. MLP ratio 4, 100
 *       classes; adapters on {@code qkv}, {@code proj}, {@code fc1}, {@code fc2} (WeGeFT: one pair per name tied
 *       across blocks); the head trains in every method.</li>
 *   <li>{@code llama-tiny}: vocabulary 32,000, width 512, 8 layers, 8 heads, MLP 1,376, untied embeddings.</li>
 *   <li>{@code llama-110m}: {@code bench llm-memory}'s LLaMA: vocabulary 32,000, width 768, 12 layers, 12 heads,
 *       MLP 2,048, tied embeddings; 109.5 M parameters.</li>
 *   <li>{@code llama-1b}: Llama-3.2-1B's shapes ({@link #llama32OneB()}): vocabulary 128,256, width 2,048, 16 layers,
 *       32 query and 8 key/value heads (grouped-query attention), MLP 8,192, lm_head tied to embed_tokens, rope
 *       theta 500,000 with Llama 3 scaling; 1.24 B parameters.</li>
 *   <li>{@code llama-8b}: Llama-3.1-8B's shapes ({@link #llama31EightB()}): vocabulary 128,256, width 4,096, 32
 *       layers, 32 query and 8 key/value heads, MLP 14,336, untied embeddings, rope theta 500,000 with Llama 3.1's
 *       scaling; 8.03 B parameters (16 GB in bf16: meant for quantized frozen weights).</li>
 *   <li>{@code qwen3-0.6b}: Qwen3-0.6B's shapes ({@link #qwen3ZeroSixB()}): vocabulary 151,936, width 1,024, 28
 *       layers, 16 query and 8 key/value heads of 128, per-head q/k norms, MLP 3,072, tied embeddings; 0.60 B
 *       parameters.</li>
 * </ul>
 * Language models: adapters on q, k, v, o, gate, up, down (WeGeFT: tied across layers per name); {@code probe}
 * trains lm_head (with tied embeddings, the shared table).
 * Adapters use rank r, alpha = r (scale 1), no dropout, so WeGeFT runs in its representation form.
 *
 * <p>The frozen pretrained weights (every Linear weight and the embedding table; not norms, biases, the ViT's
 * patch embedding or its new head) can be stored in BF16, as a Hugging Face bf16 checkpoint loads into this
 * library: see {@link #build(long, DType)}.
 */
enum BenchModel {
    VIT_TI16("vit-ti16", 192, 12, 3),
    VIT_S16("vit-s16", 384, 12, 6),
    VIT_B16("vit-b16", 768, 12, 12),
    VIT_L16("vit-l16", 1024, 24, 16),
    LLAMA_TINY("llama-tiny", 512, 8, 8),
    LLAMA_110M("llama-110m", 768, 12, 12),
    LLAMA_1B("llama-1b", 2048, 16, 32),
    LLAMA_8B("llama-8b", 4096, 32, 32),
    QWEN3_0_6B("qwen3-0.6b", 1024, 28, 16);

    static final int IMAGE = 224;
    static final int PATCH = 16;
    static final int CLASSES = 100;
    /** llama-tiny's vocabulary and MLP width. */
    static final int VOCAB = 32_000;
    static final int LLAMA_MLP = 1_376;
    static final List<String> VIT_TARGETS = List.of("qkv", "proj", "fc1", "fc2");
    static final List<String> LLAMA_TARGETS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private final String id;
    final int width;
    final int depth;
    final int heads;

    BenchModel(String id, int width, int depth, int heads) {
        this.id = id;
        this.width = width;
        this.depth = depth;
        this.heads = heads;
    }

    String id() {
        return id;
    }

    boolean isLlm() {
        return this == LLAMA_TINY || this == LLAMA_110M || this == LLAMA_1B || this == LLAMA_8B || this == QWEN3_0_6B;
    }

    /** Images or sequences per step when {@code --batch} is not given. */
    int defaultBatch() {
        return this == LLAMA_1B || this == LLAMA_8B || this == QWEN3_0_6B ? 1 : isLlm() ? 4 : 8;
    }

    /** Every model's id, for messages: "a, b or c". */
    static String ids() {
        List<String> ids = Arrays.stream(values()).map(BenchModel::id).toList();
        return String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.getLast();
    }

    static BenchModel parse(String flag, String s) {
        for (BenchModel m : values()) {
            if (m.id.equals(s.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException(flag + ": unknown model '" + s + "' (expected " + ids() + ")");
    }

    /** {@code --dtype}: how the frozen pretrained weights are stored, f32 or bf16. */
    static DType parseDtype(String flag, String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "f32" -> DType.F32;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException(flag + ": unknown dtype '" + s + "' (expected f32 or bf16)");
        };
    }

    /** A dtype as {@code --dtype} spells it. */
    static String dtypeName(DType d) {
        return d.name().toLowerCase(Locale.ROOT);
    }

    VitConfig vitConfig() {
        return VitConfig.of(IMAGE, PATCH, width, depth, heads, CLASSES);
    }

    DecoderConfig llamaConfig() {
        return switch (this) {
            case LLAMA_TINY -> DecoderConfig.tiny(VOCAB, width, LLAMA_MLP, depth, heads, heads);
            case LLAMA_110M -> DecoderConfig.tiny(VOCAB, width, 2_048, depth, heads, heads).withTieWordEmbeddings(true);
            case LLAMA_1B -> llama32OneB();
            case LLAMA_8B -> llama31EightB();
            case QWEN3_0_6B -> qwen3ZeroSixB();
            default -> throw new IllegalStateException(id + " is not a language model");
        };
    }

    /**
     * Llama-3.2-1B's {@code config.json}: grouped-query attention (32 query heads, 8 key/value heads of 64),
     * tied embeddings, rope theta 500,000 with Llama 3 scaling (factor 32, low/high frequency factors 1 and 4,
     * original context 8,192), RMS eps 1e-5, Llama 3's bos/eos ids.
     */
    static DecoderConfig llama32OneB() {
        return new DecoderConfig("llama", 128_256, 2_048, 8_192, 16, 32, 8, 64, 131_072, 1e-5, 500_000.0,
                RopeScaling.llama3(32, 1, 4, 8_192), true, false, false, "silu", List.of(128_000), List.of(128_001),
                null, "bfloat16", 0.02);
    }

    /**
     * Llama-3.1-8B's {@code config.json}: grouped-query attention (32 query heads, 8 key/value heads of 128), MLP
     * 14,336, untied lm_head, rope theta 500,000 with Llama 3.1's scaling (factor 8, low/high frequency factors 1
     * and 4, original context 8,192), RMS eps 1e-5, Llama 3's bos/eos ids.
     */
    static DecoderConfig llama31EightB() {
        return new DecoderConfig("llama", 128_256, 4_096, 14_336, 32, 32, 8, 128, 131_072, 1e-5, 500_000.0,
                RopeScaling.llama3(8, 1, 4, 8_192), false, false, false, "silu", List.of(128_000), List.of(128_001),
                null, "bfloat16", 0.02);
    }

    /**
     * Qwen3-0.6B's {@code config.json}: 16 query and 8 key/value heads of 128 (wider than hidden_size / heads =
     * 64), q_norm and k_norm on every head, MLP 3,072, tied embeddings, rope theta 1,000,000 unscaled, RMS eps 1e-6,
     * no sliding window, Qwen3's bos/eos ids; 596,049,920 parameters.
     */
    static DecoderConfig qwen3ZeroSixB() {
        return new DecoderConfig("qwen3", 151_936, 1_024, 3_072, 28, 16, 8, 128, 40_960, 1e-6, 1_000_000.0, null,
                true, false, false, "silu", List.of(151_643), List.of(151_645), null, "bfloat16", 0.02);
    }

    /** The vocabulary of a language model. */
    int vocab() {
        return llamaConfig().vocabSize();
    }

    /** The model of this benchmark in float32, seeded, without any method applied. */
    Module build(long seed) {
        return build(seed, DType.F32);
    }

    /**
     * The model of this benchmark, seeded, without any method applied, its frozen pretrained weights (every Linear
     * weight and the embedding table) stored in {@code weights}. With BF16 they are frozen BF16 tensors, as a
     * Hugging Face bf16 checkpoint loads: a language model draws them straight into BF16 a block at a time
     * ({@link CausalLM#CausalLM(DecoderConfig, long, DType)}; 2.5 GB for llama-1b, never 5 GB of
     * float32); a ViT converts its Linear weights one at a time after its own init, except the new head.
     */
    Module build(long seed, DType weights) {
        return build(seed, weights, null);
    }

    /**
     * {@link #build(long, DType)} with a language model's frozen weights quantized as they are drawn
     * ({@code quantization}, null for none; a ViT takes none).
     */
    Module build(long seed, DType weights, @Nullable Quantization quantization) {
        if (isLlm()) {
            return quantization == null ? new CausalLM(llamaConfig(), seed, weights)
                    : new CausalLM(llamaConfig(), seed, weights, quantization);
        }
        if (quantization != null) {
            throw new IllegalArgumentException("--quantize applies to language models, not " + id());
        }
        VisionTransformer vit = new VisionTransformer(vitConfig(), seed);
        FrozenWeights.convert(vit, weights, path -> !path.equals("head"));
        return vit;
    }

    /** Applies {@code method} at {@code rank} to {@code model} (built by {@link #build}), without adapter dropout. */
    PeftModel apply(Module model, FineTuningMethod method, int rank, long seed) {
        return apply(model, method, rank, 0f, seed);
    }

    /**
     * Applies {@code method} at {@code rank} to {@code model} (alpha = rank; WeGeFT one pair per target name tied
     * across layers); a language model's adapters get {@code dropout} (WeGeFT's on W inside the generator, LoRA's on
     * the input), a ViT's none.
     */
    PeftModel apply(Module model, FineTuningMethod method, int rank, float dropout, long seed) {
        // weights that train must be float32: full fine-tuning widens every bf16 weight (as `llm train --method
        // full` does with a bf16 checkpoint), a probe's or BitFit's lm_head its own (a ViT's head is float32 already)
        if (method.trainsAllWeights()) {
            FrozenWeights.convert(model, DType.F32, path -> true);
        } else if (!method.writesAdapter() && isLlm()) {
            FrozenWeights.convert(model, DType.F32, path -> path.equals("lm_head"));
        }
        if (!isLlm()) {
            return VitFineTuning.apply(method, (VisionTransformer) model, rank, VIT_TARGETS, seed);
        }
        return method.apply(model, new MethodOptions(rank, (double) rank, (double) dropout, LLAMA_TARGETS, true,
                List.of(), List.of("lm_head")), seed);
    }

    /** The analytic FLOPs of one training step. */
    TrainFlops flops(FineTuningMethod method, int rank, int batch, int seq) {
        if (!isLlm()) {
            return TrainFlops.vit(method, rank, batch, IMAGE, PATCH, width, depth, CLASSES);
        }
        DecoderConfig c = llamaConfig();
        return TrainFlops.llama(method, rank, batch, seq, c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.intermediateSize());
    }

    /** A benchmark's data and loss. */
    record Workload<B>(BatchSource<B> source, StepFunction<B> loss) {}

    /** {@code distinct} random batches, cycled: images uniform in [-1, 1] with labels, or uniform token ids. */
    Workload<?> workload(int batch, int seq, int distinct, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        if (isLlm()) {
            int vocab = vocab();
            List<Example> rows = new ArrayList<>();
            for (int b = 0; b < batch * distinct; b++) {
                int[] ids = new int[seq];
                for (int i = 0; i < seq; i++) {
                    ids[i] = rng.nextInt(vocab);
                }
                rows.add(Example.of(ids));
            }
            StepFunction<LmBatch> loss = CausalLmTraining.objective();
            return new Workload<>(new LmBatchSource(rows, batch, 0, false), loss);
        }
        List<ImageBatch> batches = new ArrayList<>();
        for (int d = 0; d < distinct; d++) {
            float[] px = new float[batch * 3 * IMAGE * IMAGE];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) {
                y[i] = rng.nextInt(CLASSES);
            }
            batches.add(new ImageBatch(px, y, batch, IMAGE, IMAGE));
        }
        BatchSource<ImageBatch> source = new BatchSource<>() {
            @Override
            public Iterator<ImageBatch> epoch(int epoch, long s) {
                return batches.iterator();
            }

            @Override
            public long batchesPerEpoch() {
                return batches.size();
            }

            @Override
            public long samples(ImageBatch b) {
                return b.batchSize();
            }
        };
        return new Workload<>(source, Classification.loss(0f));
    }
}
