package org.wegeft.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
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
 * The OpenCL state of one process: the ICD loader and CLBlast, the chosen device, its context and one in-order
 * queue every kernel, copy and GEMM is issued on, the buffers ({@link DeviceMemory} behind a {@link DevicePool}) and
 * the built programs. {@link #probe} finds out, without throwing, whether all of that can exist here.
 *
 * <p>Libraries: {@code WEGEFT_OPENCL_LIB} / {@code WEGEFT_CLBLAST_LIB} name the file to load (a missing file makes the
 * backend unavailable, which is how a machine without OpenCL is simulated); otherwise {@code libOpenCL.so.1} and
 * {@code libclblast.so.1} are searched in the usual library folders, then through the dynamic loader. Program
 * binaries are cached under {@code ~/.cache/wegeft/opencl} ({@code -Dwegeft.opencl.binaryCache} overrides), keyed
 * by the source, the build options, the device and the driver version.
 */
final class OpenClRuntime {
    static final String LIB_ENV = "WEGEFT_OPENCL_LIB";
    static final String CLBLAST_ENV = "WEGEFT_CLBLAST_LIB";
    static final String CACHE_PROPERTY = "wegeft.opencl.binaryCache";
    static final List<String> LIBOPENCL = List.of("libOpenCL.so.1", "libOpenCL.so");
    static final List<String> LIBCLBLAST = List.of("libclblast.so.1", "libclblast.so");
    static final List<Path> DIRS = List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"),
            Path.of("/usr/lib64"), Path.of("/usr/local/lib"), Path.of("/usr/lib"));
    /** Kernels are built as OpenCL C 1.2, without fast-math relaxations (the conformance tolerances are the CPU's). */
    static final String BUILD_OPTIONS = "-cl-std=CL1.2";

    /** One OpenCL device, as listed by the loader. */
    record Device(int platformIndex, int deviceIndex, MemorySegment platform, MemorySegment device,
                  String platformName, String name, String version, String driverVersion, boolean gpu,
                  long localMemBytes) {
        String id() {
            return platformIndex + ":" + deviceIndex;
        }

        String describe() {
            return id() + " " + name + " (" + platformName + ", " + version + ", driver " + driverVersion + ")";
        }
    }

    /** What {@link #probe} finds on a machine that can run the backend. */
    record Ready(OpenCl cl, ClBlast blas, List<Device> devices, Device selected) {
        /** Every device the loader lists, the selected one marked, then the libraries. */
        String describe() {
            return devices.stream().map(d -> d.describe() + (d == selected ? " [selected]" : ""))
                    .collect(Collectors.joining("; ")) + "; " + cl.library().path() + ", CLBlast "
                    + blas.library().path();
        }
    }

    private static final Lazy<DeviceProbe<Ready>> PROBE = new Lazy<>(() -> probe(System::getenv));

    final Ready ready;
    final MemorySegment context;
    final MemorySegment queue;
    /** The queue handle in native memory: CLBlast takes a {@code cl_command_queue*}. */
    final MemorySegment queuePtr;
    final DeviceMemory memory = new DeviceMemory();
    final DevicePool pool;
    private final BinaryCache cache = BinaryCache.atDefaultLocation(CACHE_PROPERTY, "opencl", ".bin");
    private final Map<String, MemorySegment> programs = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> kernels = new ConcurrentHashMap<>();

    private OpenClRuntime(Ready ready) {
        this.ready = ready;
        OpenCl cl = ready.cl();
        this.context = cl.createContext(ready.selected().device());
        this.queue = cl.createQueue(context, ready.selected().device());
        this.queuePtr = Arena.global().allocate(ADDRESS);
        queuePtr.set(ADDRESS, 0, queue);
        this.pool = new DevicePool(bytes -> memory.allocate(bytes, b -> cl.createBuffer(context, b)),
                address -> cl.releaseBuffer(memory.free(address)));
    }

    /** Probes once per process; never throws. */
    static DeviceProbe<Ready> probe() {
        return PROBE.get();
    }

    /** Loads {@code env}'s file when the variable is set, else the first of {@code sonames} found. */
    static NativeLibrary.Found load(Function<String, @Nullable String> env, String variable, List<String> sonames) {
        String own = env.apply(variable);
        if (own != null && !own.isBlank()) {
            Path p = Path.of(own).toAbsolutePath();
            if (!Files.isRegularFile(p) || p.getParent() == null) {
                return new NativeLibrary.Missing(variable + "=" + own + ": no such file");
            }
            return NativeLibrary.load(List.of(p.getFileName().toString()), List.of(p.getParent()));
        }
        return NativeLibrary.load(sonames, DIRS);
    }

    static DeviceProbe<Ready> probe(Function<String, @Nullable String> env) {
        try {
            OpenCl cl;
            switch (load(env, LIB_ENV, LIBOPENCL)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable<>(m.reason() + " (no OpenCL ICD loader: install ocl-icd-libopencl1 and a "
                            + "driver, e.g. pocl-opencl-icd for the CPU)");
                }
                case NativeLibrary.Loaded l -> cl = new OpenCl(l.library());
            }
            List<Device> devices = devices(cl);
            if (devices.isEmpty()) {
                return new Unavailable<>("the OpenCL loader " + cl.library().path() + " found no device (no driver "
                        + "registered in /etc/OpenCL/vendors; install pocl-opencl-icd or a GPU vendor's driver)");
            }
            String[] why = new String[1];
            Optional<Integer> chosen = DeviceSelection.choose(env.apply(DeviceSelection.ENV), devices.stream()
                    .map(d -> new DeviceSelection.Listed(d.platformIndex(), d.deviceIndex(), d.gpu())).toList(), why);
            if (chosen.isEmpty()) {
                return new Unavailable<>(why[0]);
            }
            ClBlast blas;
            switch (load(env, CLBLAST_ENV, LIBCLBLAST)) {
                case NativeLibrary.Missing m -> {
                    return new Unavailable<>(m.reason() + " (GEMMs need CLBlast: install libclblast1)");
                }
                case NativeLibrary.Loaded l -> blas = new ClBlast(l.library());
            }
            Ready ready = new Ready(cl, blas, devices, devices.get(chosen.get()));
            return new DeviceProbe.Found<>(ready, ready.describe());
        } catch (Throwable t) {
            return new Unavailable<>("probing OpenCL failed: " + t);
        }
    }

    private static List<Device> devices(OpenCl cl) {
        List<Device> out = new ArrayList<>();
        List<MemorySegment> platforms = cl.platforms();
        for (int p = 0; p < platforms.size(); p++) {
            MemorySegment platform = platforms.get(p);
            String platformName = cl.platformString(platform, OpenCl.CL_PLATFORM_NAME);
            List<MemorySegment> devs = cl.devices(platform);
            for (int d = 0; d < devs.size(); d++) {
                MemorySegment dev = devs.get(d);
                boolean gpu = (cl.deviceLong(dev, OpenCl.CL_DEVICE_TYPE) & 4) != 0; // CL_DEVICE_TYPE_GPU
                out.add(new Device(p, d, platform, dev, platformName, cl.deviceString(dev, OpenCl.CL_DEVICE_NAME),
                        cl.deviceString(dev, OpenCl.CL_DEVICE_VERSION),
                        cl.deviceString(dev, OpenCl.CL_DRIVER_VERSION), gpu,
                        cl.deviceLong(dev, OpenCl.CL_DEVICE_LOCAL_MEM_SIZE)));
            }
        }
        return out;
    }

    static OpenClRuntime open(Ready ready) {
        return new OpenClRuntime(ready);
    }

    OpenCl cl() {
        return ready.cl();
    }

    /** The kernel {@code name} of {@code module}, building the program (or loading its cached binary) on first use. */
    private MemorySegment kernel(String module, String name) {
        String key = module + "/" + name;
        MemorySegment k = kernels.get(key);
        if (k == null) {
            MemorySegment program = programs.computeIfAbsent(module, this::buildModule);
            k = cl().kernel(program, name);
            kernels.put(key, k);
        }
        return k;
    }

    private MemorySegment buildModule(String module) {
        String source = DeviceKernelSources.read(module, DeviceKernelSources.Dialect.OPENCL);
        Device dev = ready.selected();
        String key = BinaryCache.key(source, BUILD_OPTIONS, dev.platformName(), dev.name(), dev.version(),
                dev.driverVersion());
        Optional<byte[]> cached = cache.read(key);
        if (cached.isPresent()) {
            try {
                MemorySegment p = cl().programFromBinary(context, dev.device(), cached.get());
                cl().build(p, dev.device(), BUILD_OPTIONS, module + ".c (cached binary)");
                return p;
            } catch (OpenClException e) {
                // a stale or foreign binary: build from source and replace it
            }
        }
        MemorySegment p = cl().programFromSource(context, source);
        cl().build(p, dev.device(), BUILD_OPTIONS, module + ".c");
        try {
            cache.write(key, cl().binary(p));
        } catch (RuntimeException e) {
            // an unwritable cache only means building again next time
        }
        return p;
    }

    /**
     * Sets the arguments of {@code module/name} and queues it on {@code grid} groups of {@code block} work-items.
     * Synchronized: a kernel object's arguments are shared state until it is queued.
     */
    synchronized void launch(String module, String name, long grid, int block, int sharedBytes,
                             Consumer<DeviceKernelBackend.LaunchArgs> args) {
        if (grid <= 0) {
            return;
        }
        MemorySegment k = kernel(module, name);
        try (Arena a = Arena.ofConfined()) {
            ArgWriter w = new ArgWriter(k, a, module + "/" + name);
            args.accept(w);
            if (sharedBytes > 0) {
                w.set(sharedBytes, MemorySegment.NULL); // the kernel's DYNAMIC_SHARED buffer, its last parameter
            }
            MemorySegment global = a.allocateFrom(JAVA_LONG, grid * block);
            MemorySegment local = a.allocateFrom(JAVA_LONG, block);
            int rc = cl().enqueue(queue, k, global, local);
            if (rc != 0) {
                throw new OpenClException("clEnqueueNDRangeKernel", rc, "kernel '" + module + "/" + name + "', "
                        + grid + " groups of " + block);
            }
        }
    }

    void finish() {
        cl().finish(queue);
    }

    /** Sets one kernel argument after another: a buffer is two ({@code cl_mem}, byte offset), see dialect_opencl.h. */
    private final class ArgWriter implements DeviceKernelBackend.LaunchArgs {
        private final MemorySegment kernel;
        private final Arena arena;
        private final String name;
        private int index;

        ArgWriter(MemorySegment kernel, Arena arena, String name) {
            this.kernel = kernel;
            this.arena = arena;
            this.name = name;
        }

        void set(long size, MemorySegment value) {
            int rc = cl().setArg(kernel, index, size, value);
            if (rc != 0) {
                throw new OpenClException("clSetKernelArg", rc, "kernel '" + name + "', argument " + index);
            }
            index++;
        }

        @Override
        public DeviceKernelBackend.LaunchArgs ptr(MemorySegment deviceBuffer) {
            if (deviceBuffer.equals(MemorySegment.NULL)) {
                set(ADDRESS.byteSize(), arena.allocateFrom(ADDRESS, MemorySegment.NULL));
                set(8, arena.allocateFrom(JAVA_LONG, 0L));
            } else {
                DeviceMemory.Location at = memory.find(deviceBuffer.address());
                set(ADDRESS.byteSize(), arena.allocateFrom(ADDRESS, at.mem()));
                set(8, arena.allocateFrom(JAVA_LONG, at.offset()));
            }
            return this;
        }

        @Override
        public DeviceKernelBackend.LaunchArgs i32(int v) {
            set(4, arena.allocateFrom(JAVA_INT, v));
            return this;
        }

        @Override
        public DeviceKernelBackend.LaunchArgs i64(long v) {
            set(8, arena.allocateFrom(JAVA_LONG, v));
            return this;
        }

        @Override
        public DeviceKernelBackend.LaunchArgs f32(float v) {
            set(4, arena.allocateFrom(JAVA_FLOAT, v));
            return this;
        }

        @Override
        public DeviceKernelBackend.LaunchArgs struct(MemorySegment bytes) {
            set(bytes.byteSize(), bytes);
            return this;
        }
    }
}
