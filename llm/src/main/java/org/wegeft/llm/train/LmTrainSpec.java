package org.wegeft.llm.train;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.data.LmData;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.nn.train.LrSchedule;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.PeftModel;

/**
 * A causal-LM fine-tuning run as values: the model folder, the data, the method and its options, the schedule.
 * {@code wegeft llm train} builds one from its flags and runs it in one process or on Spark replicas, which rebuild
 * the same model, batches and settings from it (so it holds paths and numbers only, and is serialisable).
 *
 * @param rank     the method's rank, or null for its default (WeGeFT 64, LoRA 16)
 * @param alpha    null: 2 × rank
 * @param dropout  null: the method's default (WeGeFT 0.1, LoRA 0.05)
 * @param targets  target modules, short names allowed ({@link CausalLmTraining#options})
 * @param steps    optimizer steps; 0: {@code epochs} passes over the data
 * @param lr       null: {@link CausalLmTraining#defaultLr}
 * @param warmup   linear warm-up steps before a cosine decay; 0: a constant rate
 * @param batch    records (or packed rows) per optimizer step: the global batch
 */
public record LmTrainSpec(String modelDir, LmData data, int maxLength, boolean pack, String method,
        @Nullable Integer rank, @Nullable Double alpha, @Nullable Double dropout, List<String> targets, boolean tie,
        int epochs, long steps, @Nullable Double lr, long warmup, int batch, long seed, long logEvery,
        boolean gradCheckpointing, boolean recomputeActivations) implements Serializable {
    private static final long serialVersionUID = 1L;

    public LmTrainSpec {
        targets = List.copyOf(targets);
    }

    /** The fine-tuning method by its registered name. */
    public FineTuningMethod fineTuningMethod() {
        return FineTuningMethods.named(method);
    }

    /** The learning rate: {@link #lr} or the method's default. */
    public double learningRate() {
        return lr != null ? lr : CausalLmTraining.defaultLr(fineTuningMethod());
    }

    /**
     * The trainer's settings: {@link #steps} or {@link #epochs}, gradient clipping at 1, warm-up then cosine when
     * {@link #warmup} is set; metrics and checkpoints (every {@code checkpointEvery} steps, 0: none) to
     * {@code outputDir}.
     */
    public TrainConfig trainConfig(Path outputDir, long checkpointEvery) {
        double rate = learningRate();
        TrainConfig cfg = (steps > 0 ? TrainConfig.steps(steps, rate) : TrainConfig.epochs(epochs, rate))
                .withSeed(seed).withLogEvery(logEvery).withGradClip(1.0).withOutput(outputDir, checkpointEvery);
        return warmup > 0 ? cfg.withSchedule(LrSchedule.Kind.COSINE, warmup, 0.0) : cfg;
    }

    /** A loaded model made ready to train, and the method applied to it. */
    public record Prepared(CausalLM lm, PeftModel peft) {
    }

    /**
     * Makes {@code base} (loaded from {@link #modelDir}) ready to train: float32 weights when the method trains
     * the base's own weights (an adapter trains its own tensors only), the memory options, then the method applied
     * with {@link #seed}.
     */
    public Prepared prepare(CausalLM base) {
        FineTuningMethod m = fineTuningMethod();
        CausalLM lm = m.writesAdapter() ? base : base.toFloat32();
        lm.gradientCheckpointing(gradCheckpointing);
        lm.recomputeActivations(recomputeActivations);
        PeftModel peft = m.apply(lm, CausalLmTraining.options(m, rank, alpha, dropout, targets, tie), seed);
        return new Prepared(lm, peft);
    }

    /**
     * The training batches of {@code records} ({@link LmData#records()}), encoded with {@code tokenizer} (null when
     * the records are token ids), {@link #batch} rows a step, padded with {@code padId}.
     */
    public LmBatchSource batches(List<DataRecord> records, @Nullable Tokenizer tokenizer, int padId) {
        var enc = data.encoder(Path.of(modelDir), tokenizer, records, maxLength).withEosAfterText(pack);
        return CausalLmTraining.batches(records, enc, pack, batch, padId);
    }
}
