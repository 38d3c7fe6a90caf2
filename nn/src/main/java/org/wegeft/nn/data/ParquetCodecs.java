package org.wegeft.nn.data;

import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Decompresses Parquet pages with pure-Java codecs: Snappy, ZSTD and LZ4 (raw) from aircompressor, GZIP from the
 * JDK. parquet-java's own codec factory goes through Hadoop's codec classes and a full Hadoop configuration; this
 * one needs neither, nor native libraries. Pages decompress to at most {@link #bound} bytes, set to the largest
 * column chunk the file's footer declares once the footer is read (nothing decompresses before), so a corrupt page
 * header cannot make us allocate more than the file claims.
 */
final class ParquetCodecs implements CompressionCodecFactory {
    private long maxPage;

    /** Pages may decompress to at most {@code bytes}. */
    void bound(long bytes) {
        maxPage = bytes;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("reading only");
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput in, int size) throws IOException {
                if (size < 0 || size > maxPage) {
                    throw new IOException("a page declares " + size + " bytes uncompressed, more than its column"
                            + " chunk (" + maxPage + ")");
                }
                byte[] src = in.toByteArray();
                byte[] dst = new byte[size];
                int got = switch (codec) {
                    case UNCOMPRESSED -> {
                        System.arraycopy(src, 0, dst, 0, Math.min(size, src.length));
                        yield src.length;
                    }
                    case SNAPPY -> run(new SnappyDecompressor(), src, dst);
                    case ZSTD -> run(new ZstdDecompressor(), src, dst);
                    case LZ4_RAW -> run(new Lz4Decompressor(), src, dst);
                    case GZIP -> gunzip(src, dst);
                    default -> throw new IOException("compression " + codec + " is not supported (Snappy, ZSTD, GZIP,"
                            + " LZ4_RAW or none are)");
                };
                if (got != size) {
                    throw new IOException(codec + " page decompressed to " + got + " bytes, its header says " + size);
                }
                return BytesInput.from(dst);
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
                    throws IOException {
                byte[] src = new byte[compressedSize];
                input.get(src);
                output.put(decompress(BytesInput.from(src), decompressedSize).toByteArray());
            }

            @Override
            public void release() {
            }
        };
    }

    private static int run(Decompressor d, byte[] src, byte[] dst) throws IOException {
        try {
            return d.decompress(src, 0, src.length, dst, 0, dst.length);
        } catch (RuntimeException e) { // aircompressor's MalformedInputException, or an index past a corrupt length
            throw new IOException("corrupt compressed page: " + e.getMessage(), e);
        }
    }

    private static int gunzip(byte[] src, byte[] dst) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(src))) {
            int n = in.readNBytes(dst, 0, dst.length);
            return in.read() < 0 ? n : n + 1;
        }
    }

    @Override
    public void release() {
    }
}
