package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.wegeft.kernels.device.NativeLibrary;

/**
 * Bindings to NVRTC ({@code libnvrtc.so}): compiles CUDA C source to PTX for one virtual architecture. A failed
 * compilation raises a {@link CudaException} carrying the program log.
 */
final class Nvrtc {
    private static final FunctionDescriptor I_A = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor I_AA = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private final NativeLibrary lib;

    Nvrtc(NativeLibrary lib) {
        this.lib = lib;
    }

    NativeLibrary library() {
        return lib;
    }

    /** "major.minor" of this NVRTC, part of the PTX cache key. */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT);
            MemorySegment minor = a.allocate(JAVA_INT);
            check("nvrtcVersion", lib.status("nvrtcVersion", I_AA, major, minor));
            return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
        }
    }

    /**
     * Compiles {@code source} (named {@code name} in messages) to PTX for {@code arch}, e.g. "compute_90".
     * @throws CudaException naming the call and NVRTC's error, with the compile log
     */
    String compile(String name, String source, String arch, List<String> extraOptions) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check("nvrtcCreateProgram", lib.status("nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
                    ADDRESS, JAVA_INT, ADDRESS, ADDRESS), progOut, a.allocateFrom(source), a.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL));
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                List<String> options = new java.util.ArrayList<>();
                options.add("--gpu-architecture=" + arch);
                options.add("--std=c++17");
                options.addAll(extraOptions);
                MemorySegment opts = a.allocate(ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                }
                int rc = lib.status("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS),
                        prog, options.size(), opts);
                if (rc != 0) {
                    throw new CudaException("nvrtcCompileProgram", errorName(rc), name + " for " + arch + ": "
                            + log(prog, a));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetPTXSize", lib.status("nvrtcGetPTXSize", I_AA, prog, size));
                MemorySegment ptx = a.allocate(size.get(JAVA_LONG, 0) + 1);
                check("nvrtcGetPTX", lib.status("nvrtcGetPTX", I_AA, prog, ptx));
                return ptx.getString(0);
            } finally {
                lib.status("nvrtcDestroyProgram", I_A, progOut);
            }
        }
    }

    private String log(MemorySegment prog, Arena a) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (lib.status("nvrtcGetProgramLogSize", I_AA, prog, size) != 0) {
            return "(no log)";
        }
        MemorySegment text = a.allocate(size.get(JAVA_LONG, 0) + 1);
        if (lib.status("nvrtcGetProgramLog", I_AA, prog, text) != 0) {
            return "(no log)";
        }
        return text.getString(0).strip();
    }

    String errorName(int status) {
        try {
            MemorySegment s = (MemorySegment) lib.handle("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS,
                    JAVA_INT)).invoke(status);
            return s.equals(MemorySegment.NULL) ? "nvrtcResult " + status : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + status;
        }
    }

    private void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call, errorName(status), "");
        }
    }
}
