package org.wegeft.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;
import org.wegeft.kernels.scalar.ScalarBackend;

/**
 * Checks the conformance suite itself: the reference passes against itself, deliberately broken backends are
 * caught, and an unavailable backend shows up as a skip with its reason.
 */
class BackendConformanceSelfTest {

    /** Softmax off by 1e-2 everywhere (masked entries included). */
    private static final class BrokenSoftmax extends DelegatingBackend {
        BrokenSoftmax() {
            super("broken-softmax", new ScalarBackend());
        }

        @Override
        public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
            delegate.softmax(x, y, rows, cols, causal, tq);
            delegate.affine(y, y, (long) rows * cols, 1f, 1e-2f);
        }
    }

    /** GEMM that reads C even when beta == 0 (so NaN in C leaks into the result). */
    private static final class GemmReadsC extends DelegatingBackend {
        GemmReadsC() {
            super("gemm-reads-c", new ScalarBackend());
        }

        @Override
        public void gemm(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c) {
            delegate.gemm(s.beta() != 0f ? s : new GemmSpec(s.transA(), s.transB(), s.m(), s.n(), s.k(), s.alpha(),
                    Float.MIN_VALUE, s.lda(), s.ldb(), s.ldc(), s.batch(), s.strideA(), s.strideB(), s.strideC()), a, b, c);
        }
    }

    /** GEMM with a relative error of 1e-3 in alpha. */
    private static final class ImpreciseGemm extends DelegatingBackend {
        ImpreciseGemm() {
            super("imprecise-gemm", new ScalarBackend());
        }

        @Override
        public void gemm(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c) {
            delegate.gemm(new GemmSpec(s.transA(), s.transB(), s.m(), s.n(), s.k(), s.alpha() * 1.001f, s.beta(),
                    s.lda(), s.ldb(), s.ldc(), s.batch(), s.strideA(), s.strideB(), s.strideC()), a, b, c);
        }
    }

    @TestFactory
    Stream<DynamicNode> referenceAgreesWithItselfOnEveryCase() {
        return ConformanceSuite.forBackends(List.of(new DelegatingBackend("scalar-copy", new ScalarBackend())));
    }

    @Test
    void suiteCoversEveryKernelOfTheSpi() {
        var kernels = ConformanceSuite.cases().stream().map(c -> c.kernel().split(" ")[0]).distinct().toList();
        // every abstract kernel, and the default ones a backend may override with its own kernel (gemmBias,
        // gemmAddend, gemmWeight, gemmQuantized, gemmEditedA, the token-major attention pair);
        // the memory and synchronisation defaults are not kernels, nor are the interface's private helpers
        var spi = Stream.of(KernelBackend.class.getDeclaredMethods())
                .filter(m -> !java.lang.reflect.Modifier.isPrivate(m.getModifiers()))
                .filter(m -> (!m.isDefault() || List.of("gemmBias", "gemmAddend", "gemmWeight", "gemmQuantized", "gemmEditedA",
                        "attentionTokenMajor", "attentionBackwardTokenMajor").contains(m.getName()))
                        && !List.of("name", "availability", "priority").contains(m.getName()))
                .map(java.lang.reflect.Method::getName).distinct().sorted().toList();
        assertEquals(spi, kernels.stream().sorted().toList());
    }

    @Test
    void softmaxOffByOneHundredthFailsEverySoftmaxCaseAndNothingElse() {
        KernelBackend broken = new BrokenSoftmax();
        int softmaxCases = 0;
        for (ConformanceCase c : ConformanceSuite.cases()) {
            if (c.kernel().equals("softmax")) {
                softmaxCases++;
                assertThrows(AssertionError.class, () -> c.check().run(ConformanceSuite.REFERENCE, broken),
                        "the suite must reject " + c.displayName());
            } else if (c.kernel().equals("softmaxBackward") || c.kernel().startsWith("reduce")) {
                c.check().run(ConformanceSuite.REFERENCE, broken); // untouched kernels still pass
            }
        }
        assertTrue(softmaxCases >= 5, "softmax cases: " + softmaxCases);
    }

    /** A weight GEMM that runs the reference with its dropout changed by {@code change}. */
    private static final class ChangedDropout extends DelegatingBackend {
        private final java.util.function.UnaryOperator<WeightDropout> change;

        ChangedDropout(String name, java.util.function.UnaryOperator<WeightDropout> change) {
            super(name, new ScalarBackend());
            this.change = change;
        }

        @Override
        public void gemmWeight(GemmSpec s, MemorySegment a, DType bType, MemorySegment b, WeightDropout dropout,
                               MemorySegment bias, MemorySegment c) {
            delegate.gemmWeight(s, a, bType, b, dropout == null ? null : change.apply(dropout), bias, c);
        }
    }

    @Test
    void weightGemmThatIgnoresTheFirstDroppedRowIsCaught() {
        // drops for every row of a product whose upper rows should read the weight as it is
        assertSuiteRejects(new ChangedDropout("drops-every-row", d -> d.fromRow(0)),
                c -> c.kernel().equals("gemmWeight")
                        && (c.shape().contains(" from row ") || c.shape().contains("(no row dropped)")),
                10, "split cases");
    }

    /** A quantized GEMM that reads the weight through another one (its code table or its bf16 rounding changed). */
    private static final class ChangedQuantized extends DelegatingBackend {
        private final java.util.function.UnaryOperator<QuantizedWeight> change;

        ChangedQuantized(String name, java.util.function.UnaryOperator<QuantizedWeight> change) {
            super(name, new ScalarBackend());
            this.change = change;
        }

        @Override
        public void gemmQuantized(GemmSpec s, MemorySegment a, QuantizedWeight b, WeightDropout dropout,
                                  MemorySegment bias, MemorySegment c) {
            delegate.gemmQuantized(s, a, change.apply(b), dropout, bias, c);
        }
    }

    @Test
    void quantizedGemmWithSwappedNibblesIsCaught() {
        // the second element of each byte read from the high nibble: the other packing order
        assertSuiteRejects(new ChangedQuantized("swapped-nibbles", q -> {
            if (q.format() != QuantFormat.NF4) {
                return q;
            }
            byte[] codes = q.codes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            for (int i = 0; i < codes.length; i++) {
                codes[i] = (byte) (((codes[i] & 15) << 4) | ((codes[i] >> 4) & 15));
            }
            return QuantizedWeight.nf4(q.rows(), q.cols(), codes,
                    q.scales().toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED), q.table(), q.blockSize(),
                    q.roundTo());
        }), c -> c.kernel().equals("gemmQuantized") && c.shape().contains(" B NF4"), 20, "NF4 cases");
    }

    @Test
    void quantizedGemmThatSkipsTheBf16RoundingIsCaught() {
        assertSuiteRejects(new ChangedQuantized("no-bf16-rounding", q -> q.roundTo() == DType.BF16
                        ? new QuantizedWeight(q.format(), q.rows(), q.cols(), q.codes(), q.scales(), q.table(),
                        q.blockSize(), DType.F32) : q),
                c -> c.kernel().equals("gemmQuantized") && c.shape().contains(" B NF4_BF16"), 10, "bf16 cases");
    }

    @Test
    void weightGemmWithAnotherDropoutMaskIsCaught() {
        // the same rate, other elements dropped
        assertSuiteRejects(new ChangedDropout("other-dropout-key",
                        d -> new WeightDropout(d.key() + 1, d.p(), d.firstRow())),
                c -> c.kernel().equals("gemmWeight") && c.shape().contains("dropout")
                        && !c.shape().contains(" k=0 ") && !c.shape().contains("(no row dropped)"),
                20, "dropout cases");
    }

    @Test
    void gemmThatReadsCWhenBetaIsZeroIsCaught() {
        assertSuiteRejects(new GemmReadsC(),
                c -> c.kernel().equals("gemm") && c.shape().contains("beta=0.0") && !c.shape().contains("n=0 ")
                        && !c.shape().contains("m=0 ") && !c.shape().contains("k=0 "),
                5, "beta = 0 cases");
    }

    @Test
    void gemmWithRelativeErrorOfOneThousandthIsCaught() {
        assertSuiteRejects(new ImpreciseGemm(),
                c -> c.kernel().equals("gemm") && !c.shape().contains(" n=0 ") && !c.shape().contains(" k=0 "),
                1, "gemm cases");
    }

    /** Every case {@code selected} picks (at least {@code atLeast} of them) must fail against {@code broken}. */
    private static void assertSuiteRejects(KernelBackend broken, java.util.function.Predicate<ConformanceCase> selected,
                                           int atLeast, String what) {
        List<ConformanceCase> cases = ConformanceSuite.cases().stream().filter(selected).toList();
        assertTrue(cases.size() >= atLeast, what + ": " + cases.size());
        for (ConformanceCase c : cases) {
            assertThrows(AssertionError.class, () -> c.check().run(ConformanceSuite.REFERENCE, broken),
                    "the suite must reject " + c.displayName());
        }
    }

    @Test
    void unavailableBackendIsASkipThatGivesItsReason() throws Throwable {
        KernelBackend absent = new DelegatingBackend("absent", new ScalarBackend()) {
            @Override
            public Availability availability() {
                return Availability.no("no such device on this machine");
            }
        };
        List<DynamicNode> nodes = ConformanceSuite.forBackends(List.of(absent)).toList();
        assertEquals(1, nodes.size());
        DynamicTest test = (DynamicTest) nodes.get(0);
        var e = assertThrows(TestAbortedException.class, () -> test.getExecutable().execute());
        assertTrue(e.getMessage().contains("absent") && e.getMessage().contains("no such device on this machine"),
                e.getMessage());
    }

    @Test
    void noBackendToTestIsASkipNotAPass() {
        List<DynamicNode> nodes = ConformanceSuite.forBackends(List.of()).toList();
        assertEquals(1, nodes.size());
        DynamicTest test = (DynamicTest) nodes.get(0);
        assertThrows(TestAbortedException.class, () -> test.getExecutable().execute());
        assertFalse(test.getDisplayName().isBlank());
    }
}
