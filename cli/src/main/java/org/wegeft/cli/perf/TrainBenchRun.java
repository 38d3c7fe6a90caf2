package org.wegeft.cli.perf;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.ProcStatus;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.Parallel;
import org.wegeft.kernels.ProfilingBackend;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.SampleStats;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TrainableReport;
import org.wegeft.tensor.MemoryStats;

/** One {@code bench train} run: the model, its method, timed steps, memory, FLOPs, the JSON line, the profile. */
final class TrainBenchRun {
    private TrainBenchRun() {
    }

    @SuppressWarnings("unchecked")
    static ObjectNode run(BenchTrainCommand c, BenchModel m, FineTuningMethod meth, DType weights, int b, int t,
            KernelBackend kb, @Nullable ProfilingBackend prof) {
        Module net = m.build(c.seed, weights, c.quantization);
        PeftModel peft = m.apply(net, meth, c.rank, (float) c.dropout, c.seed);
        if (net instanceof org.wegeft.vision.VisionTransformer vit) {
            if (c.keep != null) {
                vit.gradientCheckpointing(c.keep);
            }
            vit.recomputeActivations(c.recomputeActivations);
        } else {
            org.wegeft.llm.CausalLM lm = (org.wegeft.llm.CausalLM) net;
            if (c.keep != null) {
                lm.gradientCheckpointing(c.keep);
            }
            lm.recomputeActivations(c.recomputeActivations);
        }
        TrainableReport report = peft.trainableReport();
        // each optimizer step takes `accumulation` micro-batches; two steps' worth of distinct data, cycled
        BenchModel.Workload<Object> w = (BenchModel.Workload<Object>) m.workload(b / c.accumulation, t,
                2 * c.accumulation, c.seed + 1);
        StepFunction<Object> loss = w.loss();
        double[] ms = new double[c.steps];
        float[] firstLoss = new float[1];
        float[] lastLoss = new float[1];
        Trainer<Object> trainer = new Trainer<>(net, TrainConfig.steps(c.warmup + c.steps, 1e-4).withLogEvery(0)
                .withAccumulation(c.accumulation),
                loss, w.source()).progress(null, false).onStep((step, l, nanos) -> {
                    if (step == c.warmup && prof != null) {
                        prof.reset();
                    }
                    if (step > c.warmup) {
                        ms[(int) (step - c.warmup - 1)] = nanos / 1e6;
                    }
                    if (step == 1) {
                        firstLoss[0] = l; // step 1 sees the untrained model: backends compare on it
                    }
                    lastLoss[0] = l;
                    System.err.printf("bench train %s %s: step %d/%d %.1f ms loss %.4f%n", m.id(), meth.name(), step,
                            c.warmup + c.steps, nanos / 1e6, l);
                });
        trainer.run();
        double[] sorted = ms.clone();
        java.util.Arrays.sort(sorted);
        double median = SampleStats.of(sorted);
        double peakRss = ProcStatus.mb("VmHWM:");
        MemoryStats pool = MemoryStats.current();
        double poolPeak = pool.peakLiveBytes() / 1048576.0;
        double poolHeld = pool.peakHeldBytes() / 1048576.0;
        TrainFlops flops = m.flops(meth, c.rank, b, t);
        double achieved = flops.total() / (median / 1e3) / 1e9;
        if (prof != null) {
            Backends.setCurrent(kb);
        }
        Double gemm = null;
        if (c.gemmN > 0) {
            gemm = GemmRate.measure(kb, c.gemmN, false, -1, 2.0, 10).gflops();
        }
        ObjectNode o = JsonMapper.builder().build().createObjectNode();
        o.put("bench", "train");
        o.put("impl", "wegeft-jvm");
        o.put("model", m.id());
        o.put("method", meth.name());
        o.put("dtype", BenchModel.dtypeName(weights));
        if (c.quantization != null) {
            o.put("quantize", c.quantization.format().name().toLowerCase(java.util.Locale.ROOT));
            o.put("double_quant", c.quantization.doubleQuant());
        }
        o.put("dropout", c.dropout);
        o.put("backend", kb.name());
        o.put("threads", Parallel.threads());
        o.put("batch", b);
        if (m.isLlm()) {
            o.put("seq", t);
        }
        o.put("rank", c.rank);
        o.put("grad_accumulation", c.accumulation);
        o.put("micro_batch", b / c.accumulation);
        o.put("grad_checkpointing", c.keep != null);
        if (c.keep != null) {
            o.put("checkpoint_keep", c.keep.name().toLowerCase(java.util.Locale.ROOT));
        }
        o.put("recompute_activations", c.recomputeActivations);
        o.put("warmup", c.warmup);
        o.put("steps", c.steps);
        o.put("step_ms_median", round(median, 2));
        o.put("step_ms_min", round(sorted[0], 2));
        o.put("step_ms_max", round(sorted[sorted.length - 1], 2));
        ArrayNode all = o.putArray("step_ms");
        Arrays.stream(ms).forEach(x -> all.add(round(x, 2)));
        o.put("peak_rss_mb", round(peakRss, 1));
        o.put("pool_peak_live_mb", round(poolPeak, 1));
        o.put("pool_peak_held_mb", round(poolHeld, 1));
        o.put("heap_peak_mb", round(ProcStatus.heapPeakBytes() / 1048576.0, 1));
        o.put("trainable", report.trainable());
        o.put("total", report.total());
        o.put("gflop_per_step", round(flops.total() / 1e9, 3));
        o.put("gflop_forward", round(flops.forward() / 1e9, 3));
        o.put("gflop_backward", round(flops.backward() / 1e9, 3));
        o.put("achieved_gflops", round(achieved, 1));
        if (gemm != null) {
            o.put("gemm_n", c.gemmN);
            o.put("gemm_gflops", round(gemm, 1));
            o.put("mfu", round(achieved / gemm, 3));
        }
        o.put("first_loss", firstLoss[0]);
        o.put("last_loss", lastLoss[0]);
        if (prof != null) {
            profileReport(c, prof, o, m.id() + " " + o.get("method").asText());
        }
        return o;
    }

