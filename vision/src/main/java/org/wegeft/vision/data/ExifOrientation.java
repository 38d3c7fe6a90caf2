package org.wegeft.vision.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The EXIF orientation tag (0x0112) of a JPEG (APP1 "Exif" segment) or PNG ({@code eXIf} chunk), and the
 * transposition that shows the image upright, as PIL's {@code ImageOps.exif_transpose}: 2 mirror left-right,
 * 3 rotate 180°, 4 mirror top-bottom, 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90°
 * counter-clockwise. A missing, malformed or out-of-range tag means 1 (as stored).
 */
final class ExifOrientation {
    private static final int TAG = 0x0112;

    private ExifOrientation() {}

    /** The orientation stored in {@code bytes[0 .. len)}, 1..8; 1 when there is none. */
    static int of(byte[] bytes, int len) {
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, len).order(ByteOrder.BIG_ENDIAN);
        try {
            if (len > 4 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8) {
                return jpeg(b, len);
            }
            if (len > 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
                return png(b, len);
            }
        } catch (IndexOutOfBoundsException e) {
            // a truncated segment: no usable orientation
        }
        return 1;
    }

    private static int jpeg(ByteBuffer b, int len) {
        int p = 2;
        while (p + 4 <= len && (b.get(p) & 0xFF) == 0xFF) {
            int marker = b.get(p + 1) & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break; // start of scan / end of image: no more metadata
            }
            int size = b.getShort(p + 2) & 0xFFFF;
            if (marker == 0xE1 && size >= 8 && "Exif\0\0".equals(ascii(b, p + 4, 6))) {
                return tiff(b, p + 10, p + 2 + size);
            }
            p += 2 + size;
        }
        return 1;
    }

    private static int png(ByteBuffer b, int len) {
        int p = 8;
        while (p + 8 <= len) {
            int size = b.getInt(p);
            String type = ascii(b, p + 4, 4);
            if (size < 0 || type.equals("IEND")) {
                break;
            }
            if (type.equals("eXIf")) {
                int start = p + 8;
                // some writers keep the JPEG segment's "Exif\0\0" prefix
                if (size > 6 && "Exif\0\0".equals(ascii(b, start, 6))) {
                    start += 6;
                }
                return tiff(b, start, p + 8 + size);
            }
            p += 12 + size;
        }
        return 1;
    }

    // a TIFF structure at [start, end): byte order, 42, offset of IFD0; IFD0's orientation entry
    private static int tiff(ByteBuffer b, int start, int end) {
        String order = ascii(b, start, 2);
        ByteBuffer t = b.duplicate().order(order.equals("II") ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        if (!order.equals("II") && !order.equals("MM") || (t.getShort(start + 2) & 0xFFFF) != 42) {
            return 1;
        }
        int ifd = start + t.getInt(start + 4);
        int entries = t.getShort(ifd) & 0xFFFF;
        for (int i = 0; i < entries; i++) {
            int e = ifd + 2 + 12 * i;
            if (e + 12 > end) {
                break;
            }
            if ((t.getShort(e) & 0xFFFF) == TAG && (t.getShort(e + 2) & 0xFFFF) == 3) { // SHORT
                int v = t.getShort(e + 8) & 0xFFFF;
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static String ascii(ByteBuffer b, int at, int n) {
        byte[] s = new byte[n];
        b.get(at, s);
        return new String(s, StandardCharsets.ISO_8859_1);
    }

    /** {@code img} shown upright for {@code orientation} 1..8 (1 returns {@code img} itself). */
    static RgbImage apply(RgbImage img, int orientation) {
        if (orientation == 1) {
            return img;
        }
        int h = img.height();
        int w = img.width();
        boolean swap = orientation >= 5; // the transposing ones
        int oh = swap ? w : h;
        int ow = swap ? h : w;
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // source (sy, sx) of output (y, x)
                int sy;
                int sx;
                switch (orientation) {
                    case 2 -> { sy = y; sx = w - 1 - x; }
                    case 3 -> { sy = h - 1 - y; sx = w - 1 - x; }
                    case 4 -> { sy = h - 1 - y; sx = x; }
                    case 5 -> { sy = x; sx = y; }
                    case 6 -> { sy = h - 1 - x; sx = y; }
                    case 7 -> { sy = h - 1 - x; sx = w - 1 - y; }
                    case 8 -> { sy = x; sx = w - 1 - y; }
                    default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
                }
                System.arraycopy(in, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return new RgbImage(oh, ow, out);
    }
}
