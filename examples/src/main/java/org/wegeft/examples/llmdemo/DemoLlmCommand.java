package org.wegeft.examples.llmdemo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.wegeft.examples.FlagCheck;
import org.wegeft.llm.LlamaForCausalLM;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.data.PromptTemplate;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.nn.train.LrSchedule;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.TrainResult;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterRecipe;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.MethodOptions;
import org.wegeft.peft.PeftModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft demo llm [--out DIR]}: the small KJV LLaMA committed under {@code examples/models/llama-kjv},
 * tuned with WeGeFT and with LoRA on generated arithmetic word problems ({@link ArithmeticTask}); exact match of
 * greedy answers (KV cache, stop at EOS or newline) on held-out problems before and after, trainable parameters
 * and time, printed as a table and written to {@code DIR/results.json}.
 *
 * <p>Recipe (the paper's, scaled to a hidden size of 192): WeGeFT r 16, alpha 2r, dropout 0.1 on
 * q,k,v,up,down, each tied across layers (r 64 would exceed a third of the hidden size); LoRA r 16, alpha 32,
 * dropout 0.05 on the same targets, untied. Both: the same steps, batch, AdamW, warm-up + cosine schedule and
 * seed; each starts from a fresh copy of the base model.
 */
@Command(name = "llm", mixinStandardHelpOptions = true,
        description = "WeGeFT vs LoRA on generated arithmetic word problems with the small KJV LLaMA.")
public final class DemoLlmCommand implements Callable<Integer> {
    /** Question, newline, "Answer:"; the answer follows after a space (one word token, as in running text). */
    static final PromptTemplate TEMPLATE = new PromptTemplate("{instruction}\n{input}\nAnswer:", "{instruction}\nAnswer:");
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "examples/models/llama-kjv", paramLabel = "DIR",
            description = "base model folder (default ${DEFAULT-VALUE}, relative to the repository root)")
    Path model = Path.of("examples/models/llama-kjv");

    @Option(names = "--out", defaultValue = "runs/demo-llm", paramLabel = "DIR",
            description = "where results.json and the adapters go (default ${DEFAULT-VALUE})")
    Path out = Path.of("runs/demo-llm");

    @Option(names = "--methods", defaultValue = "wegeft,lora", split = ",", paramLabel = "LIST",
            description = "adapter methods to run (default ${DEFAULT-VALUE})")
    List<String> methods = List.of("wegeft", "lora");

    @Option(names = "--train-size", defaultValue = "1500", description = "training problems (default ${DEFAULT-VALUE})")
    int trainSize = 1500;

    @Option(names = "--test-size", defaultValue = "200", description = "test problems (default ${DEFAULT-VALUE})")
    int testSize = 200;

    @Option(names = "--steps", defaultValue = "400", description = "optimizer steps per method (default ${DEFAULT-VALUE})")
    long steps = 400;

    @Option(names = "--batch", defaultValue = "16", description = "problems per step (default ${DEFAULT-VALUE})")
    int batch = 16;

    @Option(names = "--lr", defaultValue = "5e-3", description = "peak learning rate, both methods (default ${DEFAULT-VALUE})")
    double lr = 5e-3;

    @Option(names = "--rank", defaultValue = "16", description = "rank of both adapters (default ${DEFAULT-VALUE})")
    int rank = 16;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the task, adapter init, order, dropout"
            + " (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        validate();
        long t0 = System.nanoTime();
        PrintWriter stdout = spec.commandLine().getOut();
        ArithmeticTask.Split split = ArithmeticTask.generate(trainSize, testSize, seed);
        Files.createDirectories(out);
        List<DemoLlmResult> results = new ArrayList<>();
        try (Tokenizer tok = HfTokenizer.load(model)) {
            ExampleEncoder enc = ExampleEncoder.of(tok, 96).withTemplate(TEMPLATE);
            List<Example> train = new ArrayList<>();
            for (ArithmeticTask.Problem p : split.train()) {
                train.add(enc.encode(new DataRecord.Instruction(p.question(), "", " " + p.answer())));
            }
            AnswerScorer scorer = new AnswerScorer(tok, enc, split.test());
            stdout.printf(Locale.ROOT, "task: %d training and %d test arithmetic problems (seed %d), e.g. \"%s\" → %s%n",
                    split.train().size(), split.test().size(), seed, split.test().getFirst().question(),
                    split.test().getFirst().answer());
            AnswerScorer.Score before;
            try (LlamaForCausalLM base = LlamaForCausalLM.fromPretrained(model)) {
                before = scorer.score(base);
            }
            stdout.printf(Locale.ROOT, "base model %s: exact match %.1f%% before tuning%n", model, 100 * before.exactMatch());
            stdout.flush();
            for (String m : methods) {
                results.add(runMethod(m, tok, train, scorer, before, stdout));
                DemoLlmResult.write(results, settings(), out.resolve("results.json"));
            }
        }
        stdout.println();
        stdout.print(DemoLlmResult.table(results));
        stdout.printf(Locale.ROOT, "%nwall time %.1f s; results in %s%n", (System.nanoTime() - t0) / 1e9,
                out.resolve("results.json"));
        stdout.flush();
        return 0;
    }

    private DemoLlmResult runMethod(String method, Tokenizer tok, List<Example> train, AnswerScorer scorer,
            AnswerScorer.Score before, PrintWriter stdout) throws IOException {
        try (LlamaForCausalLM lm = LlamaForCausalLM.fromPretrained(model)) {
            AdapterConfig cfg = adapterConfig(method, rank);
            PeftModel peft = PeftModel.inject(lm, cfg, seed);
            stdout.printf(Locale.ROOT, "%n%s: %s; training %d steps%n", method, peft.trainableReport(), steps);
            stdout.flush();
            LmBatchSource source = new LmBatchSource(train, batch, tok.padId(), true);
            TrainConfig tc = TrainConfig.steps(steps, lr)
                    .withSchedule(LrSchedule.Kind.COSINE, Math.max(1, steps / 10), 0.0)
                    .withGradClip(1.0).withSeed(seed).withLogEvery(Math.max(1, steps / 20));
            Trainer<LmBatch> trainer = new Trainer<>(lm, tc, (mod, b) -> DemoTraining.loss(lm, b), source);
            trainer.progress(System.err, System.console() != null);
            long t = System.nanoTime();
            TrainResult r = trainer.run();
            double trainSeconds = (System.nanoTime() - t) / 1e9;
            AnswerScorer.Score after = scorer.score(lm);
            peft.save(out.resolve(method + "-adapter"));
            stdout.printf(Locale.ROOT, "%s: exact match %.1f%% → %.1f%% in %.1f s of training%n", method,
                    100 * before.exactMatch(), 100 * after.exactMatch(), trainSeconds);
            stdout.flush();
            return new DemoLlmResult(method, peft.trainableReport().trainable(), peft.trainableReport().total(),
                    before, after, trainSeconds, r.steps(), LlmPretrainCommand.tailMean(r.losses(), 10),
                    cfg.scale(), cfg.dropout());
        }
    }

    /**
     * The demo's adapter for {@code method}: rank r with the method's own alpha and dropout (WeGeFT: 2r, 0.1 on W;
     * LoRA: 2r, 0.05 on x), each target tied across layers where the method shares tensors.
     * @throws IllegalArgumentException for an unknown method or one that is no adapter method
     */
    static AdapterConfig adapterConfig(String method, int r) {
        FineTuningMethod m;
        try {
            m = FineTuningMethods.named(method);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--methods: " + e.getMessage(), e);
        }
        if (!(m instanceof AdapterRecipe a)) {
            throw new IllegalArgumentException("--methods: the demo compares adapter methods, got '" + method + "'");
        }
        return a.config(new MethodOptions(r, null, null, TARGETS, true, List.of(), List.of()));
    }

    private void validate() {
        FlagCheck.atLeast(spec, "--train-size", trainSize, 1);
        FlagCheck.atLeast(spec, "--test-size", testSize, 1);
        FlagCheck.atLeast(spec, "--steps", steps, 1);
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.positive(spec, "--lr", lr);
        FlagCheck.atLeast(spec, "--rank", rank, 1);
        for (String m : methods) {
            adapterConfig(m, 1);
        }
        if (methods.isEmpty() || methods.stream().distinct().count() != methods.size()) {
            throw new IllegalArgumentException("--methods: expected distinct adapter methods, got " + methods);
        }
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new IllegalArgumentException("--model: " + model + " holds no config.json (run from the"
                    + " repository root, or pass --model DIR)");
        }
    }

    private DemoLlmResult.Settings settings() {
        return new DemoLlmResult.Settings(model.toString(), trainSize, testSize, steps, batch, lr, rank, seed,
                TARGETS);
    }
}
