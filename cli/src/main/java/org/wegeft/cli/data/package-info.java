/** Tools for the embedded data: the converter that writes {@code examples/data/*.arrow}, and a loader benchmark. */
@NullMarked
package org.wegeft.cli.data;

import org.jspecify.annotations.NullMarked;
