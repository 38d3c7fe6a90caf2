package org.wegeft.examples.llmdemo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.examples.FlagCheck;
import org.wegeft.examples.ProcStatus;
import org.wegeft.llm.LlamaConfig;
import org.wegeft.llm.LlamaForCausalLM;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmBatchSource;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.BaselineMethod;
import org.wegeft.peft.MethodOptions;
import org.wegeft.tensor.MemoryStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench llm-memory}: peak training memory of a randomly initialised ~100M-parameter LLaMA (vocab
 * 32000, hidden 768, 12 layers, 12 heads, MLP 2048, tied embeddings: 109.5M parameters) for (a) WeGeFT (r 64,
 * alpha 128, dropout 0.1, q,k,v,up,down each tied across layers) with gradient checkpointing and (b) full
 * fine-tuning, both with AdamW at the same batch and sequence length. Without {@code --method} each runs in a
 * fresh child JVM (same JVM flags, the same explicit {@code -Xmx}), and the command prints one JSON line per
 * method and one with the ratio; with {@code --method} it runs that one here and prints its JSON line.
 *
 * <p>Peak memory is the process's peak resident set, VmHWM from {@code /proc/self/status} (Java heap + native,
 * tensors live off-heap); beside it the Java heap's peak (sum of the heap pools' peaks) and the tensor pool's
 * peak live bytes ({@link MemoryStats}).
 */
@Command(name = "llm-memory", mixinStandardHelpOptions = true,
        description = "Peak memory of WeGeFT + gradient checkpointing vs full fine-tuning of a ~100M LLaMA.")
