package org.wegeft.cli.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.run;
import static org.wegeft.cli.CliRun.runJson;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.wegeft.cli.CliRun.Result;

/** {@code wegeft bench train} and {@code bench forward} on the smallest benchmark model, one step each. */
class BenchCommandsTest {
    /** {@code args} followed by {@code more}. */
    private static String[] plus(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void trainPrintsOneJsonLineWithTheMeasuredFields() throws Exception {
        JsonNode j = runJson("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "1",
                "--steps", "2", "--warmup", "0", "--gemm-n", "64", "--profile");
        for (String f : new String[] {"step_ms_median", "peak_rss_mb", "trainable", "total", "mfu", "gemm_gflops",
                "gflop_per_step", "profile_by_kernel"}) {
            assertTrue(j.has(f), "missing " + f + " in " + j);
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
        JsonNode j = runJson("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "1",
                "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--grad-checkpointing=selective");
        assertTrue(j.get("grad_checkpointing").asBoolean(), j.toString());
        assertEquals("attention_and_down_projections", j.get("checkpoint_keep").asText(), j.toString());
        j = runJson("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "1", "--steps", "1",
                "--warmup", "0", "--gemm-n", "0", "--grad-checkpointing");
        assertEquals("nothing", j.get("checkpoint_keep").asText(), j.toString());
    }

    @Test
    void recomputingActivationsIsReportedAndTrainsTheSame() throws Exception {
        String[] args = {"bench", "train", "--model", "vit-ti16", "--method", "full", "--batch", "1", "--steps", "2",
                "--warmup", "0", "--gemm-n", "0"};
        JsonNode k = runJson(args);
        JsonNode r = runJson(plus(args, "--recompute-activations"));
        assertFalse(k.get("recompute_activations").asBoolean(), k.toString());
        assertTrue(r.get("recompute_activations").asBoolean(), r.toString());
        assertEquals(k.get("last_loss").asDouble(), r.get("last_loss").asDouble(), 0.0,
                "two steps of full fine-tuning give the same loss, bit for bit");
    }

    @Test
    void gradientAccumulationSplitsTheBatchAndIsReported() throws Exception {
        JsonNode j = runJson("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "2",
                "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--grad-accumulation", "2");
        assertEquals(2, j.get("grad_accumulation").asInt(), j.toString());
        assertEquals(1, j.get("micro_batch").asInt(), j.toString());
        assertEquals(2, j.get("batch").asInt(), j.toString());
        Result r = run("bench", "train", "--model", "vit-ti16", "--method", "wegeft", "--batch", "2", "--steps", "1",
                "--warmup", "0", "--gemm-n", "0", "--grad-accumulation", "3");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("--grad-accumulation 3 does not divide the batch of 2"), r.err());
    }

    @Test
    void forwardComparesAMergedModelWithItsBase() throws Exception {
        JsonNode j = runJson("bench", "forward", "--model", "vit-ti16", "--batch", "1", "--rounds", "1", "--runs", "1",
                "--warmup", "0");
        assertTrue(j.get("ratio_merged_to_base").asDouble() > 0);
        assertTrue(j.get("max_abs_output_difference").asDouble() > 0, "the merge changed nothing: " + j);
        assertEquals(j.get("parameters_base").asLong(), j.get("parameters_merged").asLong());
    }

    @Test
    void bf16WeightsTrainTheSameAdaptersAndAreReported() throws Exception {
        String[] args = {"bench", "train", "--model", "llama-tiny", "--method", "wegeft", "--batch", "1", "--seq", "8",
                "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--rank", "4"};
        JsonNode a = runJson(args);
        JsonNode b = runJson(plus(args, "--dtype", "bf16"));
        assertEquals("f32", a.get("dtype").asText(), a.toString());
        assertEquals("bf16", b.get("dtype").asText(), b.toString());
        assertEquals(a.get("trainable").asLong(), b.get("trainable").asLong());
        assertEquals(a.get("total").asLong(), b.get("total").asLong());
        // the same model up to bf16 rounding of its weights: a close but not identical loss
        double la = a.get("last_loss").asDouble();
        double lb = b.get("last_loss").asDouble();
        assertTrue(Math.abs(la - lb) < 1e-2 && la != lb, la + " vs " + lb);
    }

    @Test
    void twoReplicasReportTheWaitForTheirGradientAllReduce() throws Exception {
        JsonNode j = runJson("bench", "train", "--model", "llama-tiny", "--method", "lora", "--batch", "1", "--seq",
                "8", "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--rank", "4", "--replicas", "2",
                "--bucket-mb", "1");
        assertEquals(2, j.get("replicas").asInt(), j.toString());
        assertEquals(1, j.get("bucket_mb").asInt(), j.toString());
        double share = j.get("sync_share").asDouble();
        assertTrue(share > 0 && share < 1, j.toString());
        assertTrue(j.get("sync_ms_median").asDouble() > 0, j.toString());
        assertTrue(j.get("wait_share_max").asDouble() > 0, j.toString());
    }

    @Test
    void aBf16ProbeTrainsAFloat32LmHead() throws Exception {
        JsonNode j = runJson("bench", "train", "--model", "llama-tiny", "--method", "probe", "--batch", "1",
                "--seq", "8", "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--dtype", "bf16");
        assertEquals(32_000L * 512, j.get("trainable").asLong(), j.toString());
    }

    @Test
    void makeModelWritesALlamaTinyFolderThatLoads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path out = tmp.resolve("llama-tiny");
        JsonNode j = runJson("bench", "make-model", "--model", "llama-tiny", "--dtype", "bf16", "--shards", "2",
                "--out", out.toString(), "--seed", "3");
        assertEquals("bf16", j.get("dtype").asText());
        assertEquals(2 * j.get("parameters").asLong(), j.get("bytes").asLong(), "two bytes a parameter");
        assertEquals("model-00002-of-00002.safetensors", j.get("files").get(1).asText(), j.toString());
        try (org.wegeft.llm.CausalLM lm = org.wegeft.llm.CausalLM.fromPretrained(out)) {
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
