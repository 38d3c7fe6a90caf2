/** Small headless charts (Java2D into a PNG), for demo and benchmark reports. */
@NullMarked
package org.wegeft.cli.plot;

import org.jspecify.annotations.NullMarked;
