package org.wegeft.kernels.device;

import java.util.function.Function;
import org.wegeft.kernels.Availability;

/**
 * What a device backend's look at the machine found, without throwing: the parts its runtime is built from (the
 * libraries, the chosen device) with a description for {@code wegeft backends}, or the reason there are none.
 *
 * @param <R> the backend's parts
 */
public sealed interface DeviceProbe<R> {
    /** The parts were found. */
    record Found<R>(R parts, String description) implements DeviceProbe<R> {
    }

    /** They were not, for {@code reason}. */
    record Unavailable<R>(String reason) implements DeviceProbe<R> {
    }

    /** Available with the description, or not with the reason. */
    default Availability availability() {
        return switch (this) {
            case Found<R> f -> Availability.yes(f.description());
            case Unavailable<R> u -> Availability.no(u.reason());
        };
    }

    /** The parts, or the exception {@code unavailable} makes of the reason. */
    default R partsOrThrow(Function<String, ? extends RuntimeException> unavailable) {
        return switch (this) {
            case Found<R> f -> f.parts();
            case Unavailable<R> u -> throw unavailable.apply(u.reason());
        };
    }
}
