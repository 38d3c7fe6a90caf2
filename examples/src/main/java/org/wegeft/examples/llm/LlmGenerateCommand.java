package org.wegeft.examples.llm;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.GenerationConfig;
import org.wegeft.llm.Generator;
import org.wegeft.llm.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft llm generate --model DIR [--adapter DIR] --prompt TEXT [...]}: continues the prompt, printing
 * the new text to stdout as tokens arrive (characters split across byte-level tokens are held back until
 * complete), stopping at EOS or after {@code --max-new-tokens}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generates text after a prompt, streamed to stdout.")
final class LlmGenerateCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    @SuppressWarnings("NullAway.Init")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder (WEGEFT or LORA)")
    @Nullable Path adapter;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the prompt (BOS is added)")
    @SuppressWarnings("NullAway.Init")
    String prompt;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "128", description = "default 128")
    int maxNewTokens = 128;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0", description = "sampling temperature"
            + " (default 1.0; 0 = greedy)")
    double temperature = 1.0;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "50", description = "keep the K most likely tokens"
            + " (default 50; 0 = off)")
    int topK = 50;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "nucleus threshold (default 1.0"
            + " = off)")
    double topP = 1.0;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "sampling seed (default 0)")
    long seed;

    @Option(names = "--greedy", description = "greedy decoding (ignores temperature, top-k, top-p)")
    boolean greedy;

    @Override
    public Integer call() {
        validate();
        try (LlmSession s = LlmSession.open(model, adapter)) {
            Tokenizer tok = s.tokenizer();
            List<Integer> eos = new ArrayList<>(Arrays.stream(tok.specialTokens().eosIds()).boxed().toList());
            for (int e : s.model.config().eosTokenIds()) {
                if (!eos.contains(e)) {
                    eos.add(e);
                }
            }
            GenerationConfig cfg = greedy || temperature == 0 ? GenerationConfig.greedy(maxNewTokens, eos)
                    : GenerationConfig.sampling(maxNewTokens, temperature, topK, topP, seed, eos);
            int[] ids = tok.encode(prompt, true);
            PrintWriter out = spec.commandLine().getOut();
            Stream stream = new Stream(tok, out);
            long t0 = System.nanoTime();
            new Generator(s.model).generate(ids, cfg, stream::accept);
            stream.finish();
            stream.reportTimes(spec.commandLine().getErr(), ids.length, t0);
        }
        return 0;
    }

    /** Range checks of the numeric flags (as {@link GenerationConfig}'s), before the model is read. */
    private void validate() {
        if (maxNewTokens < 0) {
            throw new ParameterException(spec.commandLine(), "--max-new-tokens must not be negative, got " + maxNewTokens);
        }
        if (!(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw new ParameterException(spec.commandLine(), "--temperature must be ≥ 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new ParameterException(spec.commandLine(), "--top-k must not be negative (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new ParameterException(spec.commandLine(), "--top-p must be in (0, 1], got " + topP);
        }
    }

    /** Incremental detokenization: prints the decoded suffix that is new and complete. */
    static final class Stream {
        private final Tokenizer tok;
        private final PrintWriter out;
        private int[] ids = new int[16];
        /** When each token was chosen (System.nanoTime). */
        private long[] at = new long[16];
        private int n;
        private int printed;

        Stream(Tokenizer tok, PrintWriter out) {
            this.tok = tok;
            this.out = out;
        }

        void accept(int id) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                at = Arrays.copyOf(at, n * 2);
            }
            at[n] = System.nanoTime();
            ids[n++] = id;
            String text = tok.decode(Arrays.copyOf(ids, n), true);
            if (!text.endsWith("\uFFFD") && text.length() > printed) {
                out.print(text.substring(printed));
                out.flush();
                printed = text.length();
            }
        }

        /**
         * One line on {@code err}: the time to the first token (the prompt's prefill) and the median time of each
         * later token (one decoding step each).
         */
        void reportTimes(PrintWriter err, int promptTokens, long start) {
            if (n == 0) {
                return;
            }
            double first = (at[0] - start) / 1e9;
            String rest = "";
            if (n > 1) {
                double[] steps = new double[n - 1];
                for (int i = 1; i < n; i++) {
                    steps[i - 1] = (at[i] - at[i - 1]) / 1e9;
                }
                Arrays.sort(steps);
                double median = steps.length % 2 == 1 ? steps[steps.length / 2]
                        : (steps[steps.length / 2 - 1] + steps[steps.length / 2]) / 2;
                rest = String.format(java.util.Locale.ROOT, ", then %d more at %.3f s a token (median)", n - 1, median);
            }
            err.printf(java.util.Locale.ROOT, "generate: %d prompt tokens, first new token after %.2f s%s%n",
                    promptTokens, first, rest);
            err.flush();
        }

        void finish() {
            String text = tok.decode(Arrays.copyOf(ids, n), true);
            if (text.length() > printed) {
                out.print(text.substring(printed));
            }
            out.println();
            out.flush();
        }
    }
}
