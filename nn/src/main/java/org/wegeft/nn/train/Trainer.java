package org.wegeft.nn.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Module;
import org.wegeft.nn.Stochastic;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * The training loop. Each optimizer step runs inside one {@link TensorScope} (batches, activations and the graph
 * are released when it closes, so native memory does not grow per step):
 *
 * <pre>
 *   for k micro-batches:  loss_i = step(model, batch_i);  (loss_i / k).backward()
 *                         (before the last one: gradientHook.beforeLastBackward, to overlap with it)
 *   loss = gradientHook(step, trainable, loss)       (when set: e.g. all-reduce of the gradients)
 *   grad_norm = clip(trainable, maxGradNorm);  lr = base·schedule(step);  optimizer.step();  zeroGrad()
 *   every logEvery: progress line + metrics.jsonl;  every evalEvery: evaluator (eval mode, no grad)
 *   every checkpointEvery: outputDir/checkpoint-&lt;step&gt; written atomically
 * </pre>
 *
 * With a fixed seed (batch order), seeded module initialisation and dropout generators, a CPU run is
 * bit-reproducible. {@link #resumeFrom} restores parameters, optimizer state, the schedule and data position
 * and the position of every {@link Stochastic} module's generator, so a resumed run's losses are bit-identical
 * to the uninterrupted run's.
 *
 * <p>A step whose loss or gradient norm is NaN or infinite is skipped (no optimizer update; counted as
 * {@code skipped_steps} in the metrics); after {@link TrainConfig#maxBadSteps()} such steps in a row the run
 * saves the last good parameters (with an output folder) and throws {@link TrainingDivergedException}.
 */
public final class Trainer<B> {
    private final Module model;
    private final TrainConfig config;
    private final StepFunction<B> stepFn;
    private final BatchSource<B> source;
    private @Nullable Evaluator evaluator;
    private @Nullable Optimizer optimizer;
    private @Nullable PrintStream progressOut = System.err;
    private boolean progressInPlace = System.console() != null;
    private @Nullable Path metricsFile;
    private @Nullable StepListener stepListener;
    private @Nullable GradientHook gradientHook;
    private TrainerState start;

    public Trainer(Module model, TrainConfig config, StepFunction<B> stepFn, BatchSource<B> source) {
        this.model = model;
        this.config = config;
        this.stepFn = stepFn;
        this.source = source;
        this.start = new TrainerState(0, 0, 0, config.seed(), 0, config.lr());
    }

    public Trainer<B> evaluator(Evaluator e) {
        this.evaluator = e;
        return this;
    }

    /** Uses this optimizer instead of the default AdamW over {@link ParamGroups#decayAndNoDecay}. */
    public Trainer<B> optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    /** Where the progress line goes (null: nowhere) and whether it is redrawn in place. */
    public Trainer<B> progress(@Nullable PrintStream out, boolean inPlace) {
        this.progressOut = out;
        this.progressInPlace = inPlace;
        return this;
    }

    /**
     * Where the metrics lines go instead of {@code outputDir/metrics.jsonl} (checkpoints still go to the output
     * folder); appended to when it exists.
     */
    public Trainer<B> metricsFile(Path file) {
        this.metricsFile = file;
        return this;
    }

    /**
     * Called after every optimizer step (skipped ones included) with the step's wall time: from fetching its
     * first batch to the release of its tensors, so the time a benchmark reports is the whole step.
     */
    public Trainer<B> onStep(StepListener listener) {
        this.stepListener = listener;
        return this;
    }

    /** What {@link #onStep} calls after each step. */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param step  the step just finished (1-based)
         * @param loss  its loss (mean over the accumulated micro-batches)
         * @param nanos its wall time in nanoseconds
         */
        void afterStep(long step, float loss, long nanos);
    }

    /**
     * Runs {@code hook} every step between backward and gradient clipping (e.g. to average gradients across
     * data-parallel replicas); its returned loss is the one recorded.
     */
    public Trainer<B> gradientHook(GradientHook hook) {
        this.gradientHook = hook;
        return this;
    }

    /** The optimizer (created on first use). */
    public Optimizer optimizer() {
        if (optimizer == null) {
            optimizer = new AdamW(ParamGroups.decayAndNoDecay(model, config.weightDecay()), config.lr());
        }
        return optimizer;
    }

    /** Total optimizer steps of this run. */
    public long totalSteps() {
        if (config.maxSteps() > 0) {
            return config.maxSteps();
        }
        long n = source.batchesPerEpoch();
        if (n < 0) {
            throw new IllegalArgumentException("TrainConfig.epochs = " + config.epochs()
                    + " needs a BatchSource with a known batchesPerEpoch(); set maxSteps instead");
        }
        return config.epochs() * ((n + config.accumulation() - 1) / config.accumulation());
    }

    /**
     * Continues from a checkpoint folder written by this trainer: parameters, optimizer state, data position. Pick
     * the folder with {@link Checkpoint#latestValid} (the newest that verifies) or check it with
     * {@link Checkpoint#verify} first, as the command line does.
     */
    public Trainer<B> resumeFrom(Path checkpoint) {
        Map<String, Tensor> trainable = model.trainableParameters();
        Checkpoint.loadTrainable(checkpoint, trainable);
        OptimizerState saved = Checkpoint.readOptimizer(checkpoint);
        try {
            optimizer().loadState(saved, trainable);
        } finally {
            saved.tensors().values().forEach(Tensor::close);
        }
        start = Checkpoint.readState(checkpoint);
        Map<String, Stochastic> gens = generators();
        start.generators().forEach((path, st) -> {
            Stochastic m = gens.get(path);
            if (m == null) {
                throw new IllegalArgumentException(checkpoint.resolve(Checkpoint.STATE)
                        + ": generator of module '" + path + "', which the model does not have");
            }
            m.generator().restore(st[0], st[1]);
        });
        return this;
    }

    public TrainResult run() {
        long total = totalSteps();
        Optimizer opt = optimizer();
        LrSchedule schedule = LrSchedule.of(config.schedule(), config.warmupSteps(), total, config.minLrRatio());
        List<Tensor> trainable = List.copyOf(model.trainableParameters().values());
        Path out = config.outputDir();
        ProgressBar bar = progressOut == null ? null : new ProgressBar(progressOut, progressInPlace, total);
        float[] losses = new float[(int) Math.max(0, total - start.step())];
        Map<String, Double> lastEval = Map.of();
        long step = start.step();
        int epoch = start.epoch();
        long intoEpoch = start.batchesIntoEpoch();
        long seed = start.seed();
        long skipped = start.skippedSteps();
        int badInARow = 0;
        Iterator<B> it = skip(source.epoch(epoch, seed + epoch), intoEpoch);
        long samples = 0;
        long t0 = System.nanoTime();
        model.train();
        Path metrics = metricsFile != null ? metricsFile : out == null ? null : out.resolve("metrics.jsonl");
        try (MetricsLog log = metrics == null ? null : new MetricsLog(metrics)) {
            while (step < total) {
                float loss = 0f;
                double lr = config.lr() * schedule.factor(step);
                double gradNorm;
                long stepStart = System.nanoTime();
                try (TensorScope scope = TensorScope.open()) {
                    for (int micro = 0; micro < config.accumulation(); micro++) {
                        if (!it.hasNext()) {
                            epoch++;
                            intoEpoch = 0;
                            it = source.epoch(epoch, seed + epoch);
                            if (!it.hasNext()) {
                                throw new IllegalStateException("BatchSource returned an empty epoch " + epoch);
                            }
                        }
                        B batch = it.next();
                        intoEpoch++;
                        samples += source.samples(batch);
                        Tensor l = stepFn.loss(model, batch);
                        Tensor scaled = config.accumulation() == 1 ? l : l.mul(1f / config.accumulation());
                        if (gradientHook != null && micro == config.accumulation() - 1) {
                            gradientHook.beforeLastBackward(step, trainable);
                        }
                        scaled.backward();
                        loss += l.item() / config.accumulation();
                    }
                    if (gradientHook != null) {
                        loss = gradientHook.afterBackward(step, trainable, loss);
                    }
                    gradNorm = GradClip.gradNorm(trainable);
                    boolean finite = Float.isFinite(loss) && Double.isFinite(gradNorm);
                    if (finite) {
                        if (config.maxGradNorm() > 0) {
                            GradClip.clipToNorm(trainable, config.maxGradNorm(), gradNorm);
                        }
                        opt.setLearningRate(lr);
                        opt.step();
                        badInARow = 0;
                    } else {
                        skipped++;
                        badInARow++;
                    }
                    opt.zeroGrad();
                }
                losses[(int) (step - start.step())] = loss;
                step++;
                if (stepListener != null) {
                    stepListener.afterStep(step, loss, System.nanoTime() - stepStart);
                }
                if (badInARow >= config.maxBadSteps()) {
                    Path ck = null;
                    if (out != null) {
                        ck = out.resolve("checkpoint-" + step);
                        saveCheckpoint(ck, state(step, epoch, intoEpoch, seed, lr, skipped));
                    }
                    if (log != null) {
                        log.write(Map.of("step", step, "stopped", "diverged", "skipped_steps", skipped));
                    }
                    throw new TrainingDivergedException(step, badInARow, loss, gradNorm, ck);
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                if (config.logEvery() > 0 && (step % config.logEvery() == 0 || step == total)) {
                    if (bar != null) {
                        bar.update(step, loss, lr, samples);
                    }
                    if (log != null) {
                        Map<String, Object> rec = new LinkedHashMap<>();
                        rec.put("step", step);
                        rec.put("epoch", epoch);
                        rec.put("loss", loss);
                        rec.put("lr", lr);
                        rec.put("grad_norm", Double.isFinite(gradNorm) ? gradNorm : String.valueOf(gradNorm));
                        rec.put("skipped_steps", skipped);
                        rec.put("elapsed_s", elapsed);
                        log.write(rec);
                    }
                }
                if (evaluator != null && config.evalEvery() > 0 && step % config.evalEvery() == 0) {
                    lastEval = evaluate();
                    if (log != null) {
                        Map<String, Object> rec = new LinkedHashMap<>();
                        rec.put("step", step);
                        rec.put("elapsed_s", elapsed);
                        lastEval.forEach((k, v) -> rec.put("eval_" + k, v));
                        log.write(rec);
                    }
                }
                if (out != null && config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) {
                    saveCheckpoint(out.resolve("checkpoint-" + step), state(step, epoch, intoEpoch, seed, lr, skipped));
                }
            }
        } finally {
            if (bar != null) {
                bar.finish();
            }
        }
        return new TrainResult(losses, step, lastEval);
    }

    private Map<String, Double> evaluate() {
        model.eval();
        try (var g = Grad.disabled(); var scope = TensorScope.open()) {
            return Map.copyOf(evaluator.evaluate(model));
        } finally {
            model.train();
        }
    }

    private TrainerState state(long step, int epoch, long intoEpoch, long seed, double lr, long skipped) {
        Map<String, long[]> gens = new LinkedHashMap<>();
        generators().forEach((path, m) -> gens.put(path, new long[] {m.generator().seed(), m.generator().position()}));
        return new TrainerState(step, epoch, intoEpoch, seed, step, lr, gens, skipped);
    }

    /** Every module of the model that draws random numbers in forward, by path (a shared one under its first). */
    private Map<String, Stochastic> generators() {
        Map<String, Stochastic> out = new LinkedHashMap<>();
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        model.namedModules().forEach((path, m) -> {
            if (m instanceof Stochastic st && seen.put(st.generator(), Boolean.TRUE) == null) {
                out.put(path, st);
            }
        });
        return out;
    }

    /** Writes trainable parameters, optimizer state and {@code state} to {@code dir} atomically. */
    public void saveCheckpoint(Path dir, TrainerState state) {
        Map<String, Tensor> trainable = model.trainableParameters();
        Map<Tensor, String> names = new IdentityHashMap<>();
        trainable.forEach((k, t) -> names.put(t, k));
        Checkpoint.write(dir, trainable, optimizer().state(names), state);
    }

    /** Drops the first n batches (on resume); tensors they create are released at once. */
    private static <B> Iterator<B> skip(Iterator<B> it, long n) {
        try (var scope = TensorScope.open()) {
            for (long i = 0; i < n && it.hasNext(); i++) {
                it.next();
            }
        }
        return it;
    }
}
