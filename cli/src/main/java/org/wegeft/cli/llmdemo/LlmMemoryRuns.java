package org.wegeft.cli.llmdemo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ProcStatus;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.tensor.MemoryStats;

/** The runs of {@code bench llm-memory}: one method trained here, or in a child JVM. */
final class LlmMemoryRuns {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private LlmMemoryRuns() {
    }

    static ObjectNode runHere(BenchLlmMemoryCommand c, String m, boolean gc) {
        long t0 = System.nanoTime();
        DecoderConfig cfg = c.config();
        try (CausalLM lm = new CausalLM(cfg, 0)) {
            long params = lm.parameterCount();
            // the method's own alpha and dropout (WeGeFT: 2·r and 0.1), each target tied across layers
            FineTuningMethod method = FlagCheck.method(c.spec, "--method", m);
            method.apply(lm, CausalLmTraining.options(method, c.rank, null, null, CausalLmTraining.DEFAULT_TARGETS,
                    true), 0);
            lm.gradientCheckpointing(gc);
            LmBatchSource source = new LmBatchSource(randomBatch(c), c.batch, 0, false);
            TrainConfig tc = TrainConfig.steps(c.steps, 1e-4).withLogEvery(1);
            Trainer<LmBatch> trainer = new Trainer<>(lm, tc, CausalLmTraining.objective(), source);
            trainer.progress(System.err, false);
            long t1 = System.nanoTime();
            trainer.run();
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            ObjectNode o = JSON.createObjectNode();
            o.put("method", m + (gc ? "+grad_checkpointing" : ""));
            o.put("parameters", params);
            o.put("trainable_parameters", lm.trainableParameterCount());
            o.put("batch", c.batch);
            o.put("seq", c.seq);
            o.put("steps", c.steps);
            o.put("peak_rss_mb", round(ProcStatus.mb("VmHWM:")));
            o.put("heap_peak_mb", round(ProcStatus.heapPeakBytes() / 1048576.0));
            o.put("heap_max_mb", round(Runtime.getRuntime().maxMemory() / 1048576.0));
            o.put("pool_peak_live_mb", round(MemoryStats.current().peakLiveBytes() / 1048576.0));
            o.put("seconds_per_step", round(trainSeconds / c.steps));
            o.put("total_seconds", round((System.nanoTime() - t0) / 1e9));
            return o;
        }
    }

    static List<Example> randomBatch(BenchLlmMemoryCommand c) {
        SplittableRandom rng = new SplittableRandom(0);
        List<Example> rows = new ArrayList<>();
        for (int b = 0; b < c.batch; b++) {
            int[] ids = new int[c.seq];
            for (int i = 0; i < c.seq; i++) {
                ids[i] = rng.nextInt(c.vocab);
            }
            rows.add(Example.of(ids));
        }
        return rows;
    }

    /** Runs {@code --method m} in a fresh JVM with this JVM's flags and {@code -Xmx}; its last JSON line. */
    static JsonNode child(BenchLlmMemoryCommand c, String m, boolean gc) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Xmx") && !a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx" + c.xmx);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.wegeft.cli.WegeftCli", "bench",
                "llm-memory", "--method", m, "--batch", "" + c.batch, "--seq", "" + c.seq, "--steps", "" + c.steps,
                "--vocab", "" + c.vocab, "--hidden", "" + c.hidden, "--layers", "" + c.layers, "--heads", "" + c.heads,
                "--intermediate", "" + c.intermediate, "--rank", "" + c.rank));
        if (gc) {
            cmd.add("--grad-checkpointing");
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        String last = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("{")) {
                last = line;
            }
        }
        if (status != 0 || last == null) {
            throw new IllegalStateException("bench llm-memory: the child JVM for " + m + " exited with status "
                    + status + " and printed: " + out.strip());
        }
        return JSON.readTree(last);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
