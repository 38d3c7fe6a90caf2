/** Tools for the embedded data: the converter that writes {@code examples/data/*.arrow}, and a loader benchmark. */
@NullMarked
package org.wegeft.examples.data;

import org.jspecify.annotations.NullMarked;
