package org.wegeft.cli.llm;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.ModelOptions;
import org.wegeft.cli.QuantizeOptions;
import org.wegeft.llm.GenerationConfig;
import org.wegeft.llm.Generator;
import org.wegeft.llm.TextStreamer;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.data.ChatEncoder;
import org.wegeft.llm.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    ModelOptions in = new ModelOptions();

    @Mixin
    QuantizeOptions quantize = new QuantizeOptions();

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the prompt (BOS is added; with"
            + " --chat, the user's message)")
    @SuppressWarnings("NullAway.Init")
    String prompt;

    @Option(names = "--chat", description = "render the prompt with the model's chat template and the generation prompt;"
            + " stop at the template's end-of-turn token")
    boolean chat;

    @Option(names = "--system", paramLabel = "TEXT", description = "with --chat: a system message before the prompt")
    @Nullable String system;

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
        try (LlmSession s = LlmSession.open(in.model, in.adapter, quantize.quantization(spec))) {
            Tokenizer tok = s.tokenizer();
            List<Integer> eos = new ArrayList<>(TextStreamer.eosIds(tok, s.model.config()));
            int[] ids;
            if (chat) {
                List<ChatMessage> messages = new ArrayList<>();
                if (system != null) {
                    messages.add(new ChatMessage("system", system));
                }
                messages.add(new ChatMessage("user", prompt));
                ChatEncoder enc = new ChatEncoder(tok, ChatTemplate.fromModel(in.model), false);
                ids = enc.promptIds(messages);
                enc.endOfTurnIds().stream().filter(e -> !eos.contains(e)).forEach(eos::add);
            } else {
                ids = tok.encode(prompt, true);
            }
            GenerationConfig cfg = greedy || temperature == 0 ? GenerationConfig.greedy(maxNewTokens, eos)
                    : GenerationConfig.sampling(maxNewTokens, temperature, topK, topP, seed, eos);
            PrintWriter out = spec.commandLine().getOut();
            TextStreamer stream = new TextStreamer(tok, text -> {
                out.print(text);
                out.flush();
            });
            long t0 = System.nanoTime();
            new Generator(s.model).generate(ids, cfg, stream::accept);
            stream.finish();
            out.println();
            out.flush();
            if (stream.tokens() > 0) {
                PrintWriter err = spec.commandLine().getErr();
                err.printf(Locale.ROOT, "generate: %d prompt tokens, first new token after %.2f s%s%n", ids.length,
                        stream.secondsToFirst(t0), stream.tokens() < 2 ? "" : String.format(Locale.ROOT,
                                ", then %d more at %.3f s a token (median)", stream.tokens() - 1,
                                stream.medianSecondsPerToken()));
                err.flush();
            }
        }
        return 0;
    }

    /** Range checks of the numeric flags (as {@link GenerationConfig}'s), before the model is read. */
    private void validate() {
        if (system != null && !chat) {
            throw new ParameterException(spec.commandLine(), "--system needs --chat");
        }
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
}
