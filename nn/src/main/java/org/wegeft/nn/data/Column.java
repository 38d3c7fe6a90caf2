package org.wegeft.nn.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One column loaded into heap arrays (package-private: {@link ArrowDataset} exposes typed accessors). */
sealed interface Column {
    int rows();

    /** Variable-length byte values packed into one array: value r is {@code data[offsets[r] .. offsets[r+1])}. */
    final class Bytes implements Column {
        final boolean encodedImage;
        /** The HF struct's {@code path} values (empty string when null or absent); only for encoded images. */
        final Strings paths = new Strings();
        byte[] data = new byte[1 << 12];
        int[] offsets = new int[1 << 8];
        int rows;

        Bytes(boolean encodedImage) {
            this.encodedImage = encodedImage;
        }

        @Override
        public int rows() {
            return rows;
        }

        int length(int row) {
            return offsets[row + 1] - offsets[row];
        }

        /** Room for one more value of {@code len} bytes; returns its start in {@link #data}. */
        int reserve(int len, Runnable onOverflow) {
            long end = (long) offsets[rows] + len;
            if (end > Integer.MAX_VALUE - 16) {
                onOverflow.run();
            }
            if (end > data.length) {
                data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(end, 2L * data.length)));
            }
            if (rows + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, 2 * offsets.length);
            }
            int start = offsets[rows];
            offsets[rows + 1] = (int) end;
            rows++;
            return start;
        }
    }

    /** Integer values widened to long. */
    final class Longs implements Column {
        long[] values = new long[1 << 8];
        int rows;

        @Override
        public int rows() {
            return rows;
        }

        void add(long v) {
            if (rows == values.length) {
                values = Arrays.copyOf(values, 2 * rows);
            }
            values[rows++] = v;
        }
    }

    /** Text values. */
    final class Strings implements Column {
        String[] values = new String[1 << 8];
        int rows;

        @Override
        public int rows() {
            return rows;
        }

        void add(String v) {
            if (rows == values.length) {
                values = Arrays.copyOf(values, 2 * rows);
            }
            values[rows++] = v;
        }
    }

    /** Conversations: per row, its messages as field → value maps ({@code role}, {@code content}, then extras). */
    final class Messages implements Column {
        final List<List<Map<String, String>>> values = new ArrayList<>();

        @Override
        public int rows() {
            return values.size();
        }

        /**
         * One message from its non-null string fields: {@code role} and {@code content} first (both required),
         * then the others in their schema order.
         */
        static Map<String, String> message(Path file, String column, int row, int index,
                Map<String, String> fields) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String key : List.of("role", "content")) {
                String v = fields.get(key);
                if (v == null) {
                    throw new DatasetException(file, column, "row " + row + ": message " + index + " has no '" + key
                            + "'");
                }
                m.put(key, v);
            }
            m.putAll(fields);
            return Collections.unmodifiableMap(m);
        }
    }
}
