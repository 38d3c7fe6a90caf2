package org.wegeft.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.nn.train.BatchSource;

class DataLoaderTest {
    /** A sample is its index and the random value its seed draws; a batch is the list of samples. */
    record Sample(int index, long draw) {}

    private static DataLoader<List<Sample>> loader(int size, LoaderOptions opts) {
        return DataLoader.create(size, () -> (i, seed) -> new Sample(i, new SplittableRandom(seed).nextLong()),
                List::copyOf, opts);
    }

    private static List<List<Sample>> drain(Iterator<List<Sample>> it) {
        List<List<Sample>> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void sameSeedGivesSameBatchesWhateverTheWorkers(int workers) {
        var opts = new LoaderOptions(8, true, false, workers, 3, 42);
        try (var a = loader(100, opts); var b = loader(100, opts.withWorkers(2))) {
            assertEquals(drain(a.epoch(1)), drain(b.epoch(1)));
        }
    }

    @Test
    void shardsTogetherReadEachBatchOnceInOrder() {
        var opts = new LoaderOptions(8, true, true, 1, 2, 42);
        try (var whole = loader(50, opts); var s0 = loader(50, opts).shard(0, 2); var s1 = loader(50, opts).shard(1, 2)) {
            var w = drain(whole.epoch(2));
            var a = drain(s0.epoch(2));
            var b = drain(s1.epoch(2));
            assertEquals(w.size(), a.size());
            assertEquals(w.size(), s0.batchesPerEpoch());
            for (int k = 0; k < w.size(); k++) {
                List<Sample> joined = new ArrayList<>(a.get(k));
                joined.addAll(b.get(k));
                assertEquals(4, a.get(k).size());
                assertEquals(w.get(k), joined, "batch " + k + " = shard 0 then shard 1 (indices and sample seeds)");
            }
        }
        try (var l = loader(50, opts)) {
            assertThrows(IllegalArgumentException.class, () -> l.shard(0, 3), "8 is not a multiple of 3");
            assertThrows(IllegalArgumentException.class, () -> l.shard(2, 2));
        }
    }

    @Test
    void differentEpochsGiveDifferentOrdersAndDraws() {
        try (var l = loader(100, LoaderOptions.train(10, 7))) {
            var e0 = drain(l.epoch(0));
            var e1 = drain(l.epoch(1));
            assertFalse(Arrays.equals(l.order(0, 7), l.order(1, 7)));
            assertFalse(e0.equals(e1));
            assertFalse(Arrays.equals(l.order(0, 7), l.order(0, 8)));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void everySampleOncePerEpochAndDropLastCutsTheShortBatch(boolean dropLast) {
        var opts = new LoaderOptions(8, true, dropLast, 2, 2, 3);
        try (var l = loader(30, opts)) {
            var batches = drain(l.epoch(5));
            assertEquals(dropLast ? 3 : 4, batches.size());
            assertEquals(batches.size(), l.batchesPerEpoch());
            int[] seen = new int[30];
            batches.forEach(b -> b.forEach(s -> seen[s.index()]++));
            int total = Arrays.stream(seen).sum();
            assertEquals(dropLast ? 24 : 30, total);
            assertTrue(Arrays.stream(seen).allMatch(c -> c <= 1));
            assertEquals(dropLast ? 8 : 6, batches.getLast().size());
        }
    }

    @Test
    void unshuffledLoaderKeepsIndexOrder() {
        try (var l = loader(10, LoaderOptions.eval(4))) {
            var batches = drain(l.epoch(0));
            assertEquals(List.of(8, 9), batches.get(2).stream().map(Sample::index).toList());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, l.order(3, 99));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void atMostPrefetchBatchesAreEverInFlight(int prefetch) throws InterruptedException {
        AtomicInteger produced = new AtomicInteger();
        var opts = new LoaderOptions(4, true, false, 3, prefetch, 1);
        try (var l = DataLoader.create(200, () -> (i, s) -> i, (List<Integer> xs) -> {
            produced.incrementAndGet();
            return xs;
        }, opts)) {
            var it = l.epoch(0);
            int consumed = 0;
            while (it.hasNext()) {
                assertTrue(it.inFlight() <= prefetch);
                Thread.sleep(0, 100_000);
                assertTrue(produced.get() <= consumed + prefetch, produced + " produced, " + consumed + " consumed");
                it.next();
                consumed++;
            }
            assertEquals(50, produced.get());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void workerExceptionReachesConsumerWithOriginalCause(int workers) {
        IllegalStateException boom = new IllegalStateException("bad sample 13");
        var opts = new LoaderOptions(5, false, false, workers, 2, 0);
        try (var l = DataLoader.create(40, () -> (i, s) -> {
            if (i == 13) {
                throw boom;
            }
            return i;
        }, List::copyOf, opts)) {
            var it = l.epoch(0);
            it.next();
            it.next();
            var e = assertThrows(DataLoaderException.class, it::next);
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("batch 2"), e.getMessage());
        }
    }

    @Test
    void closeStopsAndJoinsEveryWorkerThread() {
        var l = loader(1000, LoaderOptions.train(4, 1).withWorkers(3));
        var it = l.epoch(0);
        it.next();
        assertTrue(liveThreads(l.threadNamePrefix()) > 0);
        l.close();
        assertEquals(0, liveThreads(l.threadNamePrefix()));
        assertThrows(IllegalStateException.class, () -> l.epoch(1));
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
    }

    @Test
    void sampleSeedsDependOnEpochAndIndexOnly() {
        long e = DataLoader.epochSeed(5, 2);
        assertEquals(DataLoader.sampleSeed(e, 9), DataLoader.sampleSeed(DataLoader.epochSeed(5, 2), 9));
        assertFalse(DataLoader.sampleSeed(e, 9) == DataLoader.sampleSeed(e, 10));
        assertFalse(DataLoader.epochSeed(5, 2) == DataLoader.epochSeed(5, 3));
    }

    @Test
    void batchSourceAdapterConvertsOnTheCallerThreadAndReplaysBySeed() {
        try (var l = loader(50, LoaderOptions.train(10, 0))) {
            Thread caller = Thread.currentThread();
            BatchSource<int[]> src = l.asBatchSource(b -> {
                assertSame(caller, Thread.currentThread());
                return b.stream().mapToInt(Sample::index).toArray();
            }, b -> b.length);
            assertEquals(5, src.batchesPerEpoch());
            List<int[]> first = new ArrayList<>();
            src.epoch(0, 11).forEachRemaining(first::add);
            Iterator<int[]> again = src.epoch(0, 11);
            for (int[] b : first) {
                assertArrayEquals(b, again.next());
                assertEquals(10, src.samples(b));
            }
        }
    }

    @Test
    void closingTheBatchSourceClosesItsLoader() throws Exception {
        var l = loader(20, LoaderOptions.train(10, 0));
        BatchSource<int[]> src = l.asBatchSource(b -> b.stream().mapToInt(Sample::index).toArray(), b -> b.length);
        src.epoch(0, 1).next();
        ((AutoCloseable) src).close();
        assertThrows(IllegalStateException.class, () -> l.epoch(0, 1));
        l.close();   // closing again is harmless
    }
}
