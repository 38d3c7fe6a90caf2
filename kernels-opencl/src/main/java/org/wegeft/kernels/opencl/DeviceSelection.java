package org.wegeft.kernels.opencl;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which OpenCL device runs: {@code WEGEFT_OPENCL_DEVICE=platform:device} (indices as {@code wegeft backends} lists
 * them), else the first GPU of the first platform that has one, else device 0 of platform 0.
 */
final class DeviceSelection {
    static final String ENV = "WEGEFT_OPENCL_DEVICE";

    /** One device as the loader lists it. */
    record Listed(int platform, int device, boolean gpu) {
    }

    private DeviceSelection() {
    }

    /**
     * The index of the chosen device in {@code devices}, or empty with {@code why[0]} set when {@code requested}
     * names none of them or is malformed.
     */
    static Optional<Integer> choose(@Nullable String requested, List<Listed> devices, String[] why) {
        if (requested != null && !requested.isBlank()) {
            String[] parts = requested.strip().split(":", -1);
            int p;
            int d;
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                p = Integer.parseInt(parts[0]);
                d = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                why[0] = ENV + "=" + requested + ": expected platform:device, two indices such as 0:1";
                return Optional.empty();
            }
            for (int i = 0; i < devices.size(); i++) {
                if (devices.get(i).platform() == p && devices.get(i).device() == d) {
                    return Optional.of(i);
                }
            }
            why[0] = ENV + "=" + requested + ": no such device; found " + devices.stream()
                    .map(l -> l.platform() + ":" + l.device()).toList();
            return Optional.empty();
        }
        if (devices.isEmpty()) {
            why[0] = "no OpenCL device";
            return Optional.empty();
        }
        for (int i = 0; i < devices.size(); i++) {
            if (devices.get(i).gpu()) {
                return Optional.of(i);
            }
        }
        return Optional.of(0);
    }
}
