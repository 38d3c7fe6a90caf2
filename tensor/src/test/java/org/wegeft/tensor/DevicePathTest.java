package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;

/**
 * The tensor module on a device backend, without a GPU: {@link PretendDevice} runs the CPU kernels on memory that
 * host code cannot read, so every host access must go through {@link HostAccess}, and counts the copies.
 */
class DevicePathTest {
    private static final int B = 6;
    private static final int IN = 8;
    private static final int HIDDEN = 16;
    private static final int CLASSES = 5;
    static final int STEPS = 3;

    private KernelBackend previous;
    private KernelBackend cpu;
    private PretendDevice device;

    @BeforeEach
    void pick() {
        previous = Backends.current();
        cpu = Backends.byName("cpu");
        device = new PretendDevice(cpu);
    }

    @AfterEach
    void restore() {
        Backends.setCurrent(previous);
    }

    static <T> T on(KernelBackend be, Supplier<T> body) {
        KernelBackend before = Backends.current();
        Backends.setCurrent(be);
        try {
            return body.get();
        } finally {
            Backends.setCurrent(before);
        }
    }

    /** Losses, final parameters and per-step copy counts of a few steps of a small classifier. */
    record Run(float[] losses, List<float[]> params, long[] copiesPerStep) {
    }

    private Run train(KernelBackend be) {
        return train(be, device::copies);
    }

    /** A few steps of the classifier on {@code be}; {@code copies} counts host-device copies so far. */
    static Run train(KernelBackend be, LongSupplier copies) {
        return on(be, () -> {
            float[] xData = new float[B * IN];
            int[] targets = new int[B];
            for (int i = 0; i < xData.length; i++) {
                xData[i] = (float) Math.sin(0.37 * i) * 2f;
            }
            for (int i = 0; i < B; i++) {
                targets[i] = (i * 3) % CLASSES;
            }
            List<Tensor> params = new ArrayList<>();
            Tensor w1 = Tensor.randn(1, HIDDEN, IN);
            Tensor b1 = Tensor.uniform(Factories.rng(2), -0.1f, 0.1f, HIDDEN);
            Tensor gamma = Tensor.ones(HIDDEN);
            Tensor beta = Tensor.zeros(HIDDEN);
            Tensor w2 = Tensor.rand(3, CLASSES, HIDDEN);
            Tensor b2 = Tensor.zeros(CLASSES);
            Tensor editA = Tensor.uniform(Factories.rng(4), -0.3f, 0.3f, 3, HIDDEN);   // a rank-3 edit (lowRankEdit)
            Tensor editB = Tensor.uniform(Factories.rng(5), -0.3f, 0.3f, 3, HIDDEN);
            for (Tensor p : List.of(w1, b1, gamma, beta, w2, b2, editA, editB)) {
                TensorScope.unregister(p);
                params.add(p.requiresGrad(true));
            }
            List<Tensor> m = new ArrayList<>();
            List<Tensor> v = new ArrayList<>();
            for (Tensor p : params) {
                m.add(TensorOptim.stateLike(p));
                v.add(TensorOptim.stateLike(p));
            }
            float[] losses = new float[STEPS];
            long[] copiesPerStep = new long[STEPS];
            for (int step = 1; step <= STEPS; step++) {
                long before = copies.getAsLong();
                try (var scope = TensorScope.open()) {
                    Tensor x = Tensor.of(xData, B, IN);                        // upload: the batch
                    Tensor t = Tensor.ofInts(targets);                         // upload: the labels
                    Tensor h = Functional.gelu(Functional.linear(x, w1, b1), false);         // (B, HIDDEN)
                    Tensor n = Functional.layerNorm(h, gamma, beta, 1e-5f);
                    Tensor e = Functional.lowRankEdit(n, editA, editB, 0.5f);             // (B, HIDDEN)
                    Tensor logits = Functional.linear(e, w2, b2);                           // (B, CLASSES)
                    Tensor loss = Functional.crossEntropy(logits, t);
                    loss.backward();
                    losses[step - 1] = loss.item();                            // download: the loss
                    try (var g = Grad.disabled()) {
                        for (int i = 0; i < params.size(); i++) {
                            Tensor p = params.get(i);
                            TensorOptim.adamwStep(p, p.grad(), m.get(i), v.get(i), 1e-2f, 0.9f, 0.999f, 1e-8f,
                                    0.01f, step);
                            p.zeroGrad();
                        }
                    }
                }
                copiesPerStep[step - 1] = copies.getAsLong() - before;
            }
            List<float[]> out = new ArrayList<>();
            for (Tensor p : params) {
                out.add(p.toFloatArray());
                p.close();
            }
            m.forEach(Tensor::close);
            v.forEach(Tensor::close);
            return new Run(losses, out, copiesPerStep);
        });
    }

