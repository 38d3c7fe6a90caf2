package org.wegeft.kernels.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.kernels.device.NativeLibrary;

/**
 * Bindings to the OpenCL ICD loader ({@code libOpenCL.so.1}), OpenCL 1.2 entry points only: platforms and devices,
 * a context and an in-order queue, buffers and copies, programs (from source or from a cached binary) and kernels.
 * Handles are opaque addresses ({@code cl_platform_id}, {@code cl_mem}, …). A failing call raises an
 * {@link OpenClException} naming it.
 */
final class OpenCl {
    static final int CL_PLATFORM_VERSION = 0x0901;
    static final int CL_PLATFORM_NAME = 0x0902;
    static final int CL_DEVICE_TYPE = 0x1000;
    static final int CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    static final int CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    static final int CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;
    static final int CL_DEVICE_NAME = 0x102B;
    static final int CL_DRIVER_VERSION = 0x102D;
    static final int CL_DEVICE_VERSION = 0x102F;
    static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;
    static final long CL_MEM_READ_WRITE = 1;
    static final int CL_PROGRAM_BINARY_SIZES = 0x1165;
    static final int CL_PROGRAM_BINARIES = 0x1166;
    static final int CL_PROGRAM_BUILD_LOG = 0x1183;

    private static final FunctionDescriptor INFO = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG,
            ADDRESS, ADDRESS);

    private final NativeLibrary lib;
    private final MethodHandle setKernelArg;
    private final MethodHandle enqueueKernel;

    OpenCl(NativeLibrary lib) {
        this.lib = lib;
        this.setKernelArg = lib.handle("clSetKernelArg", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG,
                ADDRESS));
        this.enqueueKernel = lib.handle("clEnqueueNDRangeKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    }

    NativeLibrary library() {
        return lib;
    }

    static void check(String call, int status) {
        if (status != 0) {
            throw new OpenClException(call, status, "");
        }
    }

    private Object invoke(String symbol, FunctionDescriptor fd, Object... args) {
        try {
            return lib.handle(symbol, fd).invokeWithArguments(args);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new OpenClException(symbol, -9999, t.toString());
        }
    }

    /** A handle-returning call whose last argument is {@code cl_int* errcode_ret}. */
    private MemorySegment create(String symbol, FunctionDescriptor fd, Arena a, Object... argsBeforeErr) {
        MemorySegment err = a.allocate(JAVA_INT);
        Object[] args = java.util.Arrays.copyOf(argsBeforeErr, argsBeforeErr.length + 1);
        args[argsBeforeErr.length] = err;
        MemorySegment h = (MemorySegment) invoke(symbol, fd, args);
        check(symbol, err.get(JAVA_INT, 0));
        return h;
    }

    // ------------------------------------------------------------------ platforms and devices

    List<MemorySegment> platforms() {
        try (Arena a = Arena.ofConfined()) {
            FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
            MemorySegment n = a.allocate(JAVA_INT);
            int rc = lib.status("clGetPlatformIDs", fd, 0, MemorySegment.NULL, n);
            if (rc == -1001) { // CL_PLATFORM_NOT_FOUND_KHR: the loader found no installed driver
                return List.of();
            }
            check("clGetPlatformIDs", rc);
            int count = n.get(JAVA_INT, 0);
            if (count == 0) {
                return List.of();
            }
            MemorySegment ids = a.allocate(ADDRESS, count);
            check("clGetPlatformIDs", lib.status("clGetPlatformIDs", fd, count, ids, MemorySegment.NULL));
            List<MemorySegment> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(ids.getAtIndex(ADDRESS, i));
            }
            return out;
        }
    }

    List<MemorySegment> devices(MemorySegment platform) {
        try (Arena a = Arena.ofConfined()) {
            FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
            MemorySegment n = a.allocate(JAVA_INT);
            int rc = lib.status("clGetDeviceIDs", fd, platform, CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, n);
            if (rc == -1) { // CL_DEVICE_NOT_FOUND
                return List.of();
            }
            check("clGetDeviceIDs", rc);
            int count = n.get(JAVA_INT, 0);
            MemorySegment ids = a.allocate(ADDRESS, Math.max(1, count));
            check("clGetDeviceIDs", lib.status("clGetDeviceIDs", fd, platform, CL_DEVICE_TYPE_ALL, count, ids,
                    MemorySegment.NULL));
            List<MemorySegment> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(ids.getAtIndex(ADDRESS, i));
            }
            return out;
        }
    }

    String platformString(MemorySegment platform, int param) {
        return infoString("clGetPlatformInfo", platform, param);
    }

    String deviceString(MemorySegment device, int param) {
        return infoString("clGetDeviceInfo", device, param);
    }

    long deviceLong(MemorySegment device, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check("clGetDeviceInfo", lib.status("clGetDeviceInfo", INFO, device, param, 8L, v, MemorySegment.NULL));
            return v.get(JAVA_LONG, 0);
        }
    }

    private String infoString(String call, MemorySegment handle, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check(call, lib.status(call, INFO, handle, param, 0L, MemorySegment.NULL, size));
            long n = size.get(JAVA_LONG, 0);
            MemorySegment text = a.allocate(n + 1);
            check(call, lib.status(call, INFO, handle, param, n, text, MemorySegment.NULL));
            return text.getString(0).strip();
        }
    }

    // ------------------------------------------------------------------ context, queue, memory

    MemorySegment createContext(MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment devs = a.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device);
            return create("clCreateContext", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                    ADDRESS, ADDRESS), a, MemorySegment.NULL, 1, devs, MemorySegment.NULL, MemorySegment.NULL);
        }
    }

    MemorySegment createQueue(MemorySegment context, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            return create("clCreateCommandQueue", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                    ADDRESS), a, context, device, 0L);
        }
    }

    MemorySegment createBuffer(MemorySegment context, long bytes) {
        try (Arena a = Arena.ofConfined()) {
            return create("clCreateBuffer", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS,
                    ADDRESS), a, context, CL_MEM_READ_WRITE, bytes, MemorySegment.NULL);
        }
    }

    void releaseBuffer(MemorySegment mem) {
        check("clReleaseMemObject", lib.status("clReleaseMemObject", FunctionDescriptor.of(JAVA_INT, ADDRESS), mem));
    }

    /** A blocking write of {@code bytes} from host memory into {@code mem} at {@code offset}. */
    void write(MemorySegment queue, MemorySegment mem, long offset, MemorySegment host, long bytes) {
        check("clEnqueueWriteBuffer", lib.status("clEnqueueWriteBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS), queue, mem, 1, offset,
                bytes, host, 0, MemorySegment.NULL, MemorySegment.NULL));
    }

    /** A blocking read of {@code bytes} of {@code mem} at {@code offset} into host memory. */
    void read(MemorySegment queue, MemorySegment mem, long offset, MemorySegment host, long bytes) {
        check("clEnqueueReadBuffer", lib.status("clEnqueueReadBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS), queue, mem, 1, offset,
                bytes, host, 0, MemorySegment.NULL, MemorySegment.NULL));
    }

    void copy(MemorySegment queue, MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long bytes) {
        check("clEnqueueCopyBuffer", lib.status("clEnqueueCopyBuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS), queue, src, dst,
                srcOffset, dstOffset, bytes, 0, MemorySegment.NULL, MemorySegment.NULL));
    }

    void finish(MemorySegment queue) {
        check("clFinish", lib.status("clFinish", FunctionDescriptor.of(JAVA_INT, ADDRESS), queue));
    }

    // ------------------------------------------------------------------ programs and kernels

    MemorySegment programFromSource(MemorySegment context, String source) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment strings = a.allocate(ADDRESS);
            strings.set(ADDRESS, 0, a.allocateFrom(source));
            return create("clCreateProgramWithSource", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS,
                    ADDRESS, ADDRESS), a, context, 1, strings, MemorySegment.NULL);
        }
    }

    MemorySegment programFromBinary(MemorySegment context, MemorySegment device, byte[] binary) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment devs = a.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device);
            MemorySegment lengths = a.allocateFrom(JAVA_LONG, binary.length);
            MemorySegment bins = a.allocate(ADDRESS);
            bins.set(ADDRESS, 0, a.allocateFrom(JAVA_BYTE, binary));
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment p = create("clCreateProgramWithBinary", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT,
                    ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS), a, context, 1, devs, lengths, bins, status);
            check("clCreateProgramWithBinary", status.get(JAVA_INT, 0));
            return p;
        }
    }

    /** Builds {@code program} for {@code device}; a failure carries the build log. */
    void build(MemorySegment program, MemorySegment device, String options, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment devs = a.allocate(ADDRESS);
            devs.set(ADDRESS, 0, device);
            int rc = lib.status("clBuildProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS,
                    ADDRESS, ADDRESS), program, 1, devs, a.allocateFrom(options), MemorySegment.NULL,
                    MemorySegment.NULL);
            if (rc != 0) {
                throw new OpenClException("clBuildProgram", rc, name + ": " + buildLog(program, device));
            }
        }
    }

    private String buildLog(MemorySegment program, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS,
                    ADDRESS);
            MemorySegment size = a.allocate(JAVA_LONG);
            if (lib.status("clGetProgramBuildInfo", fd, program, device, CL_PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL,
                    size) != 0) {
                return "(no log)";
            }
            long n = size.get(JAVA_LONG, 0);
            MemorySegment text = a.allocate(n + 1);
            if (lib.status("clGetProgramBuildInfo", fd, program, device, CL_PROGRAM_BUILD_LOG, n, text,
                    MemorySegment.NULL) != 0) {
                return "(no log)";
            }
            return text.getString(0).strip();
        }
    }

    /** The binary of a program built for one device. */
    byte[] binary(MemorySegment program) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check("clGetProgramInfo", lib.status("clGetProgramInfo", INFO, program, CL_PROGRAM_BINARY_SIZES, 8L, size,
                    MemorySegment.NULL));
            long n = size.get(JAVA_LONG, 0);
            MemorySegment bytes = a.allocate(Math.max(1, n));
            MemorySegment ptrs = a.allocate(ADDRESS);
            ptrs.set(ADDRESS, 0, bytes);
            check("clGetProgramInfo", lib.status("clGetProgramInfo", INFO, program, CL_PROGRAM_BINARIES,
                    ADDRESS.byteSize(), ptrs, MemorySegment.NULL));
            return bytes.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    MemorySegment kernel(MemorySegment program, String name) {
        try (Arena a = Arena.ofConfined()) {
            return create("clCreateKernel", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS), a, program,
                    a.allocateFrom(name));
        }
    }

    /** {@code clSetKernelArg}; {@code value} NULL with a size sets a {@code __local} buffer of that size. */
    int setArg(MemorySegment kernel, int index, long size, MemorySegment value) {
        try {
            return (int) setKernelArg.invokeExact(kernel, index, size, value);
        } catch (Throwable t) {
            throw new OpenClException("clSetKernelArg", -9999, t.toString());
        }
    }

    /** A one-dimensional range of {@code global} work-items in groups of {@code local}. */
    int enqueue(MemorySegment queue, MemorySegment kernel, MemorySegment global, MemorySegment local) {
        try {
            return (int) enqueueKernel.invokeExact(queue, kernel, 1, MemorySegment.NULL, global, local, 0,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new OpenClException("clEnqueueNDRangeKernel", -9999, t.toString());
        }
    }
}