public final class BenchLlmMemoryCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--method", paramLabel = "NAME",
            description = "run one method in this JVM (default: --adapter-method and full fine-tuning, each in a fresh "
                    + "child JVM)")
    @Nullable String method;

    @Option(names = "--adapter-method", defaultValue = "wegeft", paramLabel = "NAME",
            description = "the adapter method compared with full fine-tuning (default: ${DEFAULT-VALUE})")
    String adapterMethod = "wegeft";

    @Option(names = "--grad-checkpointing", description = "with --method: recompute block activations in backward")
    boolean gradCheckpointing;

    @Option(names = "--batch", defaultValue = "2", description = "sequences per step (default ${DEFAULT-VALUE})")
    int batch = 2;

    @Option(names = "--seq", defaultValue = "256", description = "tokens per sequence (default ${DEFAULT-VALUE})")
    int seq = 256;

    @Option(names = "--steps", defaultValue = "2", description = "optimizer steps (default ${DEFAULT-VALUE})")
    int steps = 2;

    @Option(names = "--vocab", defaultValue = "32000", description = "vocabulary (default ${DEFAULT-VALUE})")
    int vocab = 32000;

    @Option(names = "--hidden", defaultValue = "768", description = "hidden size (default ${DEFAULT-VALUE})")
    int hidden = 768;

    @Option(names = "--layers", defaultValue = "12", description = "decoder layers (default ${DEFAULT-VALUE})")
    int layers = 12;

    @Option(names = "--heads", defaultValue = "12", description = "attention heads (default ${DEFAULT-VALUE})")
    int heads = 12;

    @Option(names = "--intermediate", defaultValue = "2048", description = "MLP width (default ${DEFAULT-VALUE})")
    int intermediate = 2048;

    @Option(names = "--rank", defaultValue = "64", description = "WeGeFT rank (default ${DEFAULT-VALUE})")
    int rank = 64;

    @Option(names = "--xmx", defaultValue = "1g", description = "-Xmx of each child JVM (default ${DEFAULT-VALUE})")
    String xmx = "1g";

    @Override
    public Integer call() throws IOException, InterruptedException {
        validate();
        PrintWriter stdout = spec.commandLine().getOut();
        if (method != null) {
            stdout.println(JSON.writeValueAsString(runHere(method, gradCheckpointing)));
            stdout.flush();
            return 0;
        }
        JsonNode peft = child(FlagCheck.method(spec, "--adapter-method", adapterMethod).name(), true);
        stdout.println(JSON.writeValueAsString(peft));
        stdout.flush();
        JsonNode full = child(BaselineMethod.FULL.name(), false);
        stdout.println(JSON.writeValueAsString(full));
        ObjectNode ratio = JSON.createObjectNode();
        double r = peft.get("peak_rss_mb").asDouble() / full.get("peak_rss_mb").asDouble();
        ratio.put("ratio_peak_rss", r);
        ratio.put("ratio_pool_peak_live", peft.get("pool_peak_live_mb").asDouble()
                / full.get("pool_peak_live_mb").asDouble());
        ratio.put("ratio_heap_peak", peft.get("heap_peak_mb").asDouble() / full.get("heap_peak_mb").asDouble());
        ratio.put("xmx", xmx);
        ratio.put("ratio_at_most_half", r <= 0.5);
        stdout.println(JSON.writeValueAsString(ratio));
        stdout.flush();
        return 0;
    }

    private void validate() {
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        FlagCheck.atLeast(spec, "--seq", seq, 2);
        FlagCheck.atLeast(spec, "--steps", steps, 1);
        FlagCheck.atLeast(spec, "--vocab", vocab, 2);
        FlagCheck.atLeast(spec, "--hidden", hidden, 2);
        FlagCheck.atLeast(spec, "--layers", layers, 1);
        FlagCheck.atLeast(spec, "--heads", heads, 1);
        FlagCheck.atLeast(spec, "--intermediate", intermediate, 1);
        FlagCheck.atLeast(spec, "--rank", rank, 1);
        if (method != null) {
            FlagCheck.method(spec, "--method", method);
        }
        if (method == null && gradCheckpointing) {
            throw new IllegalArgumentException("--grad-checkpointing needs --method (both-method runs use it for"
                    + " the adapter method only)");
        }
        if (hidden % heads != 0 || (hidden / heads) % 2 != 0) {
            throw new IllegalArgumentException("--heads " + heads + " must divide --hidden " + hidden
                    + " into an even head size");
        }
        if (!xmx.matches("\\d+[kKmMgG]?")) {
            throw new IllegalArgumentException("--xmx: expected a size like 1g or 768m, got '" + xmx + "'");
        }
    }

    LlamaConfig config() {
        return LlamaConfig.tiny(vocab, hidden, intermediate, layers, heads, heads).withTieWordEmbeddings(true);
    }

    private ObjectNode runHere(String m, boolean gc) {
        long t0 = System.nanoTime();
        LlamaConfig cfg = config();
        try (LlamaForCausalLM lm = new LlamaForCausalLM(cfg, 0)) {
            long params = lm.parameterCount();
            // the method's own alpha and dropout (WeGeFT: 2·r and 0.1), each target tied across layers
            FlagCheck.method(spec, "--method", m).apply(lm, new MethodOptions(rank, null, null, DemoLlmCommand.TARGETS,
                    true, List.of(), List.of("lm_head")), 0);
            lm.gradientCheckpointing(gc);
            LmBatchSource source = new LmBatchSource(randomBatch(), batch, 0, false);
            TrainConfig tc = TrainConfig.steps(steps, 1e-4).withLogEvery(1);
            Trainer<LmBatch> trainer = new Trainer<>(lm, tc, (mod, b) -> DemoTraining.loss(lm, b), source);
            trainer.progress(System.err, false);
            long t1 = System.nanoTime();
            trainer.run();
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            ObjectNode o = JSON.createObjectNode();
            o.put("method", m + (gc ? "+grad_checkpointing" : ""));
            o.put("parameters", params);
            o.put("trainable_parameters", lm.trainableParameterCount());
            o.put("batch", batch);
            o.put("seq", seq);
            o.put("steps", steps);
            o.put("peak_rss_mb", round(ProcStatus.mb("VmHWM:")));
            o.put("heap_peak_mb", round(ProcStatus.heapPeakBytes() / 1048576.0));
            o.put("heap_max_mb", round(Runtime.getRuntime().maxMemory() / 1048576.0));
            o.put("pool_peak_live_mb", round(MemoryStats.current().peakLiveBytes() / 1048576.0));
            o.put("seconds_per_step", round(trainSeconds / steps));
            o.put("total_seconds", round((System.nanoTime() - t0) / 1e9));
            return o;
        }
    }

    private List<Example> randomBatch() {
        SplittableRandom rng = new SplittableRandom(0);
        List<Example> rows = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] ids = new int[seq];
            for (int i = 0; i < seq; i++) {
                ids[i] = rng.nextInt(vocab);
            }
            rows.add(Example.of(ids));
        }
        return rows;
    }

    /** Runs {@code --method m} in a fresh JVM with this JVM's flags and {@code -Xmx}; its last JSON line. */
    private JsonNode child(String m, boolean gc) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Xmx") && !a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xmx" + xmx);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.wegeft.examples.WegeftCli", "bench",
                "llm-memory", "--method", m, "--batch", "" + batch, "--seq", "" + seq, "--steps", "" + steps,
                "--vocab", "" + vocab, "--hidden", "" + hidden, "--layers", "" + layers, "--heads", "" + heads,
                "--intermediate", "" + intermediate, "--rank", "" + rank));
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

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
