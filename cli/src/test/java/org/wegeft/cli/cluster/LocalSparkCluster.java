package org.wegeft.cli.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a master and workers started as separate JVMs from Spark's
 * own classes ({@code org.apache.spark.deploy.master.Master}, {@code …worker.Worker}) with Spark's class path only
 * (the jars listed in {@code spark-runtime/target/spark-classpath.txt}, linked into a {@code SPARK_HOME/jars} folder, from which
 * the workers also build their executors' class path): an application's classes reach the executors only through
 * {@code spark.jars}, as on a real cluster. Ephemeral ports; every JVM it started (executors included) is killed on
 * {@link #close()} and, as a last resort, when the test JVM exits.
 */
final class LocalSparkCluster implements AutoCloseable {
    private static final Pattern MASTER_URL = Pattern.compile("spark://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Path sparkHome;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread reaper = new Thread(this::killAll, "LocalSparkCluster reaper");
    private String masterUrl = "";
    private int workers;

    private LocalSparkCluster(Path dir, Path sparkHome) {
        this.dir = dir;
        this.sparkHome = sparkHome;
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts a master and {@code workers} workers of one core each in {@code dir}; waits until all registered. */
    static LocalSparkCluster start(Path dir, int workers) throws IOException, InterruptedException {
        Path cpFile = Path.of("..", "spark-runtime", "target", "spark-classpath.txt");
        if (!Files.isRegularFile(cpFile)) {
            throw new IllegalStateException(cpFile.toAbsolutePath() + " is missing: the cluster tests run in the"
                    + " package phase, after the build has written it");
        }
        Path home = sparkHome(Files.readString(cpFile).strip().split(java.io.File.pathSeparator));
        Files.createDirectories(dir);
        LocalSparkCluster c = new LocalSparkCluster(dir, home);
        try {
            Path log = dir.resolve("master.log");
            Process master = c.launch(log, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    "0", "--webui-port", "0");
            Matcher m = await(master, log, MASTER_URL);
            c.masterUrl = "spark://127.0.0.1:" + m.group(1);
            for (int i = 0; i < workers; i++) {
                c.startWorker();
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * A Spark home for the daemons: {@code target/spark-home} with a {@code RELEASE} file (which makes Spark's
     * launcher take {@code SPARK_HOME/jars} as its class path) and {@code jars/} linking the given jars.
     */
    private static Path sparkHome(String[] jars) throws IOException {
        Path home = Path.of("target", "spark-home").toAbsolutePath();
        Path dir = home.resolve("jars");
        if (Files.isDirectory(dir)) {
            try (var old = Files.list(dir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(home.resolve("RELEASE"), "Spark's jars, linked for the cluster tests\n");
        for (String jar : jars) {
            Path p = Path.of(jar).toAbsolutePath();
            Files.createSymbolicLink(dir.resolve(p.getFileName()), p);
        }
        return home;
    }

    /** The master's URL, {@code spark://127.0.0.1:PORT}. */
    String masterUrl() {
        return masterUrl;
    }

    /** Starts one more worker (one core) and waits until the master has registered it; returns its process. */
    Process startWorker() throws IOException, InterruptedException {
        int n = workers++;
        Path work = Files.createDirectories(dir.resolve("worker-" + n));
        Path log = dir.resolve("worker-" + n + ".log");
        Process p = launch(log, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0",
                "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir", work.toString(), masterUrl);
        await(p, log, Pattern.compile("Successfully registered with master"));
        return p;
    }

    /**
     * SIGKILLs the worker JVM whose executor is process {@code executorPid}, then that executor (which would
     * otherwise exit by itself once it noticed its worker gone); returns the worker's process id.
     */
    long killWorkerOfExecutor(long executorPid) {
        ProcessHandle executor = ProcessHandle.of(executorPid).orElseThrow(() -> new IllegalStateException(
                "no process " + executorPid));
        ProcessHandle worker = executor.parent().orElseThrow(() -> new IllegalStateException(
                "executor " + executorPid + " has no parent"));
        if (processes.stream().noneMatch(p -> p.pid() == worker.pid())) {
            throw new IllegalStateException("process " + executorPid + " is not the executor of a worker we started");
        }
        worker.destroyForcibly();      // SIGKILL on Unix
        executor.destroyForcibly();
        return worker.pid();
    }

    private Process launch(Path log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));   // small and quick to start
        cmd.addAll(jvmFlags());
        cmd.add("-cp");
        cmd.add(sparkHome.resolve("jars") + "/*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /**
     * The flags a JVM running Spark 4 needs on Java 25 (reflective access to JDK internals): the pom's, which the
     * build hands the tests as the system property {@code wegeft.cluster.jvm.flags}.
     */
    private static List<String> jvmFlags() {
        String flags = System.getProperty("wegeft.cluster.jvm.flags", "").strip();
        if (flags.isEmpty()) {
            throw new IllegalStateException("the system property wegeft.cluster.jvm.flags is not set: run the cluster"
                    + " tests through Maven (cli/pom.xml sets it)");
        }
        return List.of(flags.split("\\s+"));
    }

    /** Waits until {@code log}, the output of {@code p}, has a match of {@code pattern}. */
    private static Matcher await(Process p, Path log, Pattern pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = pattern.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find()) {
                    return m;
                }
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + pattern + "' in " + log + " (the JVM exited or "
                + START_TIMEOUT.toSeconds() + " s passed):\n" + tail(log));
    }

    /** The last lines of a log, for a failure message. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** The process ids of the live JVMs the cluster started, executors included. */
    List<Long> livePids() {
        List<Long> pids = new ArrayList<>();
        for (Process p : processes) {
            p.descendants().filter(ProcessHandle::isAlive).forEach(d -> pids.add(d.pid()));
            if (p.isAlive()) {
                pids.add(p.pid());
            }
        }
        return pids;
    }

    private void killAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
    }

    /** The process id written to {@code marker}, once the file exists. */
    static Optional<Long> pidIn(Path marker) throws IOException {
        return Files.exists(marker) ? Optional.of(Long.parseLong(Files.readString(marker).strip())) : Optional.empty();
    }
}
