package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wegeft.cli.WegeftCli;
import org.wegeft.cli.plot.ScatterPlot;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.train.RunFiles;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.train.FineTuneResult;
import org.wegeft.vision.train.FineTuner;
import org.wegeft.vision.train.LrSelection;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitFineTuning;

/** The runs of {@code demo vit}: in this JVM or a child one, the learning-rate selection, and the plot. */
final class DemoVitRuns {
    private DemoVitRuns() {
    }

    /** --select-lr: each method's learning rate chosen on --held-out training images, printed and written. */
    static void selectLearningRates(DemoVitCommand c, List<FineTuningMethod> ms, ArrowDataset trainDs)
            throws IOException {
        VitData.Rows[] split = VitData.Rows.split(trainDs, c.heldOut, c.seed);
        FineTuner tuner = new FineTuner("image", "label", c.workers, null, false, RunFiles.NONE, c.recomputeActivations);
        PrintWriter stdout = c.spec.commandLine().getOut();
        ArrayNode all = JsonMapper.builder().build().createArrayNode();
        stdout.printf(Locale.ROOT, "learning-rate selection: train on %d, validate on %d held-out training images%n",
                split[0].size(), split[1].size());
        for (FineTuningMethod m : ms) {
            VitFineTuning.Placement p = c.placement(m);
            LrSelection.Trial best = LrSelection.select(tuner, c.model.folder, m, p.rank(), p.targets(), split[0],
                    split[1], c.lrGrid.isEmpty() ? LrSelection.grid(m) : c.lrGrid, lr -> c.recipe(lr, c.seed), t -> {
                        stdout.printf(Locale.ROOT, "  %-18s lr %.0e  validation accuracy %6.2f %%%n", m.label(),
                                t.lr(), 100 * t.accuracy());
                        stdout.flush();
                        all.addObject().put("method", m.name()).put("lr", t.lr()).put("val_accuracy", t.accuracy());
                    });
            stdout.printf(Locale.ROOT, "%s: best lr %.0e (%.2f %%)%n", m.label(), best.lr(), 100 * best.accuracy());
        }
        AtomicFiles.writeString(c.out.resolve("lr_selection.json"), all.toPrettyString() + "\n");
        stdout.flush();
    }

    static FineTuneResult runHere(DemoVitCommand c, FineTuningMethod m, VitFineTuning.Placement p, long runSeed,
            ArrowDataset trainDs, ArrowDataset testDs) throws IOException {
        FineTuner tuner = new FineTuner("image", "label", c.workers, System.err, System.console() != null,
                RunFiles.NONE, c.recomputeActivations);
        try (PeakMemory mem = PeakMemory.sample()) {
            FineTuneResult r = tuner.run(c.model.folder, m, p.rank(), p.targets(), trainDs, testDs,
                    c.recipe(p.lr(), runSeed), null);
            return r.withPeakMemoryMb(mem.peakMb());
        }
    }

    /** {@code wegeft vit train …} in a fresh JVM with this JVM's options and class path. */
    static FineTuneResult runChild(DemoVitCommand c, FineTuningMethod m, VitFineTuning.Placement at, long runSeed)
            throws IOException, InterruptedException {
        Path result = c.out.resolve(m.name() + "-seed" + runSeed + ".json");
        Files.deleteIfExists(result);
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-Xmx")).forEach(cmd::add);
        cmd.add("-Xmx" + c.childHeap);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WegeftCli.class.getName(), "vit", "train",
                "--model", c.model.folder.toString(), "--train", c.train.toString(), "--eval", c.test.toString(),
                "--method", m.name(), "--rank", Integer.toString(at.rank()),
                "--targets", String.join(",", at.targets()),
                "--epochs", Integer.toString(c.epochs), "--steps", Long.toString(c.maxSteps),
                "--batch", Integer.toString(c.batch), "--lr", Double.toString(at.lr()),
                "--seed", Long.toString(runSeed),
                "--workers", Integer.toString(c.workers), "--result-json", result.toString()));
        if (c.recomputeActivations) {
            cmd.add("--recompute-activations");
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int status = p.waitFor();
        if (status != 0 || !Files.isRegularFile(result)) {
            throw new IllegalStateException("method " + m.name() + ": child JVM exited with status " + status
                    + " (its message is above)");
        }
        return ResultsFile.readOne(result);
    }

    /**
     * Two panels: test accuracy (mean ± std over the seeds) against trainable parameters, and median step time against
     * peak tensor memory (peak resident memory for results that lack it).
     */
    static void plot(List<FineTuneResult> results, Path png) throws IOException {
        List<FineTuningMethod> order = results.stream().map(FineTuneResult::method).distinct()
                .map(FineTuningMethods::named).toList();
        ScatterPlot quality = new ScatterPlot("ViT (Fashion-MNIST) → digits: accuracy",
                "trainable parameters (log scale)", "test accuracy (%), mean ± std", true);
        List<DemoTable.Row> rows = DemoTable.rows(results, order);
        boolean tensors = rows.stream().allMatch(r -> r.tensorMb() > 0);
        ScatterPlot cost = new ScatterPlot("… and what a training step costs",
                tensors ? "peak tensor memory (MB)" : "peak memory (MB)", "median step (ms)", false);
        for (DemoTable.Row r : rows) {
            quality.add(Math.max(1, r.trainable()), 100 * r.accMean(), 100 * r.accStd(), r.label());
            double mb = tensors ? r.tensorMb() : r.peakMb();
            if (r.medianStepMs() > 0 && mb > 0) {
                cost.add(mb, r.medianStepMs(), r.label());
            }
        }
        if (cost.points().isEmpty()) {
            quality.write(png, 900, 560);
        } else {
            ScatterPlot.writeSideBySide(png, 760, 560, quality, cost);
        }
    }
}
