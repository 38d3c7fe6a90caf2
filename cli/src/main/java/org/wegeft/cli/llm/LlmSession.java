package org.wegeft.cli.llm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.Quantization;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.LmData;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.llm.eval.CausalLm;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.peft.PeftModel;

/** What the llm commands share: a model folder loaded (plus an adapter), its tokenizer when needed. */
final class LlmSession implements AutoCloseable {
    final CausalLM model;
    final @Nullable PeftModel peft;
    private @Nullable Tokenizer tokenizer;
    private final Path modelDir;

    private LlmSession(Path modelDir, CausalLM model, @Nullable PeftModel peft) {
        this.modelDir = modelDir;
        this.model = model;
        this.peft = peft;
    }

    /** Loads {@code model} and, when given, the PEFT adapter folder {@code adapter} onto it. */
    static LlmSession open(Path modelDir, @Nullable Path adapter) {
        return open(modelDir, adapter, null);
    }

    /** {@link #open(Path, Path)} with the frozen weights quantized as they load (null for none). */
    static LlmSession open(Path modelDir, @Nullable Path adapter, @Nullable Quantization quantization) {
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("--model: " + modelDir + " is not a folder");
        }
        if (adapter != null && !Files.isDirectory(adapter)) {
            throw new IllegalArgumentException("--adapter: " + adapter + " is not a folder");
        }
        CausalLM m = CausalLM.fromPretrained(modelDir, quantization);
        try {
            PeftModel p = adapter == null ? null : PeftModel.fromPretrained(m, adapter);
            return new LlmSession(modelDir, m, p);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The model folder's tokenizer (loaded on first use). */
    Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = HfTokenizer.load(modelDir);
        }
        return tokenizer;
    }

    /** The tokenizer when some record needs one (text or instruction), else null (input_ids only). */
    @Nullable Tokenizer tokenizerFor(List<DataRecord> records) {
        return LmData.needsTokenizer(records) ? tokenizer() : null;
    }

    /** The pad id: the tokenizer's when loaded, else the config's, else 0 (padding is masked anyway). */
    int padId() {
        return CausalLmTraining.padId(tokenizer, model.config());
    }

    CausalLm causalLm() {
        return (ids, mask) -> model.forward(ids, mask, null, null);
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        model.close();
    }
}
