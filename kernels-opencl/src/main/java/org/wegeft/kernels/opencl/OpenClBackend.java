package org.wegeft.kernels.opencl;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.device.DeviceKernelBackend;
import org.wegeft.kernels.device.Lazy;

/**
 * The OpenCL backend: buffers on one OpenCL device, CLBlast GEMMs (a batch of products as one strided-batched call,
 * as attention issues them) and the shared kernels ({@link DeviceKernelBackend}) compiled by the device's OpenCL C
 * compiler, all issued in order on one queue. Buffers are addresses of a private address space that map to
 * {@code cl_mem} objects (see {@link DeviceMemory}); data enters and leaves through {@link #copyToDevice} /
 * {@link #copyToHost}, which block. Runs on GPUs of any vendor and, through PoCL, on the CPU (which is how the tests
 * check the kernels' logic on a machine without a GPU). Used only when asked for ({@code WEGEFT_BACKEND=opencl}).
 */
public final class OpenClBackend extends DeviceKernelBackend {
    public static final String NAME = "opencl";

    private final Lazy<OpenClRuntime> runtime = new Lazy<>(() -> OpenClRuntime.open(OpenClRuntime.probe()
            .partsOrThrow(reason -> new OpenClException("opencl backend", -9999, reason))));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return OpenClRuntime.probe().availability();
    }

    @Override
    public int priority() {
        return 150;
    }

    /** Not until {@code tools/gpu-check.sh} has passed on a GPU: it runs when asked for by name. */
    @Override
    public boolean chosenByDefault() {
        return false;
    }

    private OpenClRuntime rt() {
        return runtime.get();
    }

    /** The device that runs the kernels, as {@code wegeft backends} lists it. */
    public String device() {
        return rt().ready.selected().describe();
    }

    @Override
    protected int maxSharedBytes() {
        long local = rt().ready.selected().localMemBytes();
        // leave room for the kernels' static scratch (THREADS floats)
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, local - 4L * THREADS - 64));
    }

    // ------------------------------------------------------------------ memory

    @Override
    public MemorySegment allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocate: negative size " + bytes);
        }
        return MemorySegment.ofAddress(rt().pool.allocate(bytes)).reinterpret(bytes);
    }

    @Override
    public void free(MemorySegment buffer) {
        rt().pool.free(buffer.address());
    }

    @Override
    public void copyToDevice(MemorySegment host, MemorySegment device, long bytes) {
        if (bytes > 0) {
            OpenClRuntime r = rt();
            DeviceMemory.Location at = r.memory.find(device.address());
            r.cl().write(r.queue, at.mem(), at.offset(), host, bytes);
        }
    }

    @Override
    public void copyToHost(MemorySegment device, MemorySegment host, long bytes) {
        if (bytes > 0) {
            OpenClRuntime r = rt();
            DeviceMemory.Location at = r.memory.find(device.address());
            r.cl().read(r.queue, at.mem(), at.offset(), host, bytes);
        }
    }

    @Override
    public void copy(MemorySegment src, MemorySegment dst, long bytes) {
        if (bytes <= 0) {
            return;
        }
        OpenClRuntime r = rt();
        DeviceMemory.Location from = r.memory.find(src.address());
        DeviceMemory.Location to = r.memory.find(dst.address());
        boolean overlap = from.mem().equals(to.mem()) && from.offset() < to.offset() + bytes
                && to.offset() < from.offset() + bytes;
        if (overlap) { // clEnqueueCopyBuffer refuses overlapping ranges: go through a temporary buffer
            MemorySegment tmp = allocate(bytes);
            try {
                DeviceMemory.Location t = r.memory.find(tmp.address());
                r.cl().copy(r.queue, from.mem(), from.offset(), t.mem(), t.offset(), bytes);
                r.cl().copy(r.queue, t.mem(), t.offset(), to.mem(), to.offset(), bytes);
            } finally {
                free(tmp);
            }
        } else {
            r.cl().copy(r.queue, from.mem(), from.offset(), to.mem(), to.offset(), bytes);
        }
    }

    @Override
    public void synchronize() {
        rt().finish();
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        if (spec.m() == 0 || spec.n() == 0) {
            return;
        }
        if (spec.k() == 0) { // C = beta·C: no product to run
            scaleC(spec, c);
            return;
        }
        OpenClRuntime r = rt();
        r.ready.blas().gemm(spec.transA(), spec.transB(), spec.m(), spec.n(), spec.k(), spec.alpha(), operand(r, a),
                spec.lda(), spec.strideA(), operand(r, b), spec.ldb(), spec.strideB(), spec.beta(), operand(r, c),
                spec.ldc(), spec.strideC(), spec.batch(), r.queuePtr);
    }

    private static ClBlast.Operand operand(OpenClRuntime r, MemorySegment buffer) {
        DeviceMemory.Location at = r.memory.find(buffer.address());
        if (at.offset() % Float.BYTES != 0) {
            throw new IllegalArgumentException("gemm: operand at byte offset " + at.offset()
                    + " is not float-aligned");
        }
        return new ClBlast.Operand(at.mem(), at.offset() / Float.BYTES);
    }

    private void scaleC(GemmSpec spec, MemorySegment c) {
        for (int bi = 0; bi < spec.batch(); bi++) {
            for (int i = 0; i < spec.m(); i++) {
                MemorySegment row = c.asSlice((bi * spec.strideC() + (long) i * spec.ldc()) * Float.BYTES,
                        (long) spec.n() * Float.BYTES);
                if (spec.beta() == 0f) {
                    fill(row, spec.n(), 0f);
                } else {
                    affine(row, row, spec.n(), spec.beta(), 0f);
                }
            }
        }
    }

    // ------------------------------------------------------------------ the shared kernels

    @Override
    protected void launch(String module, String kernel, long grid, int block, int sharedBytes,
                          Consumer<LaunchArgs> args) {
        rt().launch(module, kernel, grid, block, sharedBytes, args);
    }
}
