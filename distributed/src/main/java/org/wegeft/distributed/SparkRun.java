package org.wegeft.distributed;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver side of a data-parallel run, as the command line's {@code --spark-master} runs use it: a Spark context
 * for a master URL, set up for barrier training, one {@link SparkTrainer} run on it, and the checks of its end.
 *
 * <p>On a cluster master ({@code spark://…}, {@code yarn}, …, anything but {@code local…}) the context also gets,
 * unless already set (by {@code spark-submit} or {@code --conf}): the application jar in {@code spark.jars} (the
 * jar this class was loaded from, as {@code spark-submit} ships the jar it is given), the executors' JVM options
 * ({@link #EXECUTOR_JAVA_OPTIONS}), {@code spark.cores.max} = replicas × {@code spark.task.cpus}, and a
 * registered-resources ratio of 1 so the barrier stage is submitted once its executors are there.
 */
public final class SparkRun {
    /** What wegeft needs on every JVM that runs it: the Vector API, native access, Arrow's reflective access. */
    public static final String EXECUTOR_JAVA_OPTIONS = "--add-modules jdk.incubator.vector"
            + " --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED"
            + " --sun-misc-unsafe-memory-access=allow";

    /** How a run ended: the replicas' outcomes, their number and the wall time of the Spark job. */
    public record Outcome(DistributedResult result, int replicas, double seconds) {
    }

    private SparkRun() {
    }

    /**
     * Runs {@code job} on {@code replicas} barrier tasks (0: Spark's default parallelism) of a new context for
     * {@code master}, stops the context, and checks that the replicas ended in lock-step.
     *
     * @throws IllegalArgumentException for a master URL Spark cannot use (naming {@code --spark-master})
     */
    public static <B> Outcome run(String appName, String master, int replicas, DistributedJob<B> job,
            boolean progress) {
        try (JavaSparkContext sc = context(appName, master, replicas)) {
            int n = replicas > 0 ? replicas : sc.defaultParallelism();
            long t0 = System.nanoTime();
            DistributedResult r = new SparkTrainer<>(sc, job, n).progress(progress).run();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!r.replicasAgree()) {
                throw new IllegalStateException("--spark-master: the replicas ended with different parameters");
            }
            return new Outcome(r, n, seconds);
        }
    }

    /** The Spark context for {@code master} (see the class comment); a URL Spark cannot use is a bad flag. */
    public static JavaSparkContext context(String appName, String master, int replicas) {
        SparkConf conf = configure(new SparkConf().setAppName(appName), master, replicas);
        try {
            return new JavaSparkContext(conf);
        } catch (Exception e) { // Spark throws its checked SparkException undeclared
            if (e instanceof org.apache.spark.SparkException || e instanceof IllegalArgumentException) {
                throw new IllegalArgumentException("--spark-master '" + master + "': " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** {@code conf} made ready for barrier training on {@code master} (see the class comment). */
    public static SparkConf configure(SparkConf conf, String master, int replicas) {
        conf.setIfMissing("spark.master", master).setIfMissing("spark.ui.enabled", "false");
        if (master.startsWith("local")) {
            return conf;
        }
        applicationJar().ifPresent(jar -> conf.setIfMissing("spark.jars", jar.toString()));
        conf.setIfMissing("spark.executor.extraJavaOptions", EXECUTOR_JAVA_OPTIONS);
        conf.setIfMissing("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        if (replicas > 0) {
            int cpus = conf.getInt("spark.task.cpus", 1);
            conf.setIfMissing("spark.cores.max", Integer.toString(replicas * cpus));
        }
        return conf;
    }

    /** The jar this class was loaded from (the wegeft application jar), if it was loaded from a jar. */
    public static Optional<Path> applicationJar() {
        CodeSource src = SparkRun.class.getProtectionDomain().getCodeSource();
        if (src == null || src.getLocation() == null) {
            return Optional.empty();
        }
        try {
            Path p = Path.of(src.getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? Optional.of(p) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
