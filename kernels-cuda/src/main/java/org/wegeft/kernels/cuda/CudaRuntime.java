package org.wegeft.kernels.cuda;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.device.BinaryCache;
import org.wegeft.kernels.device.DeviceKernelBackend;
import org.wegeft.kernels.device.DeviceKernelSources;
import org.wegeft.kernels.device.DevicePool;
import org.wegeft.kernels.device.DeviceProbe;
import org.wegeft.kernels.device.DeviceProbe.Unavailable;
import org.wegeft.kernels.device.Lazy;
import org.wegeft.kernels.device.NativeLibrary;

/**
 * The CUDA state of one process: the libraries, device 0's primary context, one stream every kernel, copy and cuBLAS
 * call is issued on (so they run in issue order), the cuBLAS handle, the compiled kernel modules and the device
 * memory pool. {@link #probe} finds out, without throwing, whether all of that can exist here.
 */
final class CudaRuntime {

    /** What {@link #probe} finds on a machine that can run the backend. */
    record Ready(CudaDriver driver, Nvrtc nvrtc, Cublas.Loader cublas, int device, String deviceName, int ccMajor,
                 int ccMinor, int driverVersion) {
        String arch() {
            return "compute_" + ccMajor + ccMinor;
        }

        String describe() {
            return deviceName + " (sm_" + ccMajor + ccMinor + "), driver " + driverVersion / 1000 + "."
                    + driverVersion % 1000 / 10 + ", " + driver.library().path() + ", " + nvrtc.library().name()
                    + ", " + cublas.library().name();
        }
    }

    static final List<String> LIBCUDA = List.of("libcuda.so.1", "libcuda.so");
    static final List<String> LIBNVRTC = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");
    static final List<String> LIBCUBLAS = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");

    private static final Lazy<DeviceProbe<Ready>> PROBE = new Lazy<>(() -> probe(searchDirs(System::getenv)));

    final Ready ready;
    final MemorySegment context;
    final MemorySegment stream;
    final Cublas cublas;
    final DevicePool pool;
    /** The PTX cache folder, default {@code ~/.cache/wegeft/ptx}. */
    static final String PTX_CACHE_PROPERTY = "wegeft.cuda.ptxCache";
    private final BinaryCache cache = BinaryCache.atDefaultLocation(PTX_CACHE_PROPERTY, "ptx", ".ptx");
    private final Map<String, MemorySegment> modules = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaRuntime(Ready ready) {
        this.ready = ready;
        CudaDriver d = ready.driver();
        this.context = d.primaryContextRetain(ready.device());
        d.setCurrent(context);
        current.set(true);
        this.stream = d.streamCreate();
        this.cublas = ready.cublas().create(stream);
        this.pool = new DevicePool(d::malloc, d::free);
    }

    /** Probes once per process; never throws. */
    static DeviceProbe<Ready> probe() {
        return PROBE.get();
    }