    /** The per-step kernel times: a table on stderr, the top entries into {@code o}. */
    static void profileReport(BenchTrainCommand c, ProfilingBackend prof, ObjectNode o, String what) {
        double total = 0;
        for (ProfilingBackend.Line l : prof.byKernel()) {
            total += l.nanos();
        }
        double stepMs = o.get("step_ms_median").asDouble();
        System.err.printf("%nkernel profile of %s, per step (median step %.1f ms; kernels %.1f ms)%n", what, stepMs,
                total / 1e6 / c.steps);
        ArrayNode byKernel = o.putArray("profile_by_kernel");
        for (ProfilingBackend.Line l : prof.byKernel()) {
            double ms = l.nanos() / 1e6 / c.steps;
            System.err.printf("  %9.2f ms %5.1f%% %6d calls %8.1f MB heap  %s%n", ms, 100 * l.nanos() / total,
                    l.calls() / c.steps, l.heapBytes() / 1048576.0 / c.steps, l.kernel());
            byKernel.addObject().put("kernel", l.kernel()).put("ms_per_step", round(ms, 2))
                    .put("calls_per_step", l.calls() / c.steps)
                    .put("heap_mb_per_step", round(l.heapBytes() / 1048576.0 / c.steps, 2));
        }
        System.err.println("  top kernel calls by shape:");
        ArrayNode top = o.putArray("profile_top");
        int shown = 0;
        for (ProfilingBackend.Line l : prof.lines()) {
            if (shown++ == 40) {
                break;
            }
            double ms = l.nanos() / 1e6 / c.steps;
            System.err.printf("  %9.2f ms %5.1f%% %6d calls %8.1f MB heap  %s%n", ms, 100 * l.nanos() / total,
                    l.calls() / c.steps, l.heapBytes() / 1048576.0 / c.steps, l.kernel());
            if (shown <= 15) {
                top.addObject().put("kernel", l.kernel()).put("ms_per_step", round(ms, 2))
                        .put("calls_per_step", l.calls() / c.steps);
            }
        }
        o.put("kernels_ms_per_step", round(total / 1e6 / c.steps, 2));
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
