package org.wegeft.distributed;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.train.Checkpoint;
import org.wegeft.nn.train.TrainConfig;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training of a {@link DistributedJob} on Apache Spark, in barrier mode:
 *
 * <pre>
 *   driver:  parallelize(0 … N-1, N).barrier().mapPartitions(replica).collect()
 *   task r:  listen on a free port ─ allGather("host port checkpoint") ─ ring r → r+1 (TCP)
 *            Trainer.run():  backward ─ ring all-reduce (mean of gradients and loss) ─ clip ─ AdamW
 *            rank 0: metrics + checkpoints to config.outputDir();  everyone: a checksum of the result
 * </pre>
 *
 * Spark schedules the N tasks together and exchanges their addresses once; the per-step exchange runs between the
 * tasks ({@code BarrierTaskContext.allGather} polls once a second, too slow for every step). If a task fails, the
 * ring breaks, every task fails, and Spark retries the whole barrier stage (as often as the master's task
 * failures allow, e.g. {@code local[2,2]} or {@code spark.task.maxFailures}); the new attempt resumes every replica
 * from rank 0's latest complete checkpoint in the output folder, so the run continues on the same loss curve.
 * An output folder that already holds checkpoints is resumed from in the same way.
 *
 * @param <B> the batch type
 */
public final class SparkTrainer<B> {
    private final JavaSparkContext sc;
    private final DistributedJob<B> job;
    private final int replicas;
    private @Nullable InjectedFailure failure;
    private boolean progress;
    private Duration timeout = Duration.ofMinutes(10);

    /** {@code replicas} barrier tasks of {@code job} on {@code sc}; the cluster needs that many free task slots. */
    public SparkTrainer(JavaSparkContext sc, DistributedJob<B> job, int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("SparkTrainer: replicas must be >= 1, got " + replicas);
        }
        this.sc = sc;
        this.job = job;
        this.replicas = replicas;
    }

    /** A test hook: fail one replica at one step of the first attempt (see {@link InjectedFailure}). */
    public SparkTrainer<B> injectFailure(InjectedFailure f) {
        this.failure = f;
        return this;
    }

    /** Whether rank 0 draws the trainer's progress line on its stderr. */
    public SparkTrainer<B> progress(boolean on) {
        this.progress = on;
        return this;
    }

    /** How long a replica waits for its ring neighbours (connecting, and per step) before failing; default 10 min. */
    public SparkTrainer<B> timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    /** Runs the job on {@code replicas} tasks and returns their outcomes. */
    public DistributedResult run() {
        JavaRDD<Integer> ranks = sc.parallelize(IntStream.range(0, replicas).boxed().toList(), replicas);
        ClassTag<ReplicaOutcome> tag = ClassTag$.MODULE$.apply(ReplicaOutcome.class);
        RDD<ReplicaOutcome> rdd = ranks.rdd().barrier()
                .mapPartitions(new Replica<>(job, failure, progress, timeout.toMillis()), false, tag);
        // the shuffle makes the barrier stage a shuffle-map stage, which Spark retries as a whole after a failure
        // (a failed barrier result stage is never retried: it might have committed output)
        List<ReplicaOutcome> out = new ArrayList<>(JavaRDD.fromRDD(rdd, tag).coalesce(1, true).collect());
        out.sort(Comparator.comparingInt(ReplicaOutcome::rank));
        return new DistributedResult(out);
    }

    /** The body of one barrier task. */
    private static final class Replica<B>
            extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<ReplicaOutcome>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final DistributedJob<B> job;
        private final @Nullable InjectedFailure failure;
        private final boolean progress;
        private final long timeoutMs;

        Replica(DistributedJob<B> job, @Nullable InjectedFailure failure, boolean progress, long timeoutMs) {
            this.job = job;
            this.failure = failure;
            this.progress = progress;
            this.timeoutMs = timeoutMs;
        }

        @Override
        public scala.collection.Iterator<ReplicaOutcome> apply(scala.collection.Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            int n = ctx.getTaskInfos().length;
            String host = host(ctx.getTaskInfos()[rank].address());
            ReplicaOutcome outcome;
            try {
                ServerSocketChannel server = RingAllReduce.listen(new InetSocketAddress(0));
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                String resume = "";
                if (rank == 0) {
                    TrainConfig cfg = job.config();
                    if (cfg.outputDir() != null) {
                        resume = Checkpoint.latestValid(cfg.outputDir(), w -> System.err.println("warning: " + w))
                                .map(Path::toString).orElse("");
                    }
                }
                String[] all = ctx.allGather(host + "\t" + port + "\t" + resume);
                List<InetSocketAddress> peers = new ArrayList<>(n);
                for (String s : all) {
                    String[] f = s.split("\t", -1);
                    peers.add(new InetSocketAddress(f[0], Integer.parseInt(f[1])));
                }
                String r0 = all[0].split("\t", -1)[2];
                Path resumeFrom = r0.isEmpty() ? null : Path.of(r0);
                boolean firstAttempt = ctx.stageAttemptNumber() == 0 && ctx.attemptNumber() == 0;
                try (RingAllReduce ring = RingAllReduce.connect(rank, peers, server, Duration.ofMillis(timeoutMs))) {
                    outcome = ReplicaRun.run(job, ring, resumeFrom, firstAttempt ? failure : null, progress);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("replica " + rank + " of " + n + ": " + e.getMessage(), e);
            }
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(outcome).iterator());
        }

        /** The host of a barrier task's "host:port" address. */
        private static String host(String address) {
            int colon = address.lastIndexOf(':');
            String h = colon > 0 ? address.substring(0, colon) : address;
            return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
        }
    }
}
