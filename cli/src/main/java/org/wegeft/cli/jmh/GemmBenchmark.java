package org.wegeft.cli.jmh;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;

/**
 * C = A·B through the SPI, float32, per backend. Shapes are "M×N×K": square 256 and 1024, and the ViT-S/16
 * qkv projection of a batch of 8 images (1576 tokens × 384 → 1152).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {
    @Param({"scalar", "cpu"})
    public String backend = "scalar";

    @Param({"256x256x256", "1024x1024x1024", "1576x1152x384"})
    public String shape = "256x256x256";

    private KernelBackend kernels;
    private GemmSpec spec;
    private BenchBuffers buffers;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;

    @Setup(Level.Trial)
    public void setup() {
        kernels = Backends.byName(backend);
        // "MxNxK" or "TT:MxNxK" with TT one of NN, NT, TN, TT (A and B transposed or not, as the profile prints)
        String dims = shape;
        boolean ta = false;
        boolean tb = false;
        int colon = shape.indexOf(':');
        if (colon >= 0) {
            ta = shape.charAt(0) == 'T';
            tb = shape.charAt(1) == 'T';
            dims = shape.substring(colon + 1);
        }
        String[] p = dims.split("x");
        int m = Integer.parseInt(p[0]);
        int n = Integer.parseInt(p[1]);
        int k = Integer.parseInt(p[2]);
        spec = GemmSpec.of(ta, tb, m, n, k, 1f, 0f);
        buffers = new BenchBuffers();
        a = buffers.floats((long) m * k); // a: (M, K)
        b = buffers.floats((long) k * n); // b: (K, N)
        c = buffers.zeros((long) m * n);  // c: (M, N)
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }

    @Benchmark
    public void gemm() {
        kernels.gemm(spec, a, b, c);
    }
}
