package org.wegeft.cli.llmdemo;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wegeft.cli.FlagCheck;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.nn.train.LrSchedule;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.TrainResult;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterRecipe;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.MemoryStats;
import picocli.CommandLine.Model.CommandSpec;

/** The runs of {@code demo llm}: one method trained and scored, and the held-out learning-rate selection. */
final class DemoLlmRuns {
    private DemoLlmRuns() {
    }

    /**
     * {@code --select-lr}: the last {@code --held-out} training problems are the validation set, the others train;
     * each method keeps the rate of the grid with the best validation exact match (ties to the lower rate).
     */
    static void selectLearningRates(DemoLlmCommand c, List<AdapterRecipe> ms, Tokenizer tok, ExampleEncoder enc,
            List<ArithmeticTask.Problem> problems, PrintWriter stdout) throws IOException {
        if (c.heldOut >= problems.size()) {
            throw new IllegalArgumentException("--held-out: " + c.heldOut + " leaves no training problems of "
                    + problems.size());
        }
        List<Example> train = encode(enc, problems.subList(0, problems.size() - c.heldOut));
        AnswerScorer validation = new AnswerScorer(tok, enc, problems.subList(problems.size() - c.heldOut,
                problems.size()));
        AnswerScorer.Score before;
        try (CausalLM base = CausalLM.fromPretrained(c.model)) {
            before = validation.score(base);
        }
        List<Double> grid = c.lrGrid.isEmpty() ? List.of(1e-3, 2e-3, 5e-3, 1e-2, 2e-2) : c.lrGrid;
        stdout.printf(Locale.ROOT, "learning-rate selection: train on %d, validate on %d held-out training problems%n",
                train.size(), c.heldOut);
        ArrayNode all = JsonMapper.builder().build().createArrayNode();
        for (AdapterRecipe m : ms) {
            double best = Double.NaN;
            double bestEm = -1;
            for (double rate : grid) {
                DemoLlmResult r = runMethod(c, m, c.seed, rate, tok, train, validation, before, false);
                double em = r.after().exactMatch();
                stdout.printf(Locale.ROOT, "  %-8s lr %.0e  validation exact match %5.1f %%%n", m.label(), rate,
                        100 * em);
                stdout.flush();
                ObjectNode o = all.addObject();
                o.put("method", m.name());
                o.put("lr", rate);
                o.put("val_exact_match", em);
                if (em > bestEm) {
                    bestEm = em;
                    best = rate;
                }
            }
            stdout.printf(Locale.ROOT, "%s: best lr %.0e (%.1f %%)%n", m.label(), best, 100 * bestEm);
        }
        AtomicFiles.writeString(c.out.resolve("lr_selection.json"), all.toPrettyString() + "\n");
        stdout.flush();
    }

    static DemoLlmResult runMethod(DemoLlmCommand c, AdapterRecipe method, long runSeed, double rate, Tokenizer tok,
            List<Example> train, AnswerScorer scorer, AnswerScorer.Score before, boolean save) throws IOException {
        try (CausalLM lm = CausalLM.fromPretrained(c.model)) {
            AdapterConfig cfg = DemoLlmCommand.adapterConfig(method, c.rank);
            PeftModel peft = PeftModel.inject(lm, cfg, runSeed);
            System.err.printf(Locale.ROOT, "%s, seed %d: %s; training %d steps%n", method.label(), runSeed,
                    peft.trainableReport(), c.steps);
            LmBatchSource source = new LmBatchSource(train, c.batch, tok.padId(), true);
            TrainConfig tc = TrainConfig.steps(c.steps, rate)
                    .withSchedule(LrSchedule.Kind.COSINE, Math.max(1, c.steps / 10), 0.0)
                    .withGradClip(1.0).withSeed(runSeed).withLogEvery(Math.max(1, c.steps / 20));
            Trainer<LmBatch> trainer = new Trainer<>(lm, tc, CausalLmTraining.objective(), source);
            List<Long> stepNanos = new ArrayList<>();
            trainer.progress(System.err, System.console() != null).onStep((s, loss, nanos) -> stepNanos.add(nanos));
            MemoryStats.resetPeaks();
            long t = System.nanoTime();
            TrainResult r = trainer.run();
            double trainSeconds = (System.nanoTime() - t) / 1e9;
            double peakMb = MemoryStats.current().peakLiveBytes() / 1048576.0;
            AnswerScorer.Score after = scorer.score(lm);
            if (save) {
                peft.save(c.out.resolve(method.name() + "-adapter-seed" + runSeed));
            }
            return new DemoLlmResult(method.name(), runSeed, rate, peft.trainableReport().trainable(),
                    peft.trainableReport().total(), before, after, trainSeconds, r.steps(),
                    SampleStats.tailMean(r.losses(), 10), cfg.scale(), cfg.dropout(), SampleStats.millis(stepNanos),
                    peakMb);
        }
    }

    static List<Example> encode(ExampleEncoder enc, List<ArithmeticTask.Problem> problems) {
        List<Example> examples = new ArrayList<>();
        for (ArithmeticTask.Problem p : problems) {
            examples.add(enc.encode(DataRecord.Chat.of(List.of(new ChatMessage("user", p.question()),
                    new ChatMessage("assistant", p.answer())))));
        }
        return examples;
    }

    /** --methods as adapter methods (every registered one when empty); a baseline or a repeat is refused. */
    static List<AdapterRecipe> adapterMethods(CommandSpec spec, List<String> names) {
        List<AdapterRecipe> ms = new ArrayList<>();
        if (names.isEmpty()) {
            FineTuningMethods.all().stream().filter(AdapterRecipe.class::isInstance).map(AdapterRecipe.class::cast)
                    .forEach(ms::add);
        }
        for (String name : names) {
            FineTuningMethod m = FlagCheck.method(spec, "--methods", name);
            if (!(m instanceof AdapterRecipe a)) {
                throw new IllegalArgumentException("--methods: the demo compares adapter methods, got '" + name + "'");
            }
            if (ms.contains(a)) {
                throw new IllegalArgumentException("--methods: '" + name + "' is listed twice");
            }
            ms.add(a);
        }
        return ms;
    }
}
