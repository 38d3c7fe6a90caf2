package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.UnaryOp;

/**
 * An n-dimensional array over a reference-counted {@link Storage} (shape, strides in elements, storage
 * offset, dtype) with PyTorch-style views and reverse-mode autograd.
 *
 * <p>Ownership: every method that returns a Tensor returns a new object the caller owns (views included:
 * they share storage but hold their own reference). {@link #close()} drops that reference; memory goes back
 * to the {@link MemoryPool} when the last tensor over it closes. Use {@link TensorScope} to close the
 * intermediates of a step in one go. A {@link Cleaner} returns the memory of tensors that become
 * unreachable without being closed — a safety net only: its timing depends on the garbage collector.
 *
 * <p>Autograd: leaves opt in with {@link #requiresGrad(boolean)}; operations record a graph node when
 * {@link Grad#isEnabled()} and some input requires grad; {@link #backward()} accumulates into leaf
 * {@link #grad()}s and then releases the graph.
 */
public final class Tensor implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Storage storage;
    private final long offset;
    private final long[] shape;
    private final long[] strides;
    private final Cleaner.Cleanable cleanable;
    private boolean closed;
    private boolean leafRequiresGrad;
    private @Nullable Tensor grad;
    @Nullable Node gradFn;
    @Nullable TensorScope owner;
    /** Called by the outermost backward once this leaf's gradient is final for it (see {@link #onGradReady}). */
    @Nullable Consumer<Tensor> gradReadyHook;

    /** Takes ownership of one reference to {@code storage}. */
    Tensor(Storage storage, long offset, long[] shape, long[] strides, boolean tracked) {
        this(storage, offset, shape, strides, tracked, false);
    }

    private Tensor(Storage storage, long offset, long[] shape, long[] strides, boolean tracked, boolean saved) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.cleanable = CLEANER.register(this, new Release(storage, saved));
        if (tracked) {
            TensorScope.register(this);
        }
    }

    /** Drops the storage reference: a saved view's ({@link Storage#retainSaved}) or a plain one. */
    private record Release(Storage storage, boolean saved) implements Runnable {
        @Override
        public void run() {
            if (saved) {
                storage.closeSaved();
            } else {
                storage.close();
            }
        }
    }

    // ------------------------------------------------------------------ factories

    /** A tensor over {@code storage} (contiguous, offset 0); takes a new reference, the caller keeps its own. */
    public static Tensor wrap(Storage storage, long... shape) {
        if (Shapes.numel(shape) > storage.elements()) {
            throw new ShapeMismatchException("shape " + Shapes.str(shape) + " needs " + Shapes.numel(shape)
                    + " elements, storage holds " + storage.elements());
        }
        return new Tensor(storage.retain(), 0, shape.clone(), Shapes.contiguousStrides(shape), true);
    }

    /**
     * A frozen (rows, cols) NF4-style weight held 4-bit, as bitsandbytes stores one: two codes a byte (the first
     * element in the high nibble), one float32 absmax per block of {@code blockSize}, the 16-entry code table, and the
     * dtype each dequantized value is rounded to ({@code F32} for none). Linear layers read it, dequantizing inside
     * their GEMMs.
     */
    public static Tensor nf4(int rows, int cols, byte[] packed, float[] absmax, float[] codeTable, int blockSize,
            DType roundTo) {
        return quantized(QuantizedWeight.nf4(rows, cols, packed, absmax, codeTable, blockSize, roundTo));
    }

    /** A frozen (rows, cols) weight held quantized: linear layers read it, dequantizing inside their GEMMs. */
    static Tensor quantized(QuantizedWeight q) {
        return new Tensor(Storage.quantized(q), 0, new long[] {q.rows(), q.cols()},
                new long[] {q.cols(), 1}, true);
    }

    /** The quantized weight this tensor views, or null when it holds plain elements. */
    @Nullable QuantizedWeight quantizedWeight() {
        return storage.quantized();
    }

    /** How this tensor's weight is quantized, or null when it holds plain elements. */
    public @Nullable QuantFormat quantFormat() {
        QuantizedWeight q = storage.quantized();
        return q == null ? null : q.format();
    }

    /** The dtype a quantized weight's dequantized values are rounded to ({@code F32}: none), or null when not quantized. */
    public @Nullable DType quantRoundTo() {
        QuantizedWeight q = storage.quantized();
        return q == null ? null : q.roundTo();
    }

    /**
     * This (rows, cols) F32, BF16 or F16 weight quantized as {@code format} (see {@code Quantizers}), read element by
     * element where it lies (a memory-mapped tensor is not copied); {@code doubleQuant} (NF4) double-quantizes the
     * absmax values as bitsandbytes' {@code compress_statistics}.
     */
    public Tensor quantize(QuantFormat format, boolean doubleQuant) {
        return Tensor.quantized(QuantizedTensors.quantize(this, format, doubleQuant));
    }

    public static Tensor zeros(long... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor zeros(DType dtype, long... shape) {
        return new Tensor(Storage.allocate(dtype, Shapes.numel(shape)), 0, shape.clone(),
                Shapes.contiguousStrides(shape), true);
    }

    public static Tensor ones(long... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, long... shape) {
        return Raw.full(shape, value);
    }

    /** A float32 tensor holding a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(float[] data, long... shape) {
        return Factories.of(data, Factories.shapeFor(data.length, shape));
    }

    /** An int32 tensor (token ids, labels) holding a copy of {@code data}; no shape means 1-D. */
    public static Tensor ofInts(int[] data, long... shape) {
        return Factories.ofInts(data, shape);
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(float value) {
        return Factories.of(new float[] {value}, new long[0]);
    }

    /** Float32 [0, 1, …, n−1]. */
    public static Tensor arange(long n) {
        return Factories.arange(0, n, 1);
    }

    /** Float32 start, start+step, … below end. */
    public static Tensor arange(float start, float end, float step) {
        return Factories.arange(start, end, step);
    }

    /** Uniform [0, 1) values from {@code rng}. */
    public static Tensor rand(RandomGenerator rng, long... shape) {
        return Factories.uniform(rng, 0f, 1f, shape);
    }

    public static Tensor rand(long seed, long... shape) {
        return Factories.uniform(Factories.rng(seed), 0f, 1f, shape);
    }

    /** Standard normal values from {@code rng}. */
    public static Tensor randn(RandomGenerator rng, long... shape) {
        return Factories.normal(rng, 0f, 1f, shape);
    }

    public static Tensor randn(long seed, long... shape) {
        return Factories.normal(Factories.rng(seed), 0f, 1f, shape);
    }

    /** Uniform [lo, hi) values from {@code rng}. */
    public static Tensor uniform(RandomGenerator rng, float lo, float hi, long... shape) {
        return Factories.uniform(rng, lo, hi, shape);
    }

    // ------------------------------------------------------------------ metadata

    public long[] shape() {
        return shape.clone();
    }

    /** Size of dim d (negative counts from the end). */
    public long size(int d) {
        return shape[Shapes.dim(d, shape.length, "size")];
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    public long[] strides() {
        return strides.clone();
    }

    public long storageOffset() {
        return offset;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    /** True when both tensors view the same storage. */
    public boolean sharesStorageWith(Tensor other) {
        return storage == other.storage;
    }

    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ autograd

    /** True for a leaf marked with {@link #requiresGrad(boolean)} and for results of recorded operations. */
    public boolean requiresGrad() {
        return leafRequiresGrad || gradFn != null;
    }

    /** Marks a leaf (a tensor not produced by a recorded operation) as trainable; returns this. */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad can only be set on leaf tensors; " + this
                    + " is the result of " + gradFn.name() + " (use detach())");
        }
        if (requires && storage.quantized() != null) {
            throw new IllegalArgumentException("a quantized weight is frozen: it cannot require grad (" + this
                    + "); train adapters on it, or load the model without --quantize for full fine-tuning");
        }
        if (requires && dtype() != DType.F32) {
            throw new IllegalArgumentException("only F32 tensors can require grad, got " + this);
        }
        leafRequiresGrad = requires;
        return this;
    }

    /** True when no recorded operation produced this tensor. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The accumulated gradient of a leaf, or null before any backward reached it. Owned by this tensor. */
    public @Nullable Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (closing the old one); null drops it. The tensor given becomes owned by this one. */
    public void setGrad(@Nullable Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new ShapeMismatchException("setGrad: gradient shape " + Shapes.str(g.shape)
                    + " differs from tensor shape " + Shapes.str(shape));
        }
        Tensor old = grad;
        grad = g;
        if (g != null) {
            TensorScope.unregister(g);
        }
        if (old != null && old != g) {
            old.close();
        }
    }

    /**
     * Sets the hook that backward calls once this leaf's gradient is final for that backward: every recorded
     * operation that routes gradient to the leaf has run (PyTorch's post-accumulate-grad hook). It runs on the
     * backward's thread, with recording off, at most once per backward and only when the leaf has a gradient; a
     * checkpointed block's inner backward does not fire it (the outer graph may still add to the leaf). A leaf that
     * the graph does not reach gets no call. This is what lets data-parallel replicas start averaging the last
     * layers' gradients while backward still runs through the first ones. One hook per tensor; null removes it.
     */
    public void onGradReady(@Nullable Consumer<Tensor> hook) {
        if (hook != null && gradFn != null) {
            throw new IllegalStateException("onGradReady: " + this + " is not a leaf");
        }
        gradReadyHook = hook;
    }

    /** Sets the gradient to zero in place (keeps its buffer). */
    public void zeroGrad() {
        if (grad != null) {
            Raw.be().fill(grad.seg(), grad.numel(), 0f);
        }
    }

    /** Backward from a scalar (one-element) tensor with gradient 1. */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeMismatchException("backward() needs a one-element tensor, got shape " + Shapes.str(shape)
                    + "; pass a gradient with backward(grad)");
        }
        try (Tensor one = Tensor.full(1f, shape)) {
            Autograd.backward(this, one, false);
        }
    }

    /** Backward with the given output gradient (same shape as this). */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput, false);
    }

    /** Backward; with {@code retainGraph} the graph's saved tensors are kept for another backward. */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        Autograd.backward(this, gradOutput, retainGraph);
    }

    /** A view sharing storage, cut from the graph (no grad). */
    public Tensor detach() {
        return viewOf(offset, shape, strides);
    }

    // ------------------------------------------------------------------ readers

    /** The values as float32, row-major (one device → host copy for a tensor in device memory). */
    public float[] toFloatArray() {
        try (Operand o = Operand.f32(this)) {
            int n = Shapes.checkedInt(numel(), "toFloatArray");
            float[] out = new float[n];
            o.t().readInto(MemorySegment.ofArray(out));
            return out;
        }
    }

    /** The values of an I32 tensor, row-major. */
    public int[] toIntArray() {
        if (dtype() != DType.I32) {
            throw new IllegalArgumentException("toIntArray needs an I32 tensor, got " + this);
        }
        try (Operand o = Operand.contiguous(this)) {
            int n = Shapes.checkedInt(numel(), "toIntArray");
            int[] out = new int[n];
            o.t().readInto(MemorySegment.ofArray(out));
            return out;
        }
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new ShapeMismatchException("item() needs a one-element tensor, got shape " + Shapes.str(shape));
        }
        return readAt(offset);
    }

    /** The element at {@code index} (one index per dim, negatives count from the end). */
    public float get(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of shape "
                    + Shapes.str(shape));
        }
        long off = offset;
        for (int i = 0; i < index.length; i++) {
            long ix = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (ix < 0 || ix >= shape[i]) {
                throw new IndexOutOfBoundsException("get: index " + index[i] + " out of range for dim " + i
                        + " of shape " + Shapes.str(shape));
            }
            off += ix * strides[i];
        }
        return readAt(off);
    }

    private float readAt(long element) {
        checkOpen();
        MemorySegment s;
        long i = element;
        if (storage.isHostMemory()) {
            s = storage.memory();
        } else {
            // one element from device memory: a copy of its bytes (8-aligned heap buffer)
            s = MemorySegment.ofArray(new long[1]).asSlice(0, dtype().byteSize());
            HostAccess.read(storage, element * dtype().byteSize(), s);
            i = 0;
        }
        return switch (dtype()) {
            case F32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case I32 -> s.getAtIndex(ValueLayout.JAVA_INT, i);
            case BF16 -> Float.intBitsToFloat((s.getAtIndex(ValueLayout.JAVA_SHORT, i) & 0xffff) << 16);
            case F16 -> Float.float16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
        };
    }

    // ------------------------------------------------------------------ dtype

    /** This tensor's values as {@code dtype} (float types; rounding to nearest even). Differentiable for F32. */
    public Tensor to(DType target) {
        QuantizedWeight q = storage.quantized();
        if (q != null) {
            return QuantizedTensors.dequantize(this, q, target);
        }
        return ConvertOp.apply(this, target);
    }

    // ------------------------------------------------------------------ views

    /** A view with a new shape (one -1 is inferred); copies when the strides do not allow a view. */
    public Tensor reshape(long... newShape) {
        return ViewOps.reshape(this, newShape, true);
    }

    /** Like {@link #reshape} but never copies: throws when the layout does not allow a view. */
    public Tensor view(long... newShape) {
        return ViewOps.reshape(this, newShape, false);
    }

    /** Merges dims start..end (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        return ViewOps.flatten(this, start, end);
    }

    public Tensor permute(int... dims) {
        return ViewOps.permute(this, dims);
    }

    public Tensor transpose(int d0, int d1) {
        return ViewOps.transpose(this, d0, d1);
    }

    /** Transpose of a 2-D tensor. */
    public Tensor t() {
        if (shape.length != 2) {
            throw new ShapeMismatchException("t() needs a 2-D tensor, got shape " + Shapes.str(shape));
        }
        return transpose(0, 1);
    }

    /** The view of {@code length} entries of {@code dim} starting at {@code start}. */
    public Tensor narrow(int dim, long start, long length) {
        return ViewOps.narrow(this, dim, start, length);
    }

    /** Entries [start, end) of {@code dim} (negative bounds count from the end). */
    public Tensor slice(int dim, long start, long end) {
        int d = Shapes.dim(dim, shape.length, "slice");
        long s = start < 0 ? start + shape[d] : start;
        long e = end < 0 ? end + shape[d] : Math.min(end, shape[d]);
        return narrow(d, s, Math.max(0, e - s));
    }

    /** The view at {@code index} of {@code dim}, with that dim removed. */
    public Tensor select(int dim, long index) {
        return ViewOps.select(this, dim, index);
    }

    public Tensor unsqueeze(int dim) {
        return ViewOps.unsqueeze(this, dim);
    }

    /** Removes dim {@code dim} if its size is 1 (else returns a plain view). */
    public Tensor squeeze(int dim) {
        return ViewOps.squeeze(this, dim);
    }

    /** Removes every size-1 dim. */
    public Tensor squeeze() {
        return ViewOps.squeezeAll(this);
    }

    /** A broadcast view (stride 0 on expanded dims); -1 keeps a size. */
    public Tensor expand(long... sizes) {
        return ViewOps.expand(this, sizes);
    }

    /** A contiguous tensor with these values (a copy when this is not contiguous, else a view). */
    public Tensor contiguous() {
        return ViewOps.contiguous(this);
    }

    // ------------------------------------------------------------------ elementwise

    public Tensor add(Tensor other) {
        return BinaryArithOp.apply(BinaryOp.ADD, this, other);
    }

    public Tensor sub(Tensor other) {
        return BinaryArithOp.apply(BinaryOp.SUB, this, other);
    }

    public Tensor mul(Tensor other) {
        return BinaryArithOp.apply(BinaryOp.MUL, this, other);
    }

    public Tensor div(Tensor other) {
        return BinaryArithOp.apply(BinaryOp.DIV, this, other);
    }

    public Tensor add(float c) {
        return AffineOp.apply(this, 1f, c);
    }

    public Tensor sub(float c) {
        return AffineOp.apply(this, 1f, -c);
    }

    public Tensor mul(float c) {
        return AffineOp.apply(this, c, 0f);
    }

    public Tensor div(float c) {
        return AffineOp.apply(this, 1f / c, 0f);
    }

    /** x·scale + shift in one pass. */
    public Tensor affine(float scale, float shift) {
        return AffineOp.apply(this, scale, shift);
    }

    public Tensor pow(float exponent) {
        return PowOp.apply(this, exponent);
    }

    public Tensor neg() {
        return UnaryMathOp.apply(UnaryOp.NEG, this);
    }

    public Tensor exp() {
        return UnaryMathOp.apply(UnaryOp.EXP, this);
    }

    public Tensor log() {
        return UnaryMathOp.apply(UnaryOp.LOG, this);
    }

    public Tensor sqrt() {
        return UnaryMathOp.apply(UnaryOp.SQRT, this);
    }

    public Tensor rsqrt() {
        return UnaryMathOp.apply(UnaryOp.RSQRT, this);
    }

    public Tensor reciprocal() {
        return UnaryMathOp.apply(UnaryOp.RECIPROCAL, this);
    }

    public Tensor square() {
        return UnaryMathOp.apply(UnaryOp.SQUARE, this);
    }

    public Tensor abs() {
        return UnaryMathOp.apply(UnaryOp.ABS, this);
    }

    public Tensor tanh() {
        return UnaryMathOp.apply(UnaryOp.TANH, this);
    }

    public Tensor sigmoid() {
        return UnaryMathOp.apply(UnaryOp.SIGMOID, this);
    }

    public Tensor relu() {
        return UnaryMathOp.apply(UnaryOp.RELU, this);
    }

    /** GELU with the exact erf. */
    public Tensor gelu() {
        return UnaryMathOp.apply(UnaryOp.GELU_ERF, this);
    }

    public Tensor silu() {
        return UnaryMathOp.apply(UnaryOp.SILU, this);
    }

    // ------------------------------------------------------------------ reductions

    /** Sum of all elements (0-dimensional). */
    public Tensor sum() {
        return ReduceSumOp.apply(this, allDims(), false, false);
    }

    public Tensor sum(int dim, boolean keepdim) {
        return ReduceSumOp.apply(this, new int[] {dim}, keepdim, false);
    }

    public Tensor sum(int[] dims, boolean keepdim) {
        return ReduceSumOp.apply(this, dims, keepdim, false);
    }

    /** Mean of all elements (0-dimensional). */
    public Tensor mean() {
        return ReduceSumOp.apply(this, allDims(), false, true);
    }

    public Tensor mean(int dim, boolean keepdim) {
        return ReduceSumOp.apply(this, new int[] {dim}, keepdim, true);
    }

    public Tensor mean(int[] dims, boolean keepdim) {
        return ReduceSumOp.apply(this, dims, keepdim, true);
    }

    /** Maximum over {@code dim}; the gradient goes to every position equal to the maximum. */
    public Tensor max(int dim, boolean keepdim) {
        return MaxOp.apply(this, dim, keepdim);
    }

    /** Maximum of all elements (0-dimensional). */
    public Tensor max() {
        try (Tensor flat = reshape(-1)) {
            return MaxOp.apply(flat, 0, false);
        }
    }

    private int[] allDims() {
        int[] d = new int[shape.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return d;
    }

    // ------------------------------------------------------------------ linear algebra and rows

    /** Matrix product (both ≥ 2-D; batch dims broadcast); transposed views are used without copies. */
    public Tensor matmul(Tensor other) {
        return MatMulOp.apply(this, other);
    }

    public Tensor softmax(int dim) {
        return Functional.softmax(this, dim);
    }

    public Tensor logSoftmax(int dim) {
        return Functional.logSoftmax(this, dim);
    }

    // ------------------------------------------------------------------ in-place (no autograd)

    /**
     * Copies the values as float32, row-major, into {@code dst} from its position on, and advances the position by
     * {@link #numel()} (no array in between; the buffer may be direct).
     */
    public void copyTo(FloatBuffer dst) {
        int n = Shapes.checkedInt(numel(), "copyTo");
        if (dst.remaining() < n) {
            throw new IndexOutOfBoundsException("copyTo: " + n + " floats, buffer has " + dst.remaining() + " left");
        }
        try (Operand o = Operand.f32(this)) {
            o.t().readInto(MemorySegment.ofBuffer(dst.slice(dst.position(), n)));
        }
        dst.position(dst.position() + n);
    }

    /**
     * Copies {@link #numel()} floats of {@code src} from its position on into this contiguous float32 tensor, and
     * advances the position; returns this.
     */
    public Tensor copyFrom(FloatBuffer src) {
        int n = Shapes.checkedInt(numel(), "copyFrom");
        if (dtype() != DType.F32 || !isContiguous()) {
            throw new IllegalStateException("copyFrom(FloatBuffer) needs a contiguous F32 tensor, got " + this);
        }
        if (src.remaining() < n) {
            throw new IndexOutOfBoundsException("copyFrom: " + n + " floats, buffer has " + src.remaining() + " left");
        }
        writeFrom(MemorySegment.ofBuffer(src.slice(src.position(), n)));
        src.position(src.position() + n);
        return this;
    }

    /** Copies src's values (any layout, float dtypes converted) into this contiguous tensor. */
    public Tensor copyFrom(Tensor src) {
        InPlace.copy(this, src);
        return this;
    }

    /** Sets every element to {@code value}. */
    public Tensor fillInPlace(float value) {
        InPlace.fill(this, value);
        return this;
    }

    /** this += alpha·other (other broadcast to this shape). */
    public Tensor addInPlace(Tensor other, float alpha) {
        InPlace.add(this, other, alpha);
        return this;
    }

    /** this ·= c. */
    public Tensor mulInPlace(float c) {
        InPlace.scale(this, c);
        return this;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Drops this tensor's storage reference (idempotent); its grad, if any, is closed too. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        TensorScope.unregister(this);
        cleanable.clean();
        Tensor g = grad;
        grad = null;
        if (g != null) {
            g.close();
        }
    }

    @Override
    public String toString() {
        QuantizedWeight q = storage.quantized();
        return "Tensor" + Shapes.str(shape) + " " + (q != null ? q.format() : dtype()) + (requiresGrad() ? " requiresGrad" : "")
                + (gradFn != null ? " grad_fn=" + gradFn.name() : "") + (closed ? " closed" : "");
    }

    // ------------------------------------------------------------------ package-private plumbing

    long[] shapeRef() {
        return shape;
    }

    long[] stridesRef() {
        return strides;
    }

    Storage storage() {
        return storage;
    }

    /** The memory from this tensor's first element on (kernels index it with the tensor's strides). */
    MemorySegment seg() {
        checkOpen();
        return storage.segment().asSlice(offset * dtype().byteSize());
    }

    /** Copies {@code dst.byteSize()} bytes from this tensor's first element on into host memory (contiguous tensors). */
    void readInto(MemorySegment dst) {
        checkOpen();
        HostAccess.read(storage, offset * dtype().byteSize(), dst);
    }

    /** Copies host memory {@code src} into this tensor from its first element on (contiguous tensors). */
    void writeFrom(MemorySegment src) {
        checkOpen();
        HostAccess.write(src, storage, offset * dtype().byteSize());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tensor already closed: " + this);
        }
    }

    /** A new view over the same storage (scope-tracked, no grad). */
    Tensor viewOf(long newOffset, long[] newShape, long[] newStrides) {
        return new Tensor(storage.retain(), newOffset, newShape.clone(), newStrides.clone(), true);
    }

    /** A private view for a graph node's saved tensors (never owned by a scope). */
    Tensor internalAlias() {
        return new Tensor(storage.retain(), offset, shape, strides, false);
    }

    /**
     * A private view that a graph node keeps for its backward ({@link Node#save}): counted apart from the forward's
     * references, so a storage marked {@link Storage#recomputeOnDemand} can be evicted once only these are left.
     */
    Tensor savedAlias() {
        return new Tensor(storage.retainSaved(), offset, shape, strides, false, true);
    }

    /** True when this tensor alone owns its whole contiguous F32 storage (safe to accumulate into). */
    boolean isExclusive() {
        return dtype() == DType.F32 && offset == 0 && isContiguous() && numel() == storage.elements()
                && storage.refCount() == 1 && gradFn == null;
    }

    void setLeafGrad(Tensor g) {
        grad = g;
    }
}
