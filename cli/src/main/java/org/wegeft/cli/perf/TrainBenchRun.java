package org.wegeft.cli.perf;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.wegeft.cli.ProcStatus;
import org.wegeft.distributed.GradientAverager;
import org.wegeft.distributed.LoopbackRing;
import org.wegeft.distributed.RingAllReduce;
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

    /** What one replica's timed steps gave: wall times, its wait in gradient averaging (null alone), last loss. */
    private record Timed(double[] stepMs, double @Nullable [] syncMs, float firstLoss, float lastLoss,
            TrainableReport report) {
    }

    static ObjectNode run(BenchTrainCommand c, BenchModel m, FineTuningMethod meth, DType weights, int b, int t,
            KernelBackend kb, @Nullable ProfilingBackend prof) {
        Timed rank0;
        double[] syncCritical = new double[0];
        double waitShareMax = 0;
        if (c.replicas == 1) {
            rank0 = runReplica(c, m, meth, weights, b, t, prof, null);
        } else {
            List<Timed> all;
            try {
                all = LoopbackRing.run(c.replicas, Duration.ofMinutes(10),
                        ring -> runReplica(c, m, meth, weights, b, t, null, ring));
            } catch (IOException | ExecutionException e) {
                throw new IllegalStateException("bench train with " + c.replicas + " replicas failed: "
                        + (e instanceof ExecutionException ? e.getCause() : e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("bench train interrupted", e);
            }
            rank0 = all.getFirst();
            // per step, the replica that ends backward last waits for the communication alone; the others also
            // wait for it (on shared cores, for its compute)
            syncCritical = new double[c.steps];
            Arrays.fill(syncCritical, Double.MAX_VALUE);
            for (Timed x : all) {
                for (int i = 0; i < c.steps; i++) {
                    syncCritical[i] = Math.min(syncCritical[i], x.syncMs()[i]);
                }
                waitShareMax = Math.max(waitShareMax, Arrays.stream(x.syncMs()).sum() / Arrays.stream(x.stepMs()).sum());
            }
        }
        double[] ms = rank0.stepMs();
        TrainableReport report = rank0.report();
        float[] lastLoss = {rank0.lastLoss()};
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
        if (c.replicas > 1) {
            o.put("replicas", c.replicas);
            o.put("bucket_mb", c.bucketMb);
            o.put("sync_share", round(Arrays.stream(syncCritical).sum() / Arrays.stream(ms).sum(), 4));
            Arrays.sort(syncCritical);
            o.put("sync_ms_median", round(SampleStats.of(syncCritical), 2));
            o.put("wait_share_max", round(waitShareMax, 4));
        }
        o.put("first_loss", rank0.firstLoss());
        o.put("last_loss", lastLoss[0]);
        if (prof != null) {
            profileReport(c, prof, o, m.id() + " " + o.get("method").asText());
        }
        return o;
    }

    /**
     * Builds the model and trains it for warm-up plus timed steps; with a ring, as one data-parallel replica whose
     * gradients a {@link GradientAverager} averages (its own random batches, seeded by its rank).
     */
    @SuppressWarnings("unchecked")
    private static Timed runReplica(BenchTrainCommand c, BenchModel m, FineTuningMethod meth, DType weights, int b,
            int t, @Nullable ProfilingBackend prof, @Nullable RingAllReduce ring) {
        int rank = ring == null ? 0 : ring.rank();
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
                2 * c.accumulation, c.seed + 1 + rank);
        StepFunction<Object> loss = w.loss();
        double[] ms = new double[c.steps];
        double[] syncMs = ring == null ? null : new double[c.steps];
        float[] firstLoss = new float[1];
        float[] lastLoss = new float[1];
        GradientAverager avg = ring == null ? null : new GradientAverager(ring, c.bucketMb << 20);
        long[] syncBefore = new long[1];
        Trainer<Object> trainer = new Trainer<>(net, TrainConfig.steps(c.warmup + c.steps, 1e-4).withLogEvery(0)
                .withAccumulation(c.accumulation),
                loss, w.source()).progress(null, false).onStep((step, l, nanos) -> {
                    if (step == c.warmup && prof != null) {
                        prof.reset();
                    }
                    if (step > c.warmup) {
                        ms[(int) (step - c.warmup - 1)] = nanos / 1e6;
                        if (avg != null) {
                            syncMs[(int) (step - c.warmup - 1)] = (avg.syncNanos() - syncBefore[0]) / 1e6;
                        }
                    }
                    if (avg != null) {
                        syncBefore[0] = avg.syncNanos();
                    }
                    if (step == 1) {
                        firstLoss[0] = l; // step 1 sees the untrained model: backends compare on it
                    }
                    lastLoss[0] = l;
                    if (rank == 0) {
                        System.err.printf("bench train %s %s: step %d/%d %.1f ms loss %.4f%n", m.id(), meth.name(),
                                step, c.warmup + c.steps, nanos / 1e6, l);
                    }
                });
        if (avg == null) {
            trainer.run();
        } else {
            try (avg) {
                avg.broadcastFromRank0(List.copyOf(net.trainableParameters().values()));
                trainer.gradientHook(avg).run();
            }
        }
        return new Timed(ms, syncMs, firstLoss[0], lastLoss[0], report);
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
