package org.wegeft.cli.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.wegeft.cli.WegeftCli;

/** {@code wegeft bench train} and {@code bench forward} on the smallest benchmark model, one step each. */
class BenchCommandsTest {
    private static final JsonMapper JSON = new JsonMapper();

    private record Result(int status, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = WegeftCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void trainPrintsOneJsonLineWithTheMeasuredFields() throws Exception {
        Result r = run("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "1", "--steps", "2",
                "--warmup", "0", "--gemm-n", "64", "--profile");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        for (String f : new String[] {"step_ms_median", "peak_rss_mb", "trainable", "total", "mfu", "gemm_gflops",
                "gflop_per_step", "profile_by_kernel"}) {
            assertTrue(j.has(f), "missing " + f + " in " + r.out());
        }
        assertTrue(j.get("step_ms_median").asDouble() > 0);
        // WeGeFT, r 16, one tied pair per target name (d_in 192, 192, 192, 768) + the 100-class head
        assertEquals(2 * 16 * (192 * 3 + 768) + 192 * 100 + 100, j.get("trainable").asLong());
        assertTrue(j.get("total").asLong() > 5_000_000);
        assertTrue(j.get("mfu").asDouble() > 0);
        assertTrue(j.get("profile_by_kernel").size() > 3, "kernel profile: " + j.get("profile_by_kernel"));
    }

    @Test
    void selectiveCheckpointingIsReported() throws Exception {
        Result r = run("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "1", "--steps", "1",
                "--warmup", "0", "--gemm-n", "0", "--grad-checkpointing=selective");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        assertTrue(j.get("grad_checkpointing").asBoolean(), r.out());
        assertEquals("attention_and_down_projections", j.get("checkpoint_keep").asText(), r.out());
        r = run("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "1", "--steps", "1",
                "--warmup", "0", "--gemm-n", "0", "--grad-checkpointing");
        assertEquals(0, r.status(), r.err());
        assertEquals("nothing", JSON.readTree(r.out().strip()).get("checkpoint_keep").asText(), r.out());
    }

    @Test
    void recomputingActivationsIsReportedAndTrainsTheSame() throws Exception {
        String[] args = {"bench", "train", "--model", "vit-ti16", "--method", "full", "--batch", "1", "--steps", "2",
                "--warmup", "0", "--gemm-n", "0"};
        Result kept = run(args);
        assertEquals(0, kept.status(), kept.err());
        String[] with = java.util.Arrays.copyOf(args, args.length + 1);
        with[args.length] = "--recompute-activations";
        Result recomputed = run(with);
        assertEquals(0, recomputed.status(), recomputed.err());
        JsonNode k = JSON.readTree(kept.out().strip());
        JsonNode r = JSON.readTree(recomputed.out().strip());
        assertFalse(k.get("recompute_activations").asBoolean(), kept.out());
        assertTrue(r.get("recompute_activations").asBoolean(), recomputed.out());
        assertEquals(k.get("last_loss").asDouble(), r.get("last_loss").asDouble(), 0.0,
                "two steps of full fine-tuning give the same loss, bit for bit");
    }

    @Test
    void gradientAccumulationSplitsTheBatchAndIsReported() throws Exception {
        Result r = run("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "2", "--steps", "1",
                "--warmup", "0", "--gemm-n", "0", "--grad-accumulation", "2");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        assertEquals(2, j.get("grad_accumulation").asInt(), r.out());
        assertEquals(1, j.get("micro_batch").asInt(), r.out());
        assertEquals(2, j.get("batch").asInt(), r.out());
        r = run("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "2", "--steps", "1",
                "--warmup", "0", "--gemm-n", "0", "--grad-accumulation", "3");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--grad-accumulation 3 does not divide the batch of 2"), r.err());
    }

    @Test
    void forwardComparesAMergedModelWithItsBase() throws Exception {
        Result r = run("bench", "forward", "--model", "vit-ti16", "--batch", "1", "--rounds", "1", "--runs", "1",
                "--warmup", "0");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        assertTrue(j.get("ratio_merged_to_base").asDouble() > 0);
        assertTrue(j.get("max_abs_output_difference").asDouble() > 0, "the merge changed nothing: " + r.out());
        assertEquals(j.get("parameters_base").asLong(), j.get("parameters_merged").asLong());
    }

    @Test
    void bf16WeightsTrainTheSameAdaptersAndAreReported() throws Exception {
        String[] args = {"bench", "train", "--model", "llama-tiny", "--method", "wegeft", "--batch", "1", "--seq", "8",
                "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--rank", "4"};
        Result f32 = run(args);
        assertEquals(0, f32.status(), f32.err());
        String[] with = java.util.Arrays.copyOf(args, args.length + 2);
        with[args.length] = "--dtype";
        with[args.length + 1] = "bf16";
        Result bf16 = run(with);
        assertEquals(0, bf16.status(), bf16.err());
        JsonNode a = JSON.readTree(f32.out().strip());
        JsonNode b = JSON.readTree(bf16.out().strip());
        assertEquals("f32", a.get("dtype").asText(), f32.out());
        assertEquals("bf16", b.get("dtype").asText(), bf16.out());
        assertEquals(a.get("trainable").asLong(), b.get("trainable").asLong());
        assertEquals(a.get("total").asLong(), b.get("total").asLong());
        // the same model up to bf16 rounding of its weights: a close but not identical loss
        double la = a.get("last_loss").asDouble();
        double lb = b.get("last_loss").asDouble();
        assertTrue(Math.abs(la - lb) < 1e-2 && la != lb, la + " vs " + lb);
    }

    @Test
    void aBf16ProbeTrainsAFloat32LmHead() throws Exception {
        Result r = run("bench", "train", "--model", "llama-tiny", "--method", "probe", "--batch", "1", "--seq", "8",
                "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--dtype", "bf16");
        assertEquals(0, r.status(), r.err());
        assertEquals(32_000L * 512, JSON.readTree(r.out().strip()).get("trainable").asLong(), r.out());
    }

    @Test
    void makeModelWritesALlamaTinyFolderThatLoads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path out = tmp.resolve("llama-tiny");
        Result r = run("bench", "make-model", "--model", "llama-tiny", "--dtype", "bf16", "--shards", "2", "--out",
                out.toString(), "--seed", "3");
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out().strip());
        assertEquals("bf16", j.get("dtype").asText());
        assertEquals(2 * j.get("parameters").asLong(), j.get("bytes").asLong(), "two bytes a parameter");
        assertEquals("model-00002-of-00002.safetensors", j.get("files").get(1).asText(), r.out());
        try (org.wegeft.llm.LlamaForCausalLM lm = org.wegeft.llm.LlamaForCausalLM.fromPretrained(out)) {
            assertEquals(j.get("parameters").asLong(), lm.parameterCount());
            assertEquals(BenchModel.LLAMA_TINY.build(0).parameterCount(), lm.parameterCount());
        }
    }

    @Test
    void badFlagsAreNamed() {
        Result r = run("bench", "train", "--model", "vit-xx", "--method", "wegeft");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--model") && r.err().contains("vit-xx"), r.err());
        r = run("bench", "train", "--model", "vit-ti16", "--method", "adalora");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--method"), r.err());
        r = run("bench", "train", "--model", "vit-ti16", "--method", "lora", "--seq", "64");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--seq"), r.err());
        r = run("bench", "train", "--model", "vit-ti16", "--method", "lora", "--grad-checkpointing=some");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--grad-checkpointing") && r.err().contains("some"), r.err());
        r = run("bench", "train", "--model", "llama-1b", "--method", "lora", "--dtype", "f16");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--dtype") && r.err().contains("f16"), r.err());
        r = run("bench", "make-model", "--model", "vit-l16", "--out", "unused");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--model") && r.err().contains("vit-l16"), r.err());
        r = run("bench", "make-model", "--model", "llama-1b", "--dtype", "int8", "--out", "unused");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--dtype") && r.err().contains("int8"), r.err());
        r = run("bench", "make-model", "--model", "llama-1b", "--out", "unused", "--tokenizer-from", "no/such/dir");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--tokenizer-from"), r.err());
        r = run("bench", "forward", "--model", "llama-tiny", "--runs", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--runs"), r.err());
    }
}
