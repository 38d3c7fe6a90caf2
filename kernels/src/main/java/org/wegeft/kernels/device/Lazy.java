package org.wegeft.kernels.device;

import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A value made on first use, once, by whichever thread asks first; later calls return it without locking. A device
 * backend's runtime (its library, context and queue) and its probe of the machine are made this way. When making
 * the value throws, nothing is kept and the next call tries again.
 */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<? extends T> make;
    private volatile @Nullable T value;

    public Lazy(Supplier<? extends T> make) {
        this.make = Objects.requireNonNull(make, "make");
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    value = v = Objects.requireNonNull(make.get(), "a lazy value must not be null");
                }
            }
        }
        return v;
    }
}
