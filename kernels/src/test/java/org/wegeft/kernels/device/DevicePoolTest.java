package org.wegeft.kernels.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DevicePoolTest {

    @ParameterizedTest
    @CsvSource({"0,256", "1,256", "256,256", "257,512", "4096,4096", "5000,8192"})
    void requestsRoundUpToAPowerOfTwoClass(long bytes, long cls) {
        assertEquals(cls, DevicePool.sizeClass(bytes));
    }

    @Test
    void freedBlocksAreReusedWithoutCallingTheDriver() {
        List<Long> released = new ArrayList<>();
        long[] next = {0x1000};
        DevicePool pool = new DevicePool(bytes -> (next[0] += bytes), released::add);
        for (int step = 0; step < 3; step++) { // the same temporaries every step
            long a = pool.allocate(1000);
            long b = pool.allocate(300);
            pool.free(a);
            pool.free(b);
        }
        assertEquals(2, pool.driverAllocations());
        assertEquals(0, pool.liveBytes());
        assertEquals(1024 + 512, pool.cachedBytes());
        pool.trim();
        assertEquals(2, released.size());
        assertEquals(0, pool.cachedBytes());
    }

    @Test
    void freeingAForeignPointerNamesIt() {
        DevicePool pool = new DevicePool(bytes -> 64, p -> { });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.free(0xabc));
        assertEquals("device pointer 0xabc was not allocated by this pool (or was freed twice)", e.getMessage());
    }
}
