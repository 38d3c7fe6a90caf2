package org.wegeft.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.wegeft.kernels.BackendUnavailableException;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wegeft backends}: every discovered kernel backend, whether it can run here, and why. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "Lists the kernel backends found on the class path and whether each can run here.")
final class BackendsCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--json", description = "one JSON object per backend, as a JSON array")
    boolean json;

    /** The backend a kernel call would use, or why there is none. */
    private static String selected() {
        try {
            return Backends.current().name();
        } catch (BackendUnavailableException e) {
            return "none (" + e.getMessage() + ")";
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Backends.Info> list = Backends.list();
        if (json) {
            JsonMapper m = new JsonMapper();
            ArrayNode arr = m.createArrayNode();
            for (Backends.Info i : list) {
                arr.addObject().put("name", i.name()).put("priority", i.priority())
                        .put("available", i.available()).put("reason", i.reason())
                        .put("chosen_by_default", i.chosenByDefault());
            }
            out.println(arr.toString());
        } else {
            if (list.isEmpty()) {
                out.println("no kernel backend found on the class path");
            }
            for (Backends.Info i : list) {
                out.printf("%-8s %-13s priority %3d  %s%s%n", i.name(), i.available() ? "available" : "unavailable",
                        i.priority(), i.reason(), i.chosenByDefault() ? ""
                                : "; used only when asked for (" + Backends.ENV + "=" + i.name() + ")");
            }
            out.println("selected: " + selected());
            out.println("threads: " + Parallel.threads());
        }
        out.flush();
        return 0;
    }
}
