package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.wegeft.kernels.device.NativeLibrary;

/**
 * Bindings to the CUDA driver API ({@code libcuda.so.1}). Every status is checked: a non-zero {@code CUresult}
 * becomes a {@link CudaException} naming the call and {@code cuGetErrorName}'s name for it. Handles (contexts,
 * modules, functions, streams, events) are opaque pointers; device memory is a {@code long} address.
 */
final class CudaDriver {
    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CUDA_ERROR_NO_DEVICE = 100;

    private static final FunctionDescriptor I_I = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor I_A = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor I_AI = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor I_AA = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor I_L = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);

    private final NativeLibrary lib;

    CudaDriver(NativeLibrary lib) {
        this.lib = lib;
    }

    NativeLibrary library() {
        return lib;
    }

    // ------------------------------------------------------------------ errors

    /** The driver's name for a status, e.g. CUDA_ERROR_NO_DEVICE; "CUresult n" if the driver does not know it. */
    String errorName(int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) lib.handle("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS))
                    .invoke(status, out);
            MemorySegment str = out.get(ADDRESS, 0);
            if (rc != 0 || str.equals(MemorySegment.NULL)) {
                return "CUresult " + status;
            }
            return str.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "CUresult " + status;
        }
    }

    void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call, errorName(status), "");
        }
    }

    private int call(String symbol, FunctionDescriptor fd, Object... args) {
        return lib.status(List.of(symbol), fd, args);
    }

    /** Invokes the first exported of {@code symbols} and returns its raw status. */
    private int call(List<String> symbols, FunctionDescriptor fd, Object... args) {
        return lib.status(symbols, fd, args);
    }

    private void checked(String symbol, FunctionDescriptor fd, Object... args) {
        check(symbol, call(symbol, fd, args));
    }

    // ------------------------------------------------------------------ init and devices

    /** cuInit(0); returns the raw status so availability can report it without throwing. */
    int init() {
        return call("cuInit", I_I, 0);
    }

    int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            checked("cuDriverGetVersion", I_A, v);
            return v.get(JAVA_INT, 0);
        }
    }

    int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            checked("cuDeviceGetCount", I_A, v);
            return v.get(JAVA_INT, 0);
        }
    }

    int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            checked("cuDeviceGet", I_AI, v, ordinal);
            return v.get(JAVA_INT, 0);
        }
    }

    String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            checked("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), buf, 256, device);
            return buf.getString(0);
        }
    }

    int attribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            checked("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), v,
                    attribute, device);
            return v.get(JAVA_INT, 0);
        }
    }

    // ------------------------------------------------------------------ contexts

    /** The device's primary context (retained; shared with every other user of the runtime API). */
    MemorySegment primaryContextRetain(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ctx = a.allocate(ADDRESS);
            checked("cuDevicePrimaryCtxRetain", I_AI, ctx, device);
            return ctx.get(ADDRESS, 0);
        }
    }

    void primaryContextRelease(int device) {
        check("cuDevicePrimaryCtxRelease_v2",
                call(List.of("cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"), I_I, device));
    }

    void setCurrent(MemorySegment context) {
        checked("cuCtxSetCurrent", I_A, context);
    }

    // ------------------------------------------------------------------ memory

    long malloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            checked("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), p, bytes);
            return p.get(JAVA_LONG, 0);
        }
    }

    void free(long ptr) {
        checked("cuMemFree_v2", I_L, ptr);
    }

    void copyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        checked("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS), dst,
                src, bytes, stream);
    }

    void copyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        checked("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS), dst,
                src, bytes, stream);
    }

    void copyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        checked("cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
                dst, src, bytes, stream);
    }

    void memsetD32Async(long dst, int value, long count, MemorySegment stream) {
        checked("cuMemsetD32Async", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS), dst,
                value, count, stream);
    }

    // ------------------------------------------------------------------ modules and launches

    MemorySegment loadModule(MemorySegment ptxNulTerminated) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(ADDRESS);
            checked("cuModuleLoadData", I_AA, m, ptxNulTerminated);
            return m.get(ADDRESS, 0);
        }
    }

    MemorySegment function(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(ADDRESS);
            int rc = call("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), f, module,
                    a.allocateFrom(name));
            if (rc != 0) {
                throw new CudaException("cuModuleGetFunction", errorName(rc), "kernel '" + name + "'");
            }
            return f.get(ADDRESS, 0);
        }
    }

    /** cuLaunchKernel with {@code params} an array of pointers to the argument values. */
    void launch(MemorySegment function, long gridX, int blockX, int sharedBytes, MemorySegment stream,
                MemorySegment params, String kernel) {
        int rc = call("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                        JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                function, (int) gridX, 1, 1, blockX, 1, 1, sharedBytes, stream, params, MemorySegment.NULL);
        if (rc != 0) {
            throw new CudaException("cuLaunchKernel", errorName(rc), "kernel '" + kernel + "', grid " + gridX
                    + ", block " + blockX + ", shared " + sharedBytes + " bytes");
        }
    }

    // ------------------------------------------------------------------ streams and events

    MemorySegment streamCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(ADDRESS);
            checked("cuStreamCreate", I_AI, s, 0);
            return s.get(ADDRESS, 0);
        }
    }

    void streamSynchronize(MemorySegment stream) {
        checked("cuStreamSynchronize", I_A, stream);
    }

    MemorySegment eventCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = a.allocate(ADDRESS);
            checked("cuEventCreate", I_AI, e, 0);
            return e.get(ADDRESS, 0);
        }
    }

    void eventRecord(MemorySegment event, MemorySegment stream) {
        checked("cuEventRecord", I_AA, event, stream);
    }

    /** Milliseconds between two recorded, completed events. */
    float elapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime", call(List.of("cuEventElapsedTime_v2", "cuEventElapsedTime"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), ms, start, end));
            return ms.get(JAVA_FLOAT, 0);
        }
    }
}
