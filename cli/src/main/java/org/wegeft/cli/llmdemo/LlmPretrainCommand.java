package org.wegeft.cli.llmdemo;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.eval.PerplexityResult;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.llm.train.Pretraining;
import org.wegeft.nn.train.LrSchedule;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.TrainResult;
import org.wegeft.nn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft llm pretrain --corpus FILE --tokenizer DIR --out DIR}: trains a small LLaMA from scratch on a
 * plain-text corpus (one document per line: {@code <s> line </s>}, concatenated and cut into blocks of
 * {@code --seq} tokens, as Hugging Face's {@code run_clm}), AdamW with linear warm-up and cosine decay, gradient
 * clipping at 1. The last {@code --heldout} fraction of the lines (the end of the corpus, never trained on) gives
 * the held-out perplexity. Writes a Hugging Face folder: {@code config.json}, {@code model.safetensors} (F32),
 * the tokenizer files, {@code generation_config.json} and {@code train_log.jsonl} (the trainer's metrics, then
 * one summary record). Reproducible from {@code --seed}.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrains a small LLaMA from scratch on a plain-text corpus (one document per line).")
public final class LlmPretrainCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--corpus", required = true, paramLabel = "FILE", description = "UTF-8 text, one document per line")
    @SuppressWarnings("NullAway.Init")
    Path corpus;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "folder with tokenizer.json")
    @SuppressWarnings("NullAway.Init")
    Path tokenizerDir;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output model folder")
    @SuppressWarnings("NullAway.Init")
    Path out;

    @Option(names = "--hidden", defaultValue = "192", description = "hidden size (default ${DEFAULT-VALUE})")
    int hidden = 192;

    @Option(names = "--intermediate", defaultValue = "512", description = "MLP width (default ${DEFAULT-VALUE})")
    int intermediate = 512;

    @Option(names = "--layers", defaultValue = "4", description = "decoder layers (default ${DEFAULT-VALUE})")
    int layers = 4;

    @Option(names = "--heads", defaultValue = "4", description = "attention heads (default ${DEFAULT-VALUE})")
    int heads = 4;

    @Option(names = "--kv-heads", defaultValue = "2", description = "key/value heads (default ${DEFAULT-VALUE})")
    int kvHeads = 2;

    @Option(names = "--seq", defaultValue = "128", description = "tokens per block (default ${DEFAULT-VALUE})")
    int seq = 128;

    @Option(names = "--batch", defaultValue = "16", description = "blocks per step (default ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--steps", defaultValue = "600", description = "optimizer steps (default ${DEFAULT-VALUE})")
    long steps = 600;

    @Option(names = "--lr", defaultValue = "3e-3", description = "peak learning rate (default ${DEFAULT-VALUE})")
    double lr = 3e-3;

    @Option(names = "--warmup", defaultValue = "30", description = "warm-up steps (default ${DEFAULT-VALUE})")
    long warmup = 30;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay (default ${DEFAULT-VALUE})")
    double weightDecay = 0.1;

    @Option(names = "--heldout", defaultValue = "0.02", description = "held-out fraction of lines, from the end"
            + " (default ${DEFAULT-VALUE})")
    double heldout = 0.02;

    @Option(names = "--seed", defaultValue = "0", description = "seed of init and batch order (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--log-every", defaultValue = "10", description = "log every N steps (default ${DEFAULT-VALUE})")
    long logEvery = 10;

    /** Runs with the output folder locked against a second writer ({@link OutputLock}). */
    @Override
    public Integer call() throws IOException {
        try (OutputLock lock = OutputLock.acquire(out, spec.qualifiedName())) {
            return run();
        }
    }

    private Integer run() throws IOException {
        validate();
        long t0 = System.nanoTime();
        List<String> lines = Pretraining.corpusLines(corpus);
        int split = (int) Math.round(lines.size() * (1 - heldout));
        PrintWriter stdout = spec.commandLine().getOut();
        try (Tokenizer tok = HfTokenizer.load(tokenizerDir)) {
            List<Example> train = Pretraining.blocks(tok, lines.subList(0, split), seq);
            List<Example> test = heldout > 0 ? Pretraining.blocks(tok, lines.subList(split, lines.size()), seq)
                    : List.of();
            DecoderConfig config = Pretraining.smallConfig(tok, hidden, intermediate, layers, heads, kvHeads, seq);
            Files.createDirectories(out);
            stdout.printf(Locale.ROOT, "corpus %s: %d lines, %d training blocks and %d held-out blocks of %d tokens%n",
                    corpus, lines.size(), train.size(), test.size(), seq);
            try (CausalLM lm = new CausalLM(config, seed)) {
                stdout.printf(Locale.ROOT, "model: %,d parameters (hidden %d, %d layers, %d heads, %d kv heads,"
                        + " MLP %d, vocab %d, tied embeddings)%n", lm.parameterCount(), hidden, layers, heads,
                        kvHeads, intermediate, config.vocabSize());
                stdout.flush();
                LmBatchSource source = new LmBatchSource(train, batch, tok.padId(), true);
                TrainConfig cfg = TrainConfig.steps(steps, lr).withSchedule(LrSchedule.Kind.COSINE, warmup, 0.1)
                        .withWeightDecay(weightDecay).withGradClip(1.0).withSeed(seed).withLogEvery(logEvery)
                        .withOutput(out, 0);
                Trainer<LmBatch> trainer = new Trainer<>(lm, cfg, CausalLmTraining.objective(), source);
                trainer.progress(System.err, System.console() != null);
                long tTrain = System.nanoTime();
                TrainResult r = trainer.run();
                double trainSeconds = (System.nanoTime() - tTrain) / 1e9;
                PerplexityResult ppl = test.isEmpty() ? null : Pretraining.heldOutPerplexity(lm, test, tok.padId());
                lm.save(out);
                Pretraining.copyFiles(tokenizerDir, out, HfTokenizer.FILES);
                Pretraining.writeGenerationConfig(out, tok);
                float[] losses = r.losses();
                double finalLoss = SampleStats.tailMean(losses, 10);
                ObjectNode summary = JSON.createObjectNode();
                summary.put("summary", true);
                summary.put("steps", r.steps());
                summary.put("final_loss_last10_mean", finalLoss);
                summary.put("train_seconds", trainSeconds);
                summary.put("tokens_seen", r.steps() * batch * seq);
                summary.put("parameters", lm.parameterCount());
                if (ppl != null) {
                    summary.put("heldout_nll", ppl.nll());
                    summary.put("heldout_ppl", ppl.ppl());
                    summary.put("heldout_tokens", ppl.tokens());
                }
                summary.put("seed", seed);
                summary.put("command", String.join(" ", spec.commandLine().getParseResult().originalArgs()));
                Path log = out.resolve("train_log.jsonl");
                Path metrics = out.resolve("metrics.jsonl");
                if (Files.exists(metrics)) {
                    Files.move(metrics, log, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.writeString(log, JSON.writeValueAsString(summary) + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                stdout.printf(Locale.ROOT, "trained %d steps in %.1f s: loss %.4f → %.4f (mean of last 10)%s;"
                        + " total %.1f s; saved to %s%n", r.steps(), trainSeconds,
                        losses.length > 0 ? losses[0] : Float.NaN, finalLoss,
                        ppl == null ? "" : String.format(Locale.ROOT, "; held-out nll %.4f, perplexity %.2f (%d tokens)",
                                ppl.nll(), ppl.ppl(), ppl.tokens()),
                        (System.nanoTime() - t0) / 1e9, out);
                stdout.flush();
            }
        }
        return 0;
    }

    private void validate() {
        FlagCheck.atLeast(spec, "--hidden", hidden, 2);
        FlagCheck.atLeast(spec, "--intermediate", intermediate, 1);
        FlagCheck.atLeast(spec, "--layers", layers, 1);
        FlagCheck.atLeast(spec, "--heads", heads, 1);
        FlagCheck.atLeast(spec, "--kv-heads", kvHeads, 1);
        FlagCheck.atLeast(spec, "--seq", seq, 2);
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.atLeast(spec, "--steps", steps, 1);
        FlagCheck.positive(spec, "--lr", lr);
        FlagCheck.atLeast(spec, "--warmup", warmup, 0);
        FlagCheck.nonNegative(spec, "--weight-decay", weightDecay);
        FlagCheck.inHalfOpen(spec, "--heldout", heldout, 0, 0.5);
        FlagCheck.atLeast(spec, "--log-every", logEvery, 1);
        if (hidden % heads != 0 || heads % kvHeads != 0 || (hidden / heads) % 2 != 0) {
            throw new IllegalArgumentException("--heads " + heads + " must divide --hidden " + hidden
                    + " into an even head size, and --kv-heads " + kvHeads + " must divide --heads");
        }
        if (!Files.isRegularFile(corpus)) {
            throw new IllegalArgumentException("--corpus: " + corpus + " is not a file");
        }
    }
}
