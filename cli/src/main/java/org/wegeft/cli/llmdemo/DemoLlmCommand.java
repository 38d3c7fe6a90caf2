package org.wegeft.cli.llmdemo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ModelFolder;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterRecipe;
import org.wegeft.peft.LearningRates;
import org.wegeft.peft.MethodOptions;
import org.wegeft.vision.train.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft demo llm [--out DIR]}: the small KJV LLaMA committed under {@code examples/models/llama-kjv},
 * tuned with every registered adapter method on generated arithmetic word problems as chat records (user question,
 * assistant answer) through the model's chat template ({@link ArithmeticTask}); exact
 * match of greedy answers (KV cache, stop at EOS or newline) on held-out problems before and after, over
 * {@code --seeds} training seeds (adapter initialisation, batch order, dropout; the task stays the same), with the
 * trainable parameters, the median step time and the peak tensor memory; printed as a table and written to
 * {@code DIR/results.json}.
 *
 * <p>Recipe (the paper's, scaled to a hidden size of 192): rank 16 on q,k,v,up,down with each method's own alpha and
 * dropout (WeGeFT 2r and 0.1 on W, each target tied across layers; LoRA and DoRA 2r and 0.05 on x), the same steps,
 * batch, AdamW and warm-up + cosine schedule for all, and a learning rate per method chosen on problems held out of
 * the training set ({@code --select-lr}; recorded in {@code learning-rates.properties} next to this class). Each run
 * starts from a fresh copy of the base model.
 */
@Command(name = "llm", mixinStandardHelpOptions = true,
        description = "Every adapter method on generated arithmetic word problems with the small KJV LLaMA, "
                + "over several seeds.")
public final class DemoLlmCommand implements Callable<Integer> {
    static final List<String> TARGETS = CausalLmTraining.DEFAULT_TARGETS;
    private static final LearningRates LEARNING_RATES = new LearningRates(DemoLlmCommand.class,
            "learning-rates.properties", "wegeft demo llm --select-lr");

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", converter = ModelFolder.class,
            defaultValue = "examples/models/llama-kjv", paramLabel = "DIR|ORG/NAME",
            description = "base model folder (default ${DEFAULT-VALUE}, relative to the repository root)")
    Path model = Path.of("examples/models/llama-kjv");

    @Option(names = "--out", defaultValue = "runs/demo-llm", paramLabel = "DIR",
            description = "where results.json and the adapters go (default ${DEFAULT-VALUE})")
    Path out = Path.of("runs/demo-llm");

    @Option(names = "--methods", split = ",", paramLabel = "LIST",
            description = "adapter methods to run (default: every registered adapter method)")
    List<String> methods = List.of();

    @Option(names = "--train-size", defaultValue = "1500", description = "training problems (default ${DEFAULT-VALUE})")
    int trainSize = 1500;

    @Option(names = "--test-size", defaultValue = "200", description = "test problems (default ${DEFAULT-VALUE})")
    int testSize = 200;

    @Option(names = "--steps", defaultValue = "400", description = "optimizer steps per run (default ${DEFAULT-VALUE})")
    long steps = 400;

    @Option(names = "--batch", defaultValue = "16", description = "problems per step (default ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--lr", paramLabel = "X", description = "peak learning rate of every method (default: each "
            + "method's, chosen on held-out training problems)")
    @Nullable Double lr;

    @Option(names = "--rank", defaultValue = "16", description = "rank of every adapter (default ${DEFAULT-VALUE})")
    int rank = 16;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the task and of the first run"
            + " (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--seeds", defaultValue = "3", description = "runs per method, training seeds --seed, --seed + 1,"
            + " … (default ${DEFAULT-VALUE})")
    int seeds = 3;

    @Option(names = "--select-lr", description = "instead of the demo: choose each method's learning rate on "
            + "--held-out training problems (train on the rest), never looking at the test problems; writes "
            + "DIR/lr_selection.json")
    boolean selectLr;

    @Option(names = "--lr-grid", split = ",", description = "learning rates --select-lr tries (default: "
            + "1e-3,2e-3,5e-3,1e-2,2e-2)")
    List<Double> lrGrid = List.of();

    @Option(names = "--held-out", defaultValue = "200", description = "training problems held out by --select-lr "
            + "(default: ${DEFAULT-VALUE})")
    int heldOut = 200;

    /** Runs with the output folder locked against a second writer ({@link OutputLock}). */
    @Override
    public Integer call() throws IOException {
        try (OutputLock lock = OutputLock.acquire(out, spec.qualifiedName())) {
            return run();
        }
    }

    private Integer run() throws IOException {
        List<AdapterRecipe> ms = validate();
        long t0 = System.nanoTime();
        PrintWriter stdout = spec.commandLine().getOut();
        ArithmeticTask.Split split = ArithmeticTask.generate(trainSize, testSize, seed);
        Files.createDirectories(out);
        try (Tokenizer tok = HfTokenizer.load(model)) {
            // the model's chat template: question, newline, "Answer:", then a space and the answer (one word token)
            ExampleEncoder enc = ExampleEncoder.of(tok, 96).withChatTemplate(ChatTemplate.fromModel(model));
            if (selectLr) {
                DemoLlmRuns.selectLearningRates(this, ms, tok, enc, split.train(), stdout);
                return 0;
            }
            List<Example> train = DemoLlmRuns.encode(enc, split.train());
            AnswerScorer scorer = new AnswerScorer(tok, enc, split.test());
            stdout.printf(Locale.ROOT, "task: %d training and %d test arithmetic problems (seed %d), e.g. \"%s\" → %s%n",
                    split.train().size(), split.test().size(), seed, split.test().getFirst().question(),
                    split.test().getFirst().answer());
            AnswerScorer.Score before;
            try (CausalLM base = CausalLM.fromPretrained(model)) {
                before = scorer.score(base);
            }
            stdout.printf(Locale.ROOT, "base model %s: exact match %.1f%% before tuning%n", model, 100 * before.exactMatch());
            stdout.flush();
            List<DemoLlmResult> results = new ArrayList<>();
            for (int k = 0; k < seeds; k++) {   // seed by seed, so a slow spell of the machine hits every method alike
                for (AdapterRecipe m : ms) {
                    double rate = lr != null ? lr : LEARNING_RATES.of(m);
                    DemoLlmResult r = DemoLlmRuns.runMethod(this, m, seed + k, rate, tok, train, scorer, before, true);
                    stdout.printf(Locale.ROOT, "%s, seed %d: exact match %.1f%% → %.1f%% (lr %.0e, %.1f s)%n",
                            m.label(), r.seed(), 100 * before.exactMatch(), 100 * r.after().exactMatch(), rate,
                            r.trainSeconds());
                    stdout.flush();
                    results.add(r);
                    DemoLlmResult.write(results, settings(), out.resolve("results.json"));
                }
            }
            stdout.println();
            stdout.print(DemoLlmResult.table(results, ms, seeds));
        }
        stdout.printf(Locale.ROOT, "%nwall time %.1f s; results in %s%n", (System.nanoTime() - t0) / 1e9,
                out.resolve("results.json"));
        stdout.flush();
        return 0;
    }

    /** The demo's adapter for {@code method}: rank r with the method's own alpha and dropout, ties where it shares. */
    static AdapterConfig adapterConfig(AdapterRecipe method, int r) {
        return method.config(new MethodOptions(r, null, null, TARGETS, true, List.of(), List.of()));
    }

    /** Checks the flags; returns the methods to run. */
    private List<AdapterRecipe> validate() {
        FlagCheck.atLeast(spec, "--train-size", trainSize, 1);
        FlagCheck.atLeast(spec, "--test-size", testSize, 1);
        FlagCheck.atLeast(spec, "--steps", steps, 1);
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        if (lr != null) {
            FlagCheck.positive(spec, "--lr", lr);
        }
        for (double x : lrGrid) {
            FlagCheck.positive(spec, "--lr-grid", x);
        }
        FlagCheck.atLeast(spec, "--rank", rank, 1);
        FlagCheck.atLeast(spec, "--seeds", seeds, 1);
        FlagCheck.atLeast(spec, "--held-out", heldOut, 1);
        List<AdapterRecipe> ms = DemoLlmRuns.adapterMethods(spec, methods);
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new IllegalArgumentException("--model: " + model + " holds no config.json (run from the"
                    + " repository root, or pass --model DIR)");
        }
        return ms;
    }

    private DemoLlmResult.Settings settings() {
        return new DemoLlmResult.Settings(model.toString(), trainSize, testSize, steps, batch, rank, seed, seeds,
                TARGETS);
    }
}