    @Test
    void trainingStepOnADeviceMatchesTheCpuBitForBitAndCopiesOnlyAtTheEdges() {
        Run host = train(cpu);
        long toDevice0 = device.toDevice.get();
        Run dev = train(device);
        assertTrue(device.kernels.get() > 0, "the pretend device ran no kernel");
        assertArrayEquals(host.losses(), dev.losses());
        for (int i = 0; i < host.params().size(); i++) {
            assertArrayEquals(host.params().get(i), dev.params().get(i), "parameter " + i);
        }
        assertTrue(dev.losses()[STEPS - 1] < dev.losses()[0], "the loss did not fall: "
                + java.util.Arrays.toString(dev.losses()));
        // every step: batch + labels up, loss down; nothing else crosses
        for (long c : dev.copiesPerStep()) {
            assertEquals(3, c, "host <-> device copies per step " + java.util.Arrays.toString(dev.copiesPerStep()));
        }
        assertTrue(device.toDevice.get() > toDevice0);
        assertEquals(0, device.liveBuffers(), "device buffers leaked");
    }

    @Test
    void hostCodeCannotReadDeviceMemoryAndKernelsRefuseForeignMemory() {
        Tensor hostT = on(cpu, () -> Tensor.of(new float[] {1, 2, 3}));
        on(device, () -> {
            try (Tensor d = Tensor.of(new float[] {4, 5, 6})) {
                assertFalse(d.storage().isHostMemory());
                // the pretend device's memory is unreachable from host code, as a GPU pointer is
                assertThrows(WrongThreadException.class, () -> d.storage().memory().get(ValueLayout.JAVA_FLOAT, 0));
                var e = assertThrows(UnsupportedOperationException.class, () -> hostT.add(hostT));
                assertTrue(e.getMessage().contains("pretend-device") && e.getMessage().contains("host memory"),
                        e.getMessage());
                // copyFrom moves host data onto the device, and back
                d.copyFrom(hostT);
                assertArrayEquals(new float[] {1, 2, 3}, d.toFloatArray());
                try (Tensor back = on(cpu, () -> Tensor.zeros(3))) {
                    try (Tensor twice = d.mul(2f)) {
                        back.copyFrom(twice);
                    }
                    assertArrayEquals(new float[] {2, 4, 6}, on(cpu, back::toFloatArray));
                }
            }
            return null;
        });
        var e = assertThrows(UnsupportedOperationException.class, () -> {
            try (Tensor d = on(device, () -> Tensor.ones(2))) {
                on(cpu, () -> d.add(d)).close(); // device memory, CPU kernels
            }
        });
        assertTrue(e.getMessage().contains("memory of device backend 'pretend-device'"), e.getMessage());
        hostT.close();
    }

    @Test
    void readersAndFactoriesCopyOncePerCall() {
        on(device, () -> {
            try (var s = TensorScope.open()) {
                long up = device.toDevice.get();
                Tensor a = Tensor.of(new float[] {1.5f, -2f, 3.25f, 4f, 0.5f, -6f}, 2, 3);
                Tensor ids = Tensor.ofInts(new int[] {7, -1, 3});
                Tensor r = Tensor.randn(9, 4);
                assertEquals(3, device.toDevice.get() - up, "one upload per factory call");
                up = device.toDevice.get();
                long down = device.toHost.get();
                assertEquals(3.25f, a.get(0, 2));
                assertEquals(-6f, a.t().get(2, 1));
                assertEquals(1.25f, a.sum().item());
                assertArrayEquals(new int[] {7, -1, 3}, ids.toIntArray());
                assertArrayEquals(new float[] {1.5f, 4f, -2f, 0.5f, 3.25f, -6f}, a.t().toFloatArray());
                assertEquals(5, device.toHost.get() - down, "one download per read");
                assertEquals(up, device.toDevice.get(), "reads upload nothing");
                Tensor half = a.to(DType.BF16);
                assertEquals(-2f, half.get(0, 1));
                float[] rd = r.toFloatArray();
                float[] rh = on(cpu, () -> {
                    try (Tensor c = Tensor.randn(9, 4)) {
                        return c.toFloatArray();
                    }
                });
                assertArrayEquals(rh, rd);
            }
            return null;
        });
    }

