package org.wegeft.llm.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.data.Packing;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.MethodOptions;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.Tensor;

/**
 * Fine-tuning a causal language model, the pieces every caller shares (the command line's {@code llm train} and
 * {@code llm pretrain}, the LLM demo, {@code bench train} and the memory benchmark): the loss, the collation of
 * records into batches, and the paper's defaults.
 */
public final class CausalLmTraining {
    /** LLaMA's projection names by their short names, as {@code --targets} takes them. */
    public static final List<String> SHORT_NAMES = List.of("q", "k", "v", "o", "gate", "up", "down");

    /** The paper's LLM targets: q, k, v, up and down, each tied across layers. */
    public static final List<String> DEFAULT_TARGETS = List.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");

    /** What a fine-tuned model folder copies from its base besides the weights: tokenizer and generation config. */
    public static final List<String> MODEL_SIDE_FILES = Stream.concat(HfTokenizer.FILES.stream(),
            Stream.of("generation_config.json")).toList();

    /** The language-model head, trained whole by the baselines that train a head. */
    public static final String HEAD = "lm_head";

    private CausalLmTraining() {
    }

    /**
     * Mean cross-entropy of the next token over the batch's predicted positions (targets −100 skipped), the head and
     * the loss fused ({@link CausalLM#loss}): the (B·T × V) logits and their gradient are never held.
     */
    public static Tensor loss(CausalLM lm, LmBatch b) {
        return lm.loss(b.inputIds(), b.attentionMask(), b.targets());                   // targets: (B, T)
    }

    /**
     * {@link #loss} as the trainer's objective, for a model that is a {@link CausalLM}, times the batch's
     * {@link LmBatch#lossScale()} (a replica's share of a batch, {@link LmBatchSource#shard}).
     */
    public static StepFunction<LmBatch> objective() {
        return (model, b) -> {
            Tensor l = loss((CausalLM) model, b);
            return b.lossScale() == 1.0 ? l : l.mul((float) b.lossScale());       // l: the step's scope frees it
        };
    }

    /**
     * Records → training batches: each record encoded by {@code encoder} (template, prompt tokens masked), then, with
     * {@code pack}, the examples concatenated into rows of the encoder's maximum length; {@code batch} rows a step,
     * padded with {@code padId}, shuffled each epoch.
     */
    public static LmBatchSource batches(List<DataRecord> records, ExampleEncoder encoder, boolean pack, int batch,
            int padId) {
        List<Example> examples = encoder.encodeAll(records);
        if (pack) {
            examples = Packing.pack(examples, encoder.maxLength());
        }
        return new LmBatchSource(examples, batch, padId, true);
    }

    /**
     * Saves what fine-tuning the model folder {@code baseModel} with {@code m} made: the PEFT adapter folder, with the
     * fields Hugging Face's {@code AutoPeftModelForCausalLM} needs to find the base, or, for a method that changes
     * the model's own weights, the whole model folder with the base's tokenizer and generation files.
     */
    public static void save(FineTuningMethod m, PeftModel peft, CausalLM lm, Path baseModel, Path out)
            throws IOException {
        if (m.writesAdapter()) {
            peft.save(out, Map.of("task_type", "CAUSAL_LM", "base_model_name_or_path",
                    baseModel.toAbsolutePath().normalize().toString()));
        } else {
            lm.save(out);
            Pretraining.copyFiles(baseModel, out, MODEL_SIDE_FILES);
        }
    }

    /** The pad id: the tokenizer's when there is one, else the config's {@code pad_token_id}, else 0 (padding is masked). */
    public static int padId(@Nullable Tokenizer tokenizer, DecoderConfig config) {
        if (tokenizer != null) {
            return tokenizer.specialTokens().padOrFallback();
        }
        Integer pad = config.padTokenId();
        return pad != null ? pad : 0;
    }

    /** The learning rate when none is given: 1e-3 for adapters and heads, 5e-5 when every weight trains. */
    public static double defaultLr(FineTuningMethod m) {
        return m.trainsAllWeights() ? 5e-5 : 1e-3;
    }

    /**
     * The options of {@code m} on a LLaMA-family model: short target names ({@link #SHORT_NAMES}) become the
     * projections' names ({@code q} → {@code q_proj}); the rank, alpha and dropout are the method's own defaults
     * where null (WeGeFT: r 64, alpha 128, dropout 0.1; LoRA: r 16, alpha 32, dropout 0.05); each target is tied
     * across layers when {@code tie}; {@link #HEAD} is the head.
     */
    public static MethodOptions options(FineTuningMethod m, @Nullable Integer rank, @Nullable Double alpha,
            @Nullable Double dropout, List<String> targets, boolean tie) {
        List<String> names = new ArrayList<>();
        for (String t : targets) {
            String n = t.strip();
            names.add(SHORT_NAMES.contains(n) ? n + "_proj" : n);
        }
        return new MethodOptions(rank != null ? rank : m.defaultRank(), alpha, dropout, names, tie, List.of(),
                List.of(HEAD));
    }
}
