package org.wegeft.kernels.cpu;

/**
 * An N-d index space with one stride vector per operand, simplified: size-1 axes dropped and adjacent axes
 * merged wherever every operand is linear across them. Rank ≥ 1; the last axis is the "row".
 *
 * @param dims    sizes of the kept axes
 * @param strides strides[operand][axis]
 */
record CpuStrided(long[] dims, long[][] strides) {

    static CpuStrided of(int[] shape, long[]... operandStrides) {
        int ops = operandStrides.length;
        for (long[] s : operandStrides) {
            if (s.length != shape.length) {
                throw new IllegalArgumentException("stride rank " + s.length + " does not match shape rank "
                        + shape.length + " (shape " + java.util.Arrays.toString(shape) + ")");
            }
        }
        long[] dims = new long[Math.max(1, shape.length)];
        long[][] str = new long[ops][dims.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException("negative size in shape " + java.util.Arrays.toString(shape));
            }
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = rank > 0;
            for (int o = 0; o < ops && merge; o++) {
                merge = str[o][rank - 1] == operandStrides[o][d] * shape[d];
            }
            if (merge) {
                dims[rank - 1] *= shape[d];
                for (int o = 0; o < ops; o++) {
                    str[o][rank - 1] = operandStrides[o][d];
                }
            } else {
                dims[rank] = shape[d];
                for (int o = 0; o < ops; o++) {
                    str[o][rank] = operandStrides[o][d];
                }
                rank++;
            }
        }
        if (rank == 0) {
            dims[0] = 1;
            rank = 1;
        }
        long[][] s2 = new long[ops][];
        for (int o = 0; o < ops; o++) {
            s2[o] = java.util.Arrays.copyOf(str[o], rank);
        }
        return new CpuStrided(java.util.Arrays.copyOf(dims, rank), s2);
    }

    int rank() {
        return dims.length;
    }

    long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    long inner() {
        return dims[dims.length - 1];
    }

    long rows() {
        return size() / Math.max(1, inner());
    }

    long innerStride(int operand) {
        return strides[operand][dims.length - 1];
    }

    /** Element offset of operand {@code o} at the start of row {@code row}. */
    long rowOffset(int o, long row) {
        long off = 0;
        long[] s = strides[o];
        for (int d = dims.length - 2; d >= 0; d--) {
            long i = row % dims[d];
            row /= dims[d];
            off += i * s[d];
        }
        return off;
    }

    /**
     * Runs task over the whole index space in parallel, a span of one row at a time: one long row is split into fixed
     * blocks ({@link CpuVec#blocks}); many rows are spread over tasks of about {@code grain} elements.
     */
    void forEachRowSpan(long grain, RowSpan task) {
        if (size() == 0) {
            return;
        }
        long inner = inner();
        long rows = rows();
        if (rows == 1) {
            CpuVec.blocks(inner, (from, to) -> task.run(0, from, to - from));
            return;
        }
        org.wegeft.kernels.Parallel.forRange(Math.toIntExact(rows), (int) Math.max(1, grain / inner), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                task.run(r, 0, inner);
            }
        });
    }

    /** Work on elements [from, from + len) of row {@code row}. */
    @FunctionalInterface
    interface RowSpan {
        void run(long row, long from, long len);
    }
}