    @Test
    void safetensorsSaveAndLoadOnADeviceRoundTripTheCpuBytes(@TempDir Path dir) throws IOException {
        Path hostFile = dir.resolve("host.safetensors");
        Path devFile = dir.resolve("dev.safetensors");
        Path streamFile = dir.resolve("stream.safetensors");
        writeThree(cpu, hostFile, null, null);
        writeThree(device, devFile, streamFile, device.toHost::get);
        assertArrayEquals(Files.readAllBytes(hostFile), Files.readAllBytes(devFile));
        assertArrayEquals(Files.readAllBytes(hostFile), Files.readAllBytes(streamFile));
        on(device, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(devFile)) {
                long up = device.toDevice.get();
                try (Storage w = f.storage("w"); Storage ids = f.storage("ids"); Storage half = f.storage("half");
                     Tensor tw = Tensor.wrap(w, 3, 4); Tensor ti = Tensor.wrap(ids, 3);
                     Tensor th = Tensor.wrap(half, 3, 4)) {
                    assertEquals(3, device.toDevice.get() - up, "one upload per tensor loaded");
                    assertFalse(w.isHostMemory());
                    float[] expected = on(cpu, () -> {
                        try (Tensor c = Tensor.randn(5, 3, 4)) {
                            return c.toFloatArray();
                        }
                    });
                    assertArrayEquals(expected, tw.toFloatArray());
                    assertArrayEquals(new int[] {1, 2, 3}, ti.toIntArray());
                    try (Tensor back = th.to(DType.F32); Tensor diff = back.sub(tw).abs().max()) {
                        assertTrue(diff.item() < 0.02f, "bf16 round trip error " + diff.item());
                    }
                }
            }
            return null;
        });
        // a host backend still maps the file without copying
        on(cpu, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(devFile); Storage w = f.storage("w")) {
                assertTrue(w.isHostMemory());
            }
            return null;
        });
    }

    /**
     * Writes three tensors made on {@code be} (f32, i32, bf16) to {@code file} with the safetensors writer and, unless
     * {@code streamFile} is null, with the streaming writer. With {@code downloads} (a count of device-to-host
     * copies), checks one download per tensor.
     */
    static void writeThree(KernelBackend be, Path file, @Nullable Path streamFile, @Nullable LongSupplier downloads) {
        on(be, () -> {
            try (Tensor w = Tensor.randn(5, 3, 4); Tensor ids = Tensor.ofInts(new int[] {1, 2, 3});
                 Tensor half = w.to(DType.BF16)) {
                long before = downloads == null ? 0 : downloads.getAsLong();
                new SafetensorsWriter().add("w", DType.F32, w.shape(), w.storage())
                        .add("ids", DType.I32, ids.shape(), ids.storage())
                        .add("half", DType.BF16, half.shape(), half.storage()).write(file);
                if (downloads != null) {
                    assertEquals(3, downloads.getAsLong() - before, "one download per tensor");
                }
                if (streamFile != null) {
                    List<TensorInfo> infos = List.of(new TensorInfo("w", "F32", w.shape(), 0, 48),
                            new TensorInfo("ids", "I32", ids.shape(), 48, 60),
                            new TensorInfo("half", "BF16", half.shape(), 60, 84));
                    try (var sw = SafetensorsStreamWriter.create(streamFile, Map.of(), infos)) {
                        sw.write("w", w);
                        sw.write("ids", ids);
                        sw.write("half", half);
                        sw.commit();
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return null;
        });
    }
}
