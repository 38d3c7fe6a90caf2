package org.wegeft.cli.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.ModelOptions;
import org.wegeft.cli.QuantizeOptions;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.eval.Perplexity;
import org.wegeft.llm.eval.PerplexityResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft llm perplexity --model DIR [--adapter DIR] --data FILE [--max-length N] [--batch B]}: prints one
 * JSON line {@code {"nll": …, "ppl": …, "tokens": …, "examples": …, "seconds": …}} where {@code nll} is the mean
 * negative log-likelihood per predicted token (labels shifted by one as Hugging Face; masked labels skipped).
 * Records with {@code input_ids} need no tokenizer; {@code text} and instruction records use the model folder's, and
 * {@code messages} records its chat template too (the NLL is then over the assistant tokens, unless
 * {@code --train-on all}).
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Mean NLL per predicted token and perplexity of a model (plus adapter) on a data file.")
final class LlmPerplexityCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Mixin
    ModelOptions in = new ModelOptions();

    @Mixin
    QuantizeOptions quantize = new QuantizeOptions();

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--max-length", paramLabel = "N", description = "truncate records to N tokens (default: the"
            + " model's max_position_embeddings)")
    @Nullable Integer maxLength;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", description = "records per forward pass (default 4)")
    int batch = 4;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got " + batch);
        }
        if (maxLength != null && maxLength < 2) {
            throw new ParameterException(spec.commandLine(), "--max-length must be at least 2 (one token and its "
                    + "successor), got " + maxLength);
        }
        long t0 = System.nanoTime();
        List<DataRecord> records = data.records();
        try (LlmSession s = LlmSession.open(in.model, in.adapter, quantize.quantization(spec))) {
            int max = maxLength != null ? maxLength : s.model.config().maxPositionEmbeddings();
            ExampleEncoder enc = data.encoder(in.model, s.tokenizerFor(records), records, max);
            List<Example> examples = enc.encodeAll(records);
            checkVocab(examples, s.model.config().vocabSize());
            s.model.eval();
            PerplexityResult r = Perplexity.evaluate(s.causalLm(), examples, batch, s.padId());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("nll", r.nll());
            out.put("ppl", r.ppl());
            out.put("tokens", r.tokens());
            out.put("examples", r.examples());
            out.put("seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1e3);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(new ObjectMapper().writeValueAsString(out));
            stdout.flush();
        }
        return 0;
    }

    private void checkVocab(List<Example> examples, int vocab) {
        for (int i = 0; i < examples.size(); i++) {
            for (int id : examples.get(i).ids()) {
                if (id >= vocab) {
                    throw new IllegalArgumentException("--data: " + data.file + ": record " + (i + 1) + " has token id "
                            + id + ", outside the model's vocabulary [0, " + vocab + ")");
                }
            }
        }
    }
}