    static DeviceProbe<Ready> probe(List<Path> dirs) {
        try {
            CudaDriver driver;
            switch (NativeLibrary.load(LIBCUDA, dirs)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable<>(m.reason() + " (no NVIDIA driver installed)");
                }
                case NativeLibrary.Loaded l -> driver = new CudaDriver(l.library());
            }
            int rc = driver.init();
            if (rc != 0) {
                return new Unavailable<>("cuInit returned " + driver.errorName(rc));
            }
            int count = driver.deviceCount();
            if (count < 1) {
                return new Unavailable<>("cuDeviceGetCount found no CUDA device");
            }
            int dev = driver.device(0);
            int major = driver.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            int minor = driver.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            Nvrtc nvrtc;
            switch (NativeLibrary.load(LIBNVRTC, dirs)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable<>(m.reason() + " (install the CUDA toolkit's NVRTC, or set WEGEFT_CUDA_LIB_DIR)");
                }
                case NativeLibrary.Loaded l -> nvrtc = new Nvrtc(l.library());
            }
            Cublas.Loader cublas;
            switch (NativeLibrary.load(LIBCUBLAS, dirs)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable<>(m.reason() + " (install cuBLAS, or set WEGEFT_CUDA_LIB_DIR)");
                }
                case NativeLibrary.Loaded l -> cublas = new Cublas.Loader(l.library());
            }
            Ready ready = new Ready(driver, nvrtc, cublas, dev, driver.deviceName(dev), major, minor,
                    driver.driverVersion());
            return new DeviceProbe.Found<>(ready, ready.describe());
        } catch (Throwable t) {
            return new Unavailable<>("probing CUDA failed: " + t);
        }
    }

    /**
     * Where the CUDA libraries are searched, in order: {@code WEGEFT_CUDA_LIB_DIR}, {@code CUDA_HOME}/lib64,
     * {@code CUDA_PATH}/lib64, {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda-*}/lib64 (newest first),
     * {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /usr/lib/wsl/lib}; then the dynamic loader.
     */
    static List<Path> searchDirs(Function<String, @Nullable String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        String own = env.apply("WEGEFT_CUDA_LIB_DIR");
        if (own != null && !own.isBlank()) {
            for (String d : own.split(java.io.File.pathSeparator)) {
                dirs.add(Path.of(d));
            }
        }
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.apply(var);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        try (Stream<Path> s = Files.list(Path.of("/usr/local"))) {
            s.filter(p -> p.getFileName().toString().startsWith("cuda-"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .forEach(p -> dirs.add(p.resolve("lib64")));
        } catch (java.io.IOException | SecurityException e) {
            // no /usr/local: nothing to add
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        dirs.add(Path.of("/usr/lib/wsl/lib"));
        return List.copyOf(dirs);
    }

    static CudaRuntime open(Ready ready) {
        return new CudaRuntime(ready);
    }

    CudaDriver driver() {
        return ready.driver();
    }

    /** Makes the context current on the calling thread (once per thread). */
    void enter() {
        if (!current.get()) {
            ready.driver().setCurrent(context);
            current.set(true);
        }
    }

    /** The kernel {@code name} of module {@code module}, compiling (or loading cached PTX) on first use. */
    MemorySegment function(String module, String name) {
        String key = module + "/" + name;
        MemorySegment f = functions.get(key);
        if (f == null) {
            MemorySegment mod = modules.computeIfAbsent(module, this::loadModule);
            f = ready.driver().function(mod, name);
            functions.put(key, f);
        }
        return f;
    }

    private MemorySegment loadModule(String module) {
        String source = DeviceKernelSources.read(module, DeviceKernelSources.Dialect.CUDA);
        String arch = ready.arch();
        String ptx = new String(cache.getOrCompile(BinaryCache.key(source, arch, ready.nvrtc().version()),
                () -> ready.nvrtc().compile(module + ".cu", source, arch, List.of()).getBytes(UTF_8)), UTF_8);
        try (Arena a = Arena.ofConfined()) {
            return ready.driver().loadModule(a.allocateFrom(ptx));
        }
    }

    /** Launches {@code module/name} on the stream with a grid of {@code grid} blocks of {@code block} threads. */
    void launch(String module, String name, long grid, int block, int sharedBytes,
                Consumer<DeviceKernelBackend.LaunchArgs> args) {
        enter();
        if (grid <= 0) {
            return;
        }
        if (grid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": grid of " + grid + " blocks exceeds the CUDA limit");
        }
        MemorySegment f = function(module, name);
        try (Arena a = Arena.ofConfined()) {
            KernelArgs k = new KernelArgs(a);
            args.accept(k);
            MemorySegment params = k.pointers();
            ready.driver().launch(f, grid, block, sharedBytes, stream, params, module + "/" + name);
        }
    }

    void synchronize() {
        enter();
        ready.driver().streamSynchronize(stream);
    }
}
