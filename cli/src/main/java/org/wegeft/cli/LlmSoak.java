package org.wegeft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.wegeft.cli.llm.LlmTrainCommand;
import org.wegeft.cli.llmdemo.ArithmeticTask;
import org.wegeft.cli.plot.ScatterPlot;
import org.wegeft.kernels.io.AtomicFiles;
import picocli.CommandLine;

/**
 * {@code wegeft bench soak --model DIR}: the soak at real size. It runs {@code llm train} itself (WeGeFT defaults, the
 * same command a user runs) on a model folder for N steps with a checkpoint every K, on generated text (the demo's
 * arithmetic problems, packed into blocks of {@code --seq} tokens), and samples resident memory, off-heap bytes and
 * open file descriptors every S steps ({@link SoakProbe}). It passes when resident and off-heap memory grow less
 * than {@value #GROWTH_LIMIT_PCT} % after warm-up and the descriptor count stays constant. The run goes to
 * {@code <out>/run}; the samples and summary to {@code <out>/soak-report.json} and a plot to {@code <out>/soak.png}.
 *
 * <p>{@link #killResume} runs three child processes instead: the same training uninterrupted ({@code <out>/full}),
 * again killed with SIGKILL at a random moment after its first checkpoint ({@code <out>/killed}), and that run
 * resumed with {@code --resume}; it passes when the resumed run's losses and final adapter are bit-identical to the
 * uninterrupted run's.
 */
final class LlmSoak {
    static final double GROWTH_LIMIT_PCT = 3.0;
    /** The largest number of distinct problems the generated text draws (well inside what the task can make). */
    private static final int MAX_RECORDS = 3000;
    private static final JsonMapper JSON = new JsonMapper();

    /** What one soak trains: the {@code llm train} flags it passes. */
    record Settings(Path model, Path out, String method, long steps, long sampleEvery, long checkpointEvery,
            int batch, int seq, long seed) {
        List<String> trainArgs(Path data, Path runOut) {
            return List.of("llm", "train", "--model", model.toString(), "--method", method, "--data", data.toString(),
                    "--template",
                    "plain", "--pack", "--max-length", String.valueOf(seq), "--batch", String.valueOf(batch),
                    "--steps", String.valueOf(steps), "--checkpoint-every", String.valueOf(checkpointEvery),
                    "--log-every", "1", "--seed", String.valueOf(seed), "--out", runOut.toString());
        }

        ObjectNode json() {
            return JSON.createObjectNode().put("model", model.toString()).put("method", method).put("steps", steps)
                    .put("sample_every", sampleEvery).put("checkpoint_every", checkpointEvery).put("batch", batch)
                    .put("seq", seq).put("seed", seed);
        }
    }

    private LlmSoak() {
    }

