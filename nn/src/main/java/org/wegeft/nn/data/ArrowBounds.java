package org.wegeft.nn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;

/**
 * Size checks made before Arrow's reader allocates anything: the reader trusts the lengths written in the file
 * (a message's metadata length, a block's body length) and allocates them, so a corrupt length would be an
 * out-of-memory error. Every declared length must fit inside the file.
 */
final class ArrowBounds {
    private ArrowBounds() {}

    /**
     * Walks the messages of an IPC stream starting at {@code pos}: each is [0xFFFFFFFF] int32 metadata length,
     * the metadata (a flatbuffer {@code Message} holding the body length), the body; a zero length ends it.
     */
    static void checkStream(Path file, FileChannel ch, long pos) throws IOException {
        long size = ch.size();
        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (pos + 4 <= size) {
            int len = readInt(ch, word, pos);
            pos += 4;
            if (len == -1) {
                if (pos + 4 > size) {
                    break;
                }
                len = readInt(ch, word, pos);
                pos += 4;
            }
            if (len == 0) {
                return;
            }
            if (len < 0 || len > size - pos) {
                throw new DatasetException(file, null, "malformed Arrow data: a message at byte " + (pos - 4)
                        + " declares " + len + " bytes of metadata, beyond the end of the file (" + size + " bytes)");
            }
            ByteBuffer meta = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(meta, pos);
            meta.flip();
            long body = Message.getRootAsMessage(meta).bodyLength();
            pos += len;
            if (body < 0 || body > size - pos) {
                throw new DatasetException(file, null, "malformed Arrow data: a message at byte " + pos
                        + " declares a body of " + body + " bytes, beyond the end of the file (" + size + " bytes)");
            }
            pos += body;
        }
    }

    /** Every record-batch and dictionary block named by the footer of an Arrow file must lie inside it. */
    static void checkBlocks(Path file, FileChannel ch, ArrowFileReader reader) throws IOException {
        long size = ch.size();
        for (List<ArrowBlock> blocks : List.of(reader.getRecordBlocks(), reader.getDictionaryBlocks())) {
            for (ArrowBlock b : blocks) {
                long end = b.getOffset() + (long) b.getMetadataLength() + b.getBodyLength();
                if (b.getOffset() < 0 || b.getMetadataLength() < 0 || b.getBodyLength() < 0 || end > size
                        || end < 0) {
                    throw new DatasetException(file, null, "malformed Arrow file: the footer names a block at byte "
                            + b.getOffset() + " of " + b.getMetadataLength() + " + " + b.getBodyLength()
                            + " bytes, beyond the end of the file (" + size + " bytes)");
                }
            }
        }
    }

    /**
     * The offsets, lengths and row count of a loaded column fit its buffers (Arrow's full validation; a
     * fixed-size list, which that validation does not cover, is checked by hand).
     */
    static void checkVector(FieldVector v, int rows) {
        if (v instanceof FixedSizeListVector fsl) {
            FieldVector data = fsl.getDataVector();
            long need = (long) rows * fsl.getListSize();
            if (rows > fsl.getValueCount() || need > data.getValueCount()
                    || (data instanceof BaseFixedWidthVector fw
                        && (long) data.getValueCount() * fw.getTypeWidth() > fw.getDataBuffer().capacity())) {
                throw new IllegalArgumentException("fixed-size list of " + rows + " rows × " + fsl.getListSize()
                        + " does not fit its " + data.getValueCount() + " values");
            }
            data.validateFull();
        } else {
            v.validateFull();
        }
    }

    private static int readInt(FileChannel ch, ByteBuffer word, long pos) throws IOException {
        word.clear();
        ch.read(word, pos);
        return word.getInt(0);
    }
}
