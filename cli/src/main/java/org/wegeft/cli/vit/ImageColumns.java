package org.wegeft.cli.vit;

import picocli.CommandLine.Option;

/** {@code --image-column NAME --label-column NAME}: the columns of an image-classification data set. */
final class ImageColumns {
    @Option(names = "--image-column", defaultValue = "image", description = "default: ${DEFAULT-VALUE}")
    String image = "image";

    @Option(names = "--label-column", defaultValue = "label", description = "default: ${DEFAULT-VALUE}")
    String label = "label";
}
