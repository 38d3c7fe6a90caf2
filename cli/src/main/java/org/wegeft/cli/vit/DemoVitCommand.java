package org.wegeft.cli.vit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.kernels.io.OutputLock;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.train.FineTuneResult;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitFineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft demo vit [--out DIR]}: the committed Fashion-MNIST ViT adapted to the embedded digits task
 * (1,000 training images, 797 test images, VTAB-1k style) with every registered fine-tuning method — same schedule
 * for all, a placement and learning rate per method ({@link VitFineTuning#demoPlacement}), {@code --seeds} runs
 * each. Prints the paper's multi-faceted table (trainable parameters, median step time, peak memory, test accuracy
 * mean ± std over the seeds), writes every run to {@code DIR/results.json} and the two plots to {@code DIR/accuracy_vs_params.png}.
 *
 * <p>Memory, two figures per run. Tensor memory: the most the tensors (weights, activations, gradients, optimizer
 * state) held at once ({@link FineTuneResult#peakTensorMb}), the figure the paper's GPU memory corresponds to; it is
 * the same for every seed. Process memory: each method runs in a fresh child JVM ({@code wegeft vit train}) and
 * reports that process's peak resident set (VmHWM), so no method inherits another's heap; it includes the JVM itself,
 * whose compiler threads alone can add tens of MB at moments that differ from run to run. Each child runs with
 * {@code -Xmx384m} ({@code --child-heap}): tensors live off-heap, and an unbounded heap would report mostly garbage
 * not yet collected. With {@code --in-process} the methods run in this JVM and the process peak is VmRSS sampled
 * every 20 ms during the method (memory kept from earlier methods counts too).
 *
 * <p>Every method trains with {@code --recompute-activations} unless {@code --no-recompute-activations}: outputs of
 * norms and the MLP activation that a method's backward reads are computed again instead of kept (the same bits),
 * so the memory figures count what a method must keep.
 */
@Command(name = "vit", mixinStandardHelpOptions = true,
        description = "Adapts the committed Fashion-MNIST ViT to the digits task with every fine-tuning method, "
                + "over several seeds.")
public final class DemoVitCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "runs/demo-vit", paramLabel = "DIR", description = "default: ${DEFAULT-VALUE}")
    Path out = Path.of("runs/demo-vit");

    @Mixin
    DemoVitModel model = new DemoVitModel();

    @Option(names = "--train", defaultValue = "examples/data/digits-train.arrow", paramLabel = "FILE", description = "default: ${DEFAULT-VALUE}")
    Path train = Path.of("examples/data/digits-train.arrow");

    @Option(names = "--test", defaultValue = "examples/data/digits-test.arrow", paramLabel = "FILE", description = "default: ${DEFAULT-VALUE}")
    Path test = Path.of("examples/data/digits-test.arrow");

    @Option(names = "--methods", split = ",", paramLabel = "NAME", description = "default: every registered method")
    List<String> methods = List.of();

    @Option(names = "--seeds", defaultValue = "3",
            description = "runs per method, seeds --seed, --seed + 1, … (default: ${DEFAULT-VALUE})")
    int seeds = 3;

    @Option(names = "--epochs", defaultValue = "20", description = "default: ${DEFAULT-VALUE}")
    int epochs = 20;

    @Option(names = "--max-steps", defaultValue = "0", description = "optimizer steps per method instead of epochs (quick checks)")
    long maxSteps;

    @Option(names = "--batch", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int batch = 64;

    @Option(names = "--rank", description = "every adapter method's rank (default: each method's demo placement: "
            + "16, WeGeFT 8)")
    @Nullable Integer rank;

    @Option(names = "--targets", split = ",", paramLabel = "NAME[,NAME…]", description = "every adapter method's "
            + "target modules (default: each method's demo placement: attn.proj, WeGeFT attn.proj,mlp.fc1)")
    List<String> targets = List.of();

    @Option(names = "--seed", defaultValue = "0", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--workers", defaultValue = "1", description = "data loader threads (default: ${DEFAULT-VALUE})")
    int workers = 1;

    @Option(names = "--child-heap", defaultValue = "384m", paramLabel = "SIZE",
            description = "-Xmx of each method's JVM, so its resident memory is not garbage the GC has not collected yet (default: ${DEFAULT-VALUE})")
    String childHeap = "384m";

    @Option(names = "--select-lr", description = "instead of the demo: choose each method's learning rate on "
            + "--held-out training images (train on the rest), never looking at --test; writes DIR/lr_selection.json")
    boolean selectLr;

    @Option(names = "--lr-grid", split = ",", description = "learning rates --select-lr tries (default: 2e-3,5e-3,1e-2,2e-2,5e-2,1e-1; full fine-tuning 10x lower)")
    List<Double> lrGrid = List.of();

    @Option(names = "--held-out", defaultValue = "200", description = "training images held out by --select-lr (default: ${DEFAULT-VALUE}, VTAB-1k's 800/200)")
    int heldOut = 200;

    @Option(names = "--plot-only", description = "only redraw DIR/accuracy_vs_params.png from DIR/results.json")
    boolean plotOnly;

    @Option(names = "--in-process", description = "run the methods in this JVM (peak memory sampled) instead of child JVMs")
    boolean inProcess;

    @Option(names = "--recompute-activations", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "every method lets the norms' and the MLP activation's outputs go after forward and computes "
                    + "them again in backward (the same gradients), so each method's memory is what it must keep "
                    + "(default: on; --no-recompute-activations keeps them)")
    boolean recomputeActivations = true;

    /** Range checks of the numeric flags, before any file is read. */
    private void validate() {
        FlagCheck.atLeast(spec, "--epochs", epochs, 1);
        FlagCheck.atLeast(spec, "--max-steps", maxSteps, 0);
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        if (rank != null) {
            FlagCheck.atLeast(spec, "--rank", rank, 1);
        }
        FlagCheck.atLeast(spec, "--workers", workers, 0);
        FlagCheck.atLeast(spec, "--held-out", heldOut, 1);
        FlagCheck.atLeast(spec, "--seeds", seeds, 1);
        for (double lr : lrGrid) {
            FlagCheck.positive(spec, "--lr-grid", lr);
        }
    }

    /** Runs with the output folder locked against a second writer ({@link OutputLock}). */
    @Override
    public Integer call() throws IOException, InterruptedException {
        try (OutputLock lock = OutputLock.acquire(out, spec.qualifiedName())) {
            return run();
        }
    }

    private Integer run() throws IOException, InterruptedException {
        validate();
        if (plotOnly) {
            DemoVitRuns.plot(ResultsFile.read(out.resolve("results.json")), out.resolve("accuracy_vs_params.png"));
            return 0;
        }
        List<FineTuningMethod> ms = methods.isEmpty() ? FineTuningMethods.all()
                : methods.stream().map(m -> FlagCheck.method(spec, "--methods", m)).toList();
        model.checked();
        ArrowDataset trainDs = VitData.open("--train", train, "image", "label");
        ArrowDataset testDs = VitData.open("--test", test, "image", "label");
        Files.createDirectories(out);
        if (selectLr) {
            DemoVitRuns.selectLearningRates(this, ms, trainDs);
            return 0;
        }
        PrintStream err = System.err;
        err.printf(Locale.ROOT, "demo vit: %s adapted to %s (%,d images) → test %s (%,d images), %s%n", model.folder,
                train, trainDs.size(), test, testDs.size(),
                maxSteps > 0 ? maxSteps + " steps per method" : epochs + " epochs per method");
        List<FineTuneResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        int runs = ms.size() * seeds;
        for (int k = 0; k < seeds; k++) {   // seed by seed, so a slow spell of the machine hits every method alike
            long s = seed + k;
            for (FineTuningMethod m : ms) {
                VitFineTuning.Placement p = placement(m);
                err.printf(Locale.ROOT, "[%d/%d] %s, seed %d (rank %d on %s, lr %.0e)%n", results.size() + 1, runs,
                        m.label(), s, p.rank(), String.join(",", p.targets()), p.lr());
                FineTuneResult r = inProcess ? DemoVitRuns.runHere(this, m, p, s, trainDs, testDs)
                        : DemoVitRuns.runChild(this, m, p, s);
                results.add(r);
                ResultsFile.write(results, out.resolve("results.json"));
            }
        }
        double total = (System.nanoTime() - t0) / 1e9;
        DemoVitRuns.plot(results, out.resolve("accuracy_vs_params.png"));
        PrintWriter stdout = spec.commandLine().getOut();
        List<DemoTable.Row> rows = DemoTable.rows(results, ms);
        stdout.print(DemoTable.render(rows, seeds));
        stdout.printf(Locale.ROOT, "%n%s%nwrote %s and %s (%.0f s in all)%n", DemoTable.verdict(rows),
                out.resolve("results.json"), out.resolve("accuracy_vs_params.png"), total);
        stdout.flush();
        return 0;
    }

    /**
     * Where {@code m}'s adapters go: its demo placement, or, when --rank or --targets is given, those for every method
     * (the other from the common placement) at the method's common learning rate.
     */
    VitFineTuning.Placement placement(FineTuningMethod m) {
        if (rank == null && targets.isEmpty()) {
            return VitFineTuning.demoPlacement(m);
        }
        return new VitFineTuning.Placement(rank != null ? rank : VitFineTuning.DEMO_RANK,
                targets.isEmpty() ? VitFineTuning.DEMO_TARGETS : targets, VitFineTuning.defaultLr(m));
    }

    Recipe recipe(double lr, long runSeed) {
        return VitFineTuning.recipe(epochs, maxSteps, batch, lr, runSeed);
    }

}
