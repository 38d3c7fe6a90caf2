package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.NR;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;

import org.wegeft.kernels.GemmSpec;

/**
 * A product's A edited as it is packed ({@link CpuGemm#gemmEditedA}): A' = A + s·Uᵀ·E with U (r × m) and E (r × k),
 * so WeGeFT's representation form reaches the frozen product without the edited copy of x in memory. Each piece of
 * 12 rows by NR columns of A' is the micro-kernel's tile over the r inner steps (Uᵀ packed as a transposed A, E as B
 * panels), merged with A as the blocked GEMM's store merges an addend (alpha·tile, then + A): every element is the
 * arithmetic of the product {@code gemmAddend} would run to write A', so the packed panels hold the same bits.
 */
final class GemmEdit {

    /** What the edit reads: U (r × m), E (r × k) and the scale s. */
    record Args(MemorySegment u, MemorySegment e, int r, float scale) {
    }

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int MR = 12;

    /** The edit's own product, as gemmAddend would run it: op(A) = Uᵀ (m × r), B = E (r × k), alpha = s. */
    private final GemmSpec spec;
    private final MemorySegment u;
    private final int r;
    /** The frozen product's k block: E is packed per block, each from the block's first column. */
    private final int kc;
    /** E as NR-column panels of r steps, block after block; panel t of block q at blockBase[q] + t·r·NR. */
    private final float[] panels;
    private final int[] blockBase;

    /**
     * Packs E for a product of m rows and inner size k run in k blocks of kc; {@code panels} is scratch of the calling
     * thread ({@link GemmWorkspace#editPanels}), read by every thread of the product until it returns.
     */
    GemmEdit(int m, int k, int kc, Args args, GemmWorkspace ws) {
        MemorySegment e = args.e();
        this.r = args.r();
        this.spec = GemmSpec.strided(true, false, m, k, r, args.scale(), 0f, m, k, k);
        this.u = args.u();
        this.kc = kc;
        int blocks = Math.ceilDiv(k, kc);
        this.blockBase = new int[blocks];
        long size = 0;
        for (int q = 0; q < blocks; q++) {
            blockBase[q] = Math.toIntExact(size);
            size += (long) Math.ceilDiv(Math.min(kc, k - q * kc), NR) * NR * r;
        }
        this.panels = ws.editPanels(size);
        for (int q = 0; q < blocks; q++) {
            int pc = q * kc;
            int kcq = Math.min(kc, k - pc);
            for (int t = 0; t * NR < kcq; t++) {
                GemmPacking.packB(spec, e, 0, 0, r, pc + t * NR, Math.min(NR, kcq - t * NR), panels,
                        blockBase[q] + t * r * NR);
            }
        }
    }

    /**
     * Packs rows r0 .. r0+rows, columns pc .. pc+kcq of A' (A = {@code a} from element offA, row stride lda) into the
     * row-major micro-panels at ap, where {@link GemmPacking#packA} would put A's.
     */
    void packA(GemmSpec frozen, MemorySegment a, long offA, int r0, int rows, int pc, int kcq, float[] ap) {
        GemmWorkspace ws = GemmWorkspace.get();
        float[] up = ws.edit((rows + MR) * r + L);
        GemmPacking.packBlockTransA(spec, u, 0, r0, rows, 0, r, up);
        float[] tile = ws.tile;
        float alpha = spec.alpha();
        long lda = frozen.lda();
        int q = pc / kc;
        for (int ir = 0; ir < rows; ir += MR) {
            int mr = Math.min(MR, rows - ir);
            int kr = CpuGemm.kernelRows(mr);
            int uOff = ir * r;   // full micro-panels of 12 rows, then the rest: both at (first row)·r
            int panel = GemmJob.rowPanelOffset(ir / MR, kcq);
            for (int t = 0; t * NR < kcq; t++) {
                int cols = Math.min(NR, kcq - t * NR);
                GemmKernels.run(false, kr, up, uOff, panels, blockBase[q] + t * r * NR, r, tile);
                for (int rr = 0; rr < mr; rr++) {
                    long src = (offA + (r0 + ir + rr) * lda + pc + t * NR) * Float.BYTES;
                    int dst = panel + rr * GemmKernels.A_STRIDE + t * NR;
                    int j = 0;
                    for (; j <= cols - L; j += L) {
                        // GemmJob.storeTile's addend merge: alpha·tile, then + A
                        FloatVector.fromArray(S, tile, rr * NR + j).mul(alpha)
                                .add(FloatVector.fromMemorySegment(S, a, src + j * 4L, NATIVE))
                                .intoArray(ap, dst + j);
                    }
                    for (; j < cols; j++) {
                        ap[dst + j] = alpha * tile[rr * NR + j] + a.get(F, src + j * 4L);
                    }
                }
            }
        }
    }
}
