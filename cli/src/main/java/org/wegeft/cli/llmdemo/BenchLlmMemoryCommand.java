package org.wegeft.cli.llmdemo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.peft.BaselineMethod;
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
            stdout.println(JSON.writeValueAsString(LlmMemoryRuns.runHere(this, method, gradCheckpointing)));
            stdout.flush();
            return 0;
        }
        String adapter = FlagCheck.method(spec, "--adapter-method", adapterMethod).name();
        JsonNode peft = LlmMemoryRuns.child(this, adapter, true);
        stdout.println(JSON.writeValueAsString(peft));
        stdout.flush();
        JsonNode full = LlmMemoryRuns.child(this, BaselineMethod.FULL.name(), false);
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

    DecoderConfig config() {
        return DecoderConfig.tiny(vocab, hidden, intermediate, layers, heads, heads).withTieWordEmbeddings(true);
    }

}
