package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.wegeft.distributed.AllReduceBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft bench allreduce --floats N --replicas R}: times the data-parallel trainer's ring all-reduce (mean)
 * among R threads of this JVM over loopback TCP, as {@code local[R]} Spark tasks run it, and prints one JSON line:
 * {@code {"bench":"allreduce","floats":…,"replicas":…,"median_ms":…,"min_ms":…,"max_ms":…,"gb_per_s":…}}, where
 * {@code gb_per_s} is the algorithm bandwidth 2·(R−1)/R · bytes / median time.
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true,
        description = "Times the ring all-reduce of the Spark data-parallel trainer between local replicas.")
final class BenchAllReduceCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--floats", defaultValue = "4194304", description = "vector length (default: ${DEFAULT-VALUE}, 4 M)")
    int floats = 4 << 20;

    @Option(names = "--replicas", defaultValue = "2", description = "ring size (default: ${DEFAULT-VALUE})")
    int replicas = 2;

    @Option(names = "--reps", defaultValue = "21", description = "timed repetitions (default: ${DEFAULT-VALUE})")
    int reps = 21;

    @Option(names = "--warmup", defaultValue = "5", description = "untimed repetitions first (default: ${DEFAULT-VALUE})")
    int warmup = 5;

    @Override
    public Integer call() throws Exception {
        FlagCheck.atLeast(spec, "--floats", floats, 1);
        FlagCheck.atLeast(spec, "--replicas", replicas, 2);
        FlagCheck.atLeast(spec, "--reps", reps, 1);
        FlagCheck.atLeast(spec, "--warmup", warmup, 0);
        AllReduceBench.Timing t = AllReduceBench.run(floats, replicas, warmup, reps);
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode o = json.createObjectNode();
        o.put("bench", "allreduce");
        o.put("floats", t.floats());
        o.put("replicas", t.replicas());
        o.put("reps", t.repetitions());
        o.put("median_ms", t.medianMs());
        o.put("min_ms", t.minMs());
        o.put("max_ms", t.maxMs());
        o.put("gb_per_s", t.busGbPerS());
        spec.commandLine().getOut().println(json.writeValueAsString(o));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
