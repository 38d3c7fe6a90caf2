package org.wegeft.distributed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmData;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.llm.train.LmTrainSpec;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;

/**
 * Causal-LM fine-tuning ({@code wegeft llm train --spark-master}) as a {@link DistributedJob}: every replica loads
 * the model folder and the records by path (the same paths on every executor), applies the method with the run's
 * seed, and reads its {@link org.wegeft.llm.data.LmBatchSource#shard} of every batch, the loss weighted by its share
 * of the batch's predicted tokens. Rank 0 writes the metrics, the checkpoints and, at the end, the adapter (or, for
 * full fine-tuning, the model folder) to {@code outDir}.
 */
public final class CausalLmJob implements DistributedJob<LmBatch> {
    private static final long serialVersionUID = 1L;
    private final LmTrainSpec spec;
    private final String outDir;
    private final String trainerDir;
    private final long checkpointEvery;
    private transient LmTrainSpec.@Nullable Prepared prepared;

    /**
     * @param outDir          where rank 0 writes the adapter (or model folder) and {@code metrics.jsonl}
     * @param trainerDir      the trainer's output folder: its checkpoints, which a retried stage resumes from
     * @param checkpointEvery steps between checkpoints (0: none)
     */
    public CausalLmJob(LmTrainSpec spec, Path outDir, Path trainerDir, long checkpointEvery) {
        this.spec = spec;
        this.outDir = outDir.toAbsolutePath().toString();
        this.trainerDir = trainerDir.toAbsolutePath().toString();
        this.checkpointEvery = checkpointEvery;
    }

    public LmTrainSpec spec() {
        return spec;
    }

    /** The model with the method applied, as {@link LmTrainSpec#prepare} makes it from the model folder. */
    @Override
    public Module createModel() {
        prepared = spec.prepare(CausalLM.fromPretrained(Path.of(spec.modelDir())));
        return prepared.lm();
    }

    @Override
    public StepFunction<LmBatch> step() {
        return CausalLmTraining.objective();
    }

    @Override
    public BatchSource<LmBatch> source(int rank, int replicas) {
        HfTokenizer.useBundledLibrary();   // an executor is an application of its own: no tokenizer download
        List<DataRecord> records = spec.data().records();
        Path model = Path.of(spec.modelDir());
        try (Tokenizer tok = LmData.needsTokenizer(records) ? HfTokenizer.load(model) : null) {
            int pad = CausalLmTraining.padId(tok, DecoderConfig.read(model));
            var all = spec.batches(records, tok, pad);
            return replicas == 1 ? all : all.shard(rank, replicas);
        }
    }

    @Override
    public TrainConfig config() {
        return spec.trainConfig(Path.of(trainerDir), checkpointEvery);
    }

    @Override
    public void configure(Trainer<LmBatch> trainer, int rank) {
        if (rank == 0) {
            trainer.metricsFile(Path.of(outDir).resolve("metrics.jsonl"));
        }
    }

    /** Rank 0 saves the adapter (or the fine-tuned model folder) as the single-process run does. */
    @Override
    public void finish(Module model) throws IOException {
        LmTrainSpec.Prepared p = prepared;
        if (p == null || p.lm() != model) {
            throw new IllegalStateException("finish: the model was not made by this job's createModel");
        }
        CausalLmTraining.save(spec.fineTuningMethod(), p.peft(), p.lm(), Path.of(spec.modelDir()), Path.of(outDir));
    }

    /** Full fine-tuning writes the whole model on rank 0 and sends nothing back; adapters send theirs. */
    @Override
    public boolean returnsParameters() {
        return spec.fineTuningMethod().writesAdapter();
    }
}
