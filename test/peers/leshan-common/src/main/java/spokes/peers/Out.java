package spokes.peers;

/**
 * One JSON object per line on stdout: {"event": ..., key: value, ...} with string values. Shared by the Leshan
 * peers (added to each build from test/peers/leshan-common); it uses nothing of Leshan's.
 */
final class Out {
    private Out() {
    }

    static synchronized void line(String event, String... keyValues) {
        StringBuilder b = new StringBuilder("{\"event\":").append(quote(event));
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            b.append(',').append(quote(keyValues[i])).append(':').append(quote(keyValues[i + 1]));
        }
        System.out.println(b.append('}'));
        System.out.flush();
    }

    /** A JSON string literal for {@code s}. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
