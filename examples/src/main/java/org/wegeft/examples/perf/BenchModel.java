package org.wegeft.examples.perf;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.wegeft.examples.llmdemo.DemoTraining;
import org.wegeft.llm.LlamaConfig;
import org.wegeft.llm.LlamaForCausalLM;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.peft.Baseline;
import org.wegeft.peft.LoraConfig;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.WeGeFTConfig;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;
import org.wegeft.vision.data.ImageBatch;
import org.wegeft.vision.train.Classification;
import org.wegeft.vision.train.FineTuneMethod;

/**
 * The benchmark models of {@code wegeft bench train} and {@code tools/bench/torch_ref.py}, randomly initialised,
 * with random data:
 * <ul>
 *   <li>{@code vit-ti16}, {@code vit-s16}, {@code vit-b16}: ViT/16 at 224 px (197 tokens), depth 12, width
 *       192/384/768, 3/6/12 heads, 100 classes; adapters on {@code qkv}, {@code proj}, {@code fc1}, {@code fc2}
 *       (WeGeFT: one pair per name tied across blocks); the head trains in every method.</li>
 *   <li>{@code llama-tiny}: vocabulary 32,000, width 512, 8 layers, 8 heads, MLP 1,376, untied embeddings;
 *       adapters on q, k, v, o, gate, up, down (WeGeFT: tied across layers per name); {@code probe} trains
 *       lm_head.</li>
 * </ul>
 * Adapters use rank r, alpha = r (scale 1), no dropout, so WeGeFT runs in its representation form.
 */
enum BenchModel {
    VIT_TI16("vit-ti16", 192, 12, 3),
    VIT_S16("vit-s16", 384, 12, 6),
    VIT_B16("vit-b16", 768, 12, 12),
    LLAMA_TINY("llama-tiny", 512, 8, 8);

    static final int IMAGE = 224;
    static final int PATCH = 16;
    static final int CLASSES = 100;
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
        return this == LLAMA_TINY;
    }

    static BenchModel parse(String flag, String s) {
        for (BenchModel m : values()) {
            if (m.id.equals(s.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException(flag + ": unknown model '" + s
                + "' (expected vit-ti16, vit-s16, vit-b16 or llama-tiny)");
    }

    static TrainFlops.Method parseMethod(String flag, String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "wegeft" -> TrainFlops.Method.WEGEFT;
            case "lora" -> TrainFlops.Method.LORA;
            case "full" -> TrainFlops.Method.FULL;
            case "probe" -> TrainFlops.Method.PROBE;
            default -> throw new IllegalArgumentException(flag + ": unknown method '" + s
                    + "' (expected wegeft, lora, full or probe)");
        };
    }

    VitConfig vitConfig() {
        return VitConfig.of(IMAGE, PATCH, width, depth, heads, CLASSES);
    }

    LlamaConfig llamaConfig() {
        return LlamaConfig.tiny(VOCAB, width, LLAMA_MLP, depth, heads, heads);
    }

    /** The model of this benchmark, seeded, without any method applied. */
    Module build(long seed) {
        return isLlm() ? new LlamaForCausalLM(llamaConfig(), seed) : new VisionTransformer(vitConfig(), seed);
    }

    /** Applies {@code method} at {@code rank} to {@code model} (built by {@link #build}). */
    PeftModel apply(Module model, TrainFlops.Method method, int rank, long seed) {
        if (!isLlm()) {
            FineTuneMethod m = switch (method) {
                case WEGEFT -> FineTuneMethod.WEGEFT;
                case LORA -> FineTuneMethod.LORA;
                case FULL -> FineTuneMethod.FULL;
                case PROBE -> FineTuneMethod.PROBE;
            };
            return m.apply((VisionTransformer) model, rank, VIT_TARGETS, seed);
        }
        TargetModules targets = TargetModules.of(LLAMA_TARGETS.toArray(String[]::new));
        return switch (method) {
            case WEGEFT -> PeftModel.inject(model, WeGeFTConfig.of(rank, rank, targets,
                    LLAMA_TARGETS.stream().map(n -> List.of(".*\\." + n)).toList()), seed);
            case LORA -> PeftModel.inject(model, LoraConfig.of(rank, rank, targets), seed);
            case FULL -> PeftModel.baseline(model, Baseline.full());
            case PROBE -> PeftModel.baseline(model, Baseline.linearProbe("lm_head"));
        };
    }

    /** The analytic FLOPs of one training step. */
    TrainFlops flops(TrainFlops.Method method, int rank, int batch, int seq) {
        return isLlm()
                ? TrainFlops.llama(method, rank, batch, seq, VOCAB, width, depth, heads, heads, LLAMA_MLP)
                : TrainFlops.vit(method, rank, batch, IMAGE, PATCH, width, depth, CLASSES);
    }

    /** A benchmark's data and loss. */
    record Workload<B>(BatchSource<B> source, StepFunction<B> loss) {}

    /** {@code distinct} random batches, cycled: images uniform in [-1, 1] with labels, or uniform token ids. */
    Workload<?> workload(int batch, int seq, int distinct, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        if (isLlm()) {
            List<Example> rows = new ArrayList<>();
            for (int b = 0; b < batch * distinct; b++) {
                int[] ids = new int[seq];
                for (int i = 0; i < seq; i++) {
                    ids[i] = rng.nextInt(VOCAB);
                }
                rows.add(Example.of(ids));
            }
            StepFunction<LmBatch> loss = (mod, b) -> DemoTraining.loss((LlamaForCausalLM) mod, b);
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
