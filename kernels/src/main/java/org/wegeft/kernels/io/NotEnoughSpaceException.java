package org.wegeft.kernels.io;

import org.wegeft.kernels.WegeftInputException;

/** A write refused before it started: the folder's file system has less usable space than the write needs. */
public final class NotEnoughSpaceException extends WegeftInputException {
    private final long needed;
    private final long usable;

    NotEnoughSpaceException(String folder, String what, long needed, long usable) {
        super(folder, "not enough free space in " + folder + " for " + what + ": it needs "
                + DiskSpace.human(needed) + " (" + needed + " bytes), " + DiskSpace.human(usable) + " (" + usable
                + " bytes) is free", null);
        this.needed = needed;
        this.usable = usable;
    }

    /** Bytes the write needs. */
    public long needed() {
        return needed;
    }

    /** Bytes the file system had free for this process. */
    public long usable() {
        return usable;
    }
}
