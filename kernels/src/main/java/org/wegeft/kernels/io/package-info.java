/**
 * Writing files safely: atomic writes through recognisable temporary names ({@link org.wegeft.kernels.io.AtomicFiles}),
 * removal of the leftovers of writers that died ({@link org.wegeft.kernels.io.Leftovers}), a free-space check before
 * large writes ({@link org.wegeft.kernels.io.DiskSpace}), one owner per output folder
 * ({@link org.wegeft.kernels.io.OutputLock}) and I/O errors that name their file ({@link org.wegeft.kernels.io.IoErrors}).
 * Every module that writes files uses these, so the rules hold everywhere.
 */
@NullMarked
package org.wegeft.kernels.io;

import org.jspecify.annotations.NullMarked;
