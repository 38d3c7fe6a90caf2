package org.wegeft.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.BatchSource;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.MethodOptions;

/**
 * LoRA (r = 16, alpha = 16, on q, k, v, o, gate, up and down) on {@code bench train}'s llama-tiny: vocabulary 32,000,
 * width 512, 8 layers of 8 heads, MLP 1,376, untied embeddings; random token sequences, {@code perReplica} of
 * {@code seq} tokens per replica and step.
 */
record TinyLlamaLoraJob(int perReplica, int seq, long steps, long bucketBytes, long seed)
        implements DistributedJob<LmBatch> {
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    @Override
    public Module createModel() {
        CausalLM m = new CausalLM(DecoderConfig.tiny(32_000, 512, 1_376, 8, 8, 8), seed);
        FineTuningMethods.named("lora").apply(m, new MethodOptions(16, 16.0, 0.0, TARGETS, false, List.of(),
                List.of()), seed);
        return m;
    }

    @Override
    public StepFunction<LmBatch> step() {
        return CausalLmTraining.objective();
    }

    @Override
    public TrainConfig config() {
        return TrainConfig.steps(steps, 1e-4).withGradClip(1.0).withSeed(seed).withLogEvery(0);
    }

    @Override
    public BatchSource<LmBatch> source(int rank, int replicas) {
        SplittableRandom r = new SplittableRandom(seed * 1000 + rank);
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < 2 * perReplica; i++) {
            int[] ids = new int[seq];
            for (int t = 0; t < seq; t++) {
                ids[t] = r.nextInt(32_000);
            }
            rows.add(Example.of(ids));
        }
        return new LmBatchSource(rows, perReplica, 0, false);
    }
}
