package io.cairn.httpui.audit;

/**
 * Text for the server log, one line whatever it holds. Much of what the log names comes from a
 * guest or from vCenter (file names, VM names, error messages about them), and a newline in it would
 * forge a log line of its own, an escape sequence would drive the terminal of whoever reads the log
 * with {@code cat} or {@code journalctl}, and a bidirectional override would make the line read
 * differently from what it holds. So: a backslash becomes {@code \\}, newline, carriage return and
 * tab {@code \n}, {@code \r}, {@code \t}, every other control character (C0, DEL, C1) {@code \xNN},
 * and the line and paragraph separators and the bidirectional controls {@code \}{@code uNNNN}.
 * Everything else is kept as it is.
 */
public final class LogText {
    private LogText() {}

    /** {@code text} escaped as the class comment says; null stays "null". */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\x%02X", c));
                    } else if (invisibleOrBidi(c)) {
                        b.append(String.format("\\u%04X", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.toString();
    }

    /** Line and paragraph separators and the bidirectional formatting characters (Unicode's Bidi_Control). */
    private static boolean invisibleOrBidi(int c) {
        return c == 0x2028
                || c == 0x2029
                || c == 0x061C
                || c == 0x200E
                || c == 0x200F
                || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069);
    }
}
