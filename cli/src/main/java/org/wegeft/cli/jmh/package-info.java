/**
 * JMH benchmarks of the kernel SPI, run on demand with {@code wegeft bench jmh [JMH args]}, never in CI.
 */
@NullMarked
package org.wegeft.cli.jmh;

import org.jspecify.annotations.NullMarked;
