/** Small headless charts (Java2D into a PNG), for demo and benchmark reports. */
@NullMarked
package org.wegeft.examples.plot;

import org.jspecify.annotations.NullMarked;
