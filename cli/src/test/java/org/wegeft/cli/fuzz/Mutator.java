package org.wegeft.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded mutational fuzzer's mutations: byte flips, random bytes, insertions, deletions, splices with another
 * seed, interesting integers (little-endian, as binary headers store sizes), number-text replacement, and, when
 * the input (or the JSON header of a safetensors file) is JSON, structure-aware edits: a value replaced by
 * another type, a huge or negative number, a deep nesting, a key dropped, duplicated or renamed.
 */
final class Mutator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long[] INTERESTING = {0, 1, -1, 7, 8, 255, 256, 65535, 0x7fffffffL, 0x80000000L,
        0xffffffffL, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE, 100_000_000_000L};
    private static final String[] NUMBER_TEXT = {"0", "-1", "-9223372036854775808", "9223372036854775807",
        "18446744073709551616", "2147483648", "4294967296", "1e308", "-1e308", "1e999", "NaN", "0.5", "-0", "1e-400",
        "99999999999999999999999999999", "3.4028236e38"};

    private final SplittableRandom rng;

    Mutator(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** One to four mutations of {@code seeds[i]} (splices take bytes from another seed). */
    byte[] mutate(List<byte[]> seeds) {
        byte[] b = seeds.get(rng.nextInt(seeds.size()));
        int n = 1 + rng.nextInt(4);
        for (int i = 0; i < n; i++) {
            b = once(b, seeds);
        }
        return b;
    }

    private byte[] once(byte[] b, List<byte[]> seeds) {
        int op = rng.nextInt(11);
        if (b.length == 0 && op < 8) {
            op = 2;
        }
        return switch (op) {
            case 0 -> flip(b);
            case 1 -> setByte(b);
            case 2 -> insert(b);
            case 3 -> delete(b);
            case 4 -> splice(b, seeds.get(rng.nextInt(seeds.size())));
            case 5 -> interestingInt(b);
            case 6 -> numberText(b);
            case 7 -> Arrays.copyOf(b, rng.nextInt(b.length + 1)); // truncate
            default -> json(b);
        };
    }

    private byte[] flip(byte[] b) {
        if (b.length == 0) {
            return new byte[] {(byte) rng.nextInt()};
        }
        byte[] c = b.clone();
        int i = rng.nextInt(c.length);
        c[i] ^= (byte) (1 << rng.nextInt(8));
        return c;
    }

    private byte[] setByte(byte[] b) {
        byte[] c = b.clone();
        byte[] special = {0, (byte) 0xff, '"', '{', '}', '[', ']', ',', ':', '\\', '-', '9', (byte) 0xc3, 0x7f};
        c[rng.nextInt(c.length)] = rng.nextBoolean() ? special[rng.nextInt(special.length)] : (byte) rng.nextInt();
        return c;
    }

    private byte[] insert(byte[] b) {
        int at = rng.nextInt(b.length + 1);
        int n = 1 + rng.nextInt(rng.nextInt(8) == 0 ? 4096 : 16);
        byte[] ins = new byte[n];
        if (rng.nextBoolean()) {
            rng.nextBytes(ins);
        } else {
            Arrays.fill(ins, (byte) (rng.nextBoolean() ? '[' : '{'));
        }
        return concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
    }

    private byte[] delete(byte[] b) {
        int at = rng.nextInt(b.length);
        int n = 1 + rng.nextInt(Math.min(b.length - at, rng.nextBoolean() ? 8 : 512));
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length));
    }

    private byte[] splice(byte[] b, byte[] other) {
        if (other.length == 0) {
            return b;
        }
        int from = rng.nextInt(other.length);
        int n = 1 + rng.nextInt(Math.min(other.length - from, 256));
        int at = rng.nextInt(b.length + 1);
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, from, from + n),
                Arrays.copyOfRange(b, Math.min(b.length, at + (rng.nextBoolean() ? n : 0)), b.length));
    }

    private byte[] interestingInt(byte[] b) {
        byte[] c = b.clone();
        long v = INTERESTING[rng.nextInt(INTERESTING.length)];
        int width = rng.nextBoolean() ? 8 : 4;
        int at = rng.nextInt(8) < 3 ? 0 : rng.nextInt(Math.max(1, c.length - width + 1)); // often the header size
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        for (int i = 0; i < width && at + i < c.length; i++) {
            c[at + i] = buf.get(i);
        }
        return c;
    }

    /** Replaces a run of digits with a boundary number written as text. */
    private byte[] numberText(byte[] b) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < b.length && runs.size() < 512; i++) {
            if (b[i] >= '0' && b[i] <= '9') {
                int j = i;
                while (j < b.length && b[j] >= '0' && b[j] <= '9') {
                    j++;
                }
                runs.add(new int[] {i, j});
                i = j;
            }
        }
        if (runs.isEmpty()) {
            return flip(b);
        }
        int[] r = runs.get(rng.nextInt(runs.size()));
        byte[] num = NUMBER_TEXT[rng.nextInt(NUMBER_TEXT.length)].getBytes(StandardCharsets.US_ASCII);
        return concat(Arrays.copyOf(b, r[0]), num, Arrays.copyOfRange(b, r[1], b.length));
    }

    /** A structure-aware edit of a JSON document, or of the JSON header of a safetensors file. */
    private byte[] json(byte[] b) {
        boolean safetensors = b.length >= 10 && b[8] == '{';
        int start = safetensors ? 8 : 0;
        long len = safetensors ? ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() : b.length;
        if (len < 0 || start + len > b.length) {
            return flip(b);
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(b, start, (int) len, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return flip(b);
        }
        if (root == null || !root.isContainerNode()) {
            return flip(b);
        }
        try {
            return jsonEdit(b, root, safetensors, start, len);
        } catch (RuntimeException e) { // e.g. a document nested beyond what the writer allows
            return flip(b);
        }
    }

    private byte[] jsonEdit(byte[] b, JsonNode root, boolean safetensors, int start, long len) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(rng.nextInt(containers.size()));
        editContainer(target);
        byte[] text = root.toString().getBytes(StandardCharsets.UTF_8);
        if (!safetensors) {
            return text;
        }
        long newLen = rng.nextInt(8) == 0 ? len : text.length; // usually a consistent header size
        byte[] head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(newLen).array();
        return concat(head, text, Arrays.copyOfRange(b, (int) (start + len), b.length));
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(c -> collect(c, out));
        }
    }

    private void editContainer(JsonNode c) {
        if (c instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            if (keys.isEmpty()) {
                o.set("x", randomValue());
                return;
            }
            String k = keys.get(rng.nextInt(keys.size()));
            switch (rng.nextInt(5)) {
                case 0 -> o.remove(k);
                case 1 -> o.set(k + (rng.nextBoolean() ? "_" : ""), o.get(k).deepCopy());
                case 2 -> o.set(keys.get(rng.nextInt(keys.size())), o.get(k).deepCopy()); // copy into another key
                default -> o.set(k, randomValue());
            }
        } else if (c instanceof ArrayNode a) {
            if (a.isEmpty() || rng.nextInt(4) == 0) {
                a.add(randomValue());
            } else if (rng.nextInt(3) == 0) {
                a.remove(rng.nextInt(a.size()));
            } else {
                a.set(rng.nextInt(a.size()), randomValue());
            }
        }
    }

    private JsonNode randomValue() {
        return switch (rng.nextInt(10)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(rng.nextBoolean());
            case 2 -> NODES.numberNode(INTERESTING[rng.nextInt(INTERESTING.length)]);
            case 3 -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 4 -> NODES.numberNode(rng.nextBoolean() ? 1e308 : -0.5);
            case 5 -> NODES.textNode(rng.nextBoolean() ? "" : "F32");
            case 6 -> {
                ArrayNode a = NODES.arrayNode();
                int n = rng.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.add(INTERESTING[rng.nextInt(INTERESTING.length)]);
                }
                yield a;
            }
            case 7 -> NODES.objectNode();
            case 8 -> deep(rng.nextBoolean() ? 64 : 900);
            default -> NODES.textNode("x".repeat(rng.nextInt(100)));
        };
    }

    private JsonNode deep(int depth) {
        JsonNode n = NODES.numberNode(1);
        for (int i = 0; i < depth; i++) {
            n = rng.nextBoolean() ? NODES.arrayNode().add(n) : NODES.objectNode().set("a", n);
        }
        return n;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
