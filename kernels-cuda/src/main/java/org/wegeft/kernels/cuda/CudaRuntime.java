package org.wegeft.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The CUDA state of one process: the libraries, device 0's primary context, one stream every kernel, copy and cuBLAS
 * call is issued on (so they run in issue order), the cuBLAS handle, the compiled kernel modules and the device
 * memory pool. {@link #probe} finds out, without throwing, whether all of that can exist here.
 */
final class CudaRuntime {

    /** What {@link #probe} found. */
    sealed interface Probe permits Ready, Unavailable {
    }

    record Ready(CudaDriver driver, Nvrtc nvrtc, Cublas.Loader cublas, int device, String deviceName, int ccMajor,
                 int ccMinor, int driverVersion) implements Probe {
        String arch() {
            return "compute_" + ccMajor + ccMinor;
        }

        String describe() {
            return deviceName + " (sm_" + ccMajor + ccMinor + "), driver " + driverVersion / 1000 + "."
                    + driverVersion % 1000 / 10 + ", " + driver.library().path() + ", " + nvrtc.library().name()
                    + ", " + cublas.library().name();
        }
    }

    record Unavailable(String reason) implements Probe {
    }

    static final List<String> LIBCUDA = List.of("libcuda.so.1", "libcuda.so");
    static final List<String> LIBNVRTC = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");
    static final List<String> LIBCUBLAS = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");

    private static volatile @Nullable Probe probe;

    final Ready ready;
    final MemorySegment context;
    final MemorySegment stream;
    final Cublas cublas;
    final DevicePool pool;
    private final PtxCache cache = PtxCache.atDefaultLocation();
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
    static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (CudaRuntime.class) {
                p = probe;
                if (p == null) {
                    probe = p = probe(NativeLibrary.searchDirs(System::getenv));
                }
            }
        }
        return p;
    }

    static Probe probe(List<Path> dirs) {
        try {
            CudaDriver driver;
            switch (NativeLibrary.load(LIBCUDA, dirs)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable(m.reason() + " (no NVIDIA driver installed)");
                }
                case NativeLibrary.Loaded l -> driver = new CudaDriver(l.library());
            }
            int rc = driver.init();
            if (rc != 0) {
                return new Unavailable("cuInit returned " + driver.errorName(rc));
            }
            int count = driver.deviceCount();
            if (count < 1) {
                return new Unavailable("cuDeviceGetCount found no CUDA device");
            }
            int dev = driver.device(0);
            int major = driver.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            int minor = driver.attribute(CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            Nvrtc nvrtc;
            switch (NativeLibrary.load(LIBNVRTC, dirs)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable(m.reason() + " (install the CUDA toolkit's NVRTC, or set WEGEFT_CUDA_LIB_DIR)");
                }
                case NativeLibrary.Loaded l -> nvrtc = new Nvrtc(l.library());
            }
            Cublas.Loader cublas;
            switch (NativeLibrary.load(LIBCUBLAS, dirs)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable(m.reason() + " (install cuBLAS, or set WEGEFT_CUDA_LIB_DIR)");
                }
                case NativeLibrary.Loaded l -> cublas = new Cublas.Loader(l.library());
            }
            return new Ready(driver, nvrtc, cublas, dev, driver.deviceName(dev), major, minor, driver.driverVersion());
        } catch (Throwable t) {
            return new Unavailable("probing CUDA failed: " + t);
        }
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
        String source = KernelSources.read(module);
        String arch = ready.arch();
        String ptx = cache.getOrCompile(PtxCache.key(source, arch, ready.nvrtc().version()),
                () -> ready.nvrtc().compile(module + ".cu", source, arch, List.of()));
        try (Arena a = Arena.ofConfined()) {
            return ready.driver().loadModule(a.allocateFrom(ptx));
        }
    }

    /** Launches {@code module/name} on the stream with a grid of {@code grid} blocks of {@code block} threads. */
    void launch(String module, String name, long grid, int block, int sharedBytes,
                Function<KernelArgs, KernelArgs> args) {
        enter();
        if (grid <= 0) {
            return;
        }
        if (grid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": grid of " + grid + " blocks exceeds the CUDA limit");
        }
        MemorySegment f = function(module, name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = args.apply(new KernelArgs(a)).pointers();
            ready.driver().launch(f, grid, block, sharedBytes, stream, params, module + "/" + name);
        }
    }

    void synchronize() {
        enter();
        ready.driver().streamSynchronize(stream);
    }
}