    /** The memory soak in this process; prints one JSON line per sample and the summary. */
    static int soak(CommandLine cl, Settings s) throws IOException {
        PrintWriter out = cl.getOut();
        Path data = writeData(s);
        long t0 = System.nanoTime();
        List<SoakProbe.Sample> samples = new ArrayList<>();
        ArrayNode sampleLines = JSON.createArrayNode();
        CommandLine root = WegeftCli.commandLine(out, cl.getErr());
        LlmTrainCommand train = (LlmTrainCommand) root.getSubcommands().get("llm").getSubcommands().get("train")
                .getCommand();
        train.onStep((step, loss, nanos) -> {
            if (step % s.sampleEvery() == 0 || step == s.steps()) {
                SoakProbe.Sample x = SoakProbe.sample(step, loss);
                samples.add(x);
                ObjectNode line = SoakReport.sampleJson(JSON, x).put("step_seconds", nanos / 1e9);
                sampleLines.add(line);
                out.println(line);
                out.flush();
            }
        });
        int status = root.execute(s.trainArgs(data, s.out().resolve("run")).toArray(String[]::new));
        if (status != 0) {
            return status;
        }
        ObjectNode summary = SoakReport.summarize(JSON, samples, s.steps(), GROWTH_LIMIT_PCT);
        summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1e3);
        ObjectNode report = JSON.createObjectNode();
        report.set("settings", s.json());
        report.set("samples", sampleLines);
        report.set("summary", summary);
        AtomicFiles.writeString(s.out().resolve("soak-report.json"), report.toPrettyString());
        plot(samples, s);
        out.println(summary);
        out.flush();
        return summary.path("pass").asBoolean() ? 0 : 1;
    }

    /**
     * Kill and resume: an uninterrupted run, a run killed with SIGKILL at a random step after its first checkpoint
     * (plus a random part of a step), and its resume, each a child process; prints one JSON line with the verdicts.
     */
    static int killResume(CommandLine cl, Settings s) throws IOException, InterruptedException {
        PrintWriter out = cl.getOut();
        Path data = writeData(s);
        Path full = s.out().resolve("full");
        Path killed = s.out().resolve("killed");
        SplittableRandom rng = new SplittableRandom();
        // a step after the first checkpoint and before the last step, so there is something to resume and to redo
        long killStep = s.checkpointEvery() + 1 + rng.nextLong(s.steps() - s.checkpointEvery() - 1);
        progress(cl, "uninterrupted run → " + full);
        int status = child(s.trainArgs(data, full), s.out().resolve("full.log")).waitFor();
        if (status != 0) {
            return childFailed(cl, "the uninterrupted run", status, s.out().resolve("full.log"));
        }
        progress(cl, "run to be killed at step " + killStep + " → " + killed);
        Process victim = child(s.trainArgs(data, killed), s.out().resolve("killed.log"));
        Path metrics = killed.resolve("metrics.jsonl");
        long stepMillis = 1;
        long seen = 0;
        long lastChange = System.nanoTime();
        while (victim.isAlive() && seen < killStep) {
            Thread.sleep(5);
            long now = lastStep(metrics);
            if (now > seen) {
                stepMillis = Math.max(1, (System.nanoTime() - lastChange) / 1_000_000 / Math.max(1, now - seen));
                lastChange = System.nanoTime();
                seen = now;
            }
        }
        if (!victim.isAlive()) {
            return childFailed(cl, "the run to be killed ended (at step " + lastStep(metrics) + ") before step "
                    + killStep + "; give more --steps", victim.exitValue(), s.out().resolve("killed.log"));
        }
        Thread.sleep(rng.nextLong(stepMillis));                 // somewhere inside the next step or checkpoint write
        victim.destroyForcibly();                               // SIGKILL
        victim.waitFor(1, TimeUnit.MINUTES);
        long killedAt = lastStep(metrics);
        progress(cl, "killed after step " + killedAt + "; resuming");
        List<String> resume = new ArrayList<>(s.trainArgs(data, killed));
        resume.add("--resume");
        resume.add(killed.resolve(ResumeCheckpoint.FOLDER).toString());
        status = child(resume, s.out().resolve("resumed.log")).waitFor();
        if (status != 0) {
            return childFailed(cl, "the resumed run", status, s.out().resolve("resumed.log"));
        }
        Map<Long, String> a = lossesByStep(full.resolve("metrics.jsonl"));
        Map<Long, String> b = lossesByStep(metrics);
        long differing = a.entrySet().stream().filter(e -> !e.getValue().equals(b.get(e.getKey()))).count();
        long mismatch = Files.mismatch(full.resolve("adapter_model.safetensors"),
                killed.resolve("adapter_model.safetensors"));
        ObjectNode o = JSON.createObjectNode().put("bench", "soak").put("mode", "kill-resume")
                .put("kill_step", killStep).put("killed_after_step", killedAt)
                .put("losses_compared", a.size()).put("losses_differing", differing)
                .put("adapter_identical", mismatch == -1).put("pass", differing == 0 && a.size() == s.steps()
                        && mismatch == -1);
        o.set("settings", s.json());
        AtomicFiles.writeString(s.out().resolve("kill-resume-report.json"), o.toPrettyString());
        out.println(o);
        out.flush();
        return o.path("pass").asBoolean() ? 0 : 1;
    }

    /** Text records of generated problems, enough for the run's tokens (or the task's limit), in {@code out}. */
    private static Path writeData(Settings s) throws IOException {
        Files.createDirectories(s.out());
        long wanted = s.steps() * s.batch() * s.seq() / 8;                // a problem is 15 to 25 tokens
        int n = (int) Math.max(16, Math.min(MAX_RECORDS, wanted));
        StringBuilder sb = new StringBuilder();
        for (ArithmeticTask.Problem p : ArithmeticTask.generate(n, 0, s.seed()).train()) {
            sb.append(JSON.createObjectNode().put("text", p.question() + " " + p.answer() + ".")).append('\n');
        }
        Path data = s.out().resolve("soak-data.jsonl");
        AtomicFiles.writeString(data, sb.toString());
        return data;
    }

    private static void plot(List<SoakProbe.Sample> samples, Settings s) throws IOException {
        ScatterPlot p = new ScatterPlot("bench soak: " + s.model().getFileName(), "step", "MiB", false);
        List<SoakProbe.Sample> withRss = samples.stream().filter(x -> x.rssBytes() != null).toList();
        if (!withRss.isEmpty()) {
            p.line("resident", withRss.stream().mapToDouble(SoakProbe.Sample::step).toArray(),
                    withRss.stream().mapToDouble(x -> x.rssBytes() / 1048576.0).toArray());
        }
        if (!samples.isEmpty()) {
            p.line("off-heap", samples.stream().mapToDouble(SoakProbe.Sample::step).toArray(),
                    samples.stream().mapToDouble(x -> x.offHeapBytes() / 1048576.0).toArray());
        }
        p.write(s.out().resolve("soak.png"), 900, 500);
    }

    /** This program in a child JVM with this JVM's flags and class path; output to {@code log}. */
    private static Process child(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WegeftCli.class.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The highest step in a metrics file so far (0 when it has none yet). */
    private static long lastStep(Path metrics) {
        try {
            return lossesByStep(metrics).keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        } catch (IOException | RuntimeException e) {
            return 0;                                           // absent, or a line half-written: ask again
        }
    }

    private static int childFailed(CommandLine cl, String what, int status, Path log) {
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + what + " failed with status " + status
                + " (see " + log + ")");
        cl.getErr().flush();
        return status == 0 ? 1 : status;
    }

    private static void progress(CommandLine cl, String line) {
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + line);
        cl.getErr().flush();
    }

    /**
     * Loss of each step logged in a trainer's {@code metrics.jsonl}, as written (step → JSON number text); a step
     * logged twice (a resumed run) keeps the last.
     */
    public static Map<Long, String> lossesByStep(Path metrics) throws IOException {
        Map<Long, String> out = new TreeMap<>();
        for (String line : Files.readAllLines(metrics)) {
            JsonNode n = JSON.readTree(line);
            if (n.has("loss")) {
                out.put(n.get("step").asLong(), n.get("loss").asText());
            }
        }
        return out;
    }
}
