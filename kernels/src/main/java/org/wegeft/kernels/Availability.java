package org.wegeft.kernels;

/** Whether a backend can run on this machine, and why not. */
public record Availability(boolean available, String reason) {

    public static Availability yes(String reason) {
        return new Availability(true, reason);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
