package io.cairn.mount.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * What a driver prints, read on a thread of its own. A driver parses a hostile volume, so its
 * messages (which may quote names from that volume) are bounded and cleaned before they reach a
 * log: control characters escaped, lines cut at {@value #MAX_LINE} characters, the first
 * {@value #MAX_LOGGED} lines logged and the last {@value #KEPT} kept for error messages.
 */
final class DriverOutput implements Runnable {
    static final int MAX_LINE = 300;
    static final int MAX_LOGGED = 50;
    static final int KEPT = 8;

    private final String name;
    private final InputStream in;
    private final Consumer<String> log;
    private final Deque<String> last = new ArrayDeque<>();
    private int logged;

    DriverOutput(String name, InputStream in, Consumer<String> log) {
        this.name = name;
        this.in = in;
        this.log = log;
    }

    @Override
    public void run() {
        byte[] line = new byte[MAX_LINE * 4];
        int n = 0;
        boolean cut = false;
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    add(new String(line, 0, n, StandardCharsets.UTF_8), cut);
                    n = 0;
                    cut = false;
                } else if (n < line.length) {
                    line[n++] = (byte) b;
                } else {
                    cut = true;
                }
            }
            if (n > 0) {
                add(new String(line, 0, n, StandardCharsets.UTF_8), cut);
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private void add(String raw, boolean cut) {
        String l = clean(raw, MAX_LINE) + (cut ? "…" : "");
        if (l.isBlank()) {
            return;
        }
        synchronized (last) {
            last.addLast(l);
            while (last.size() > KEPT) {
                last.removeFirst();
            }
            if (logged < MAX_LOGGED) {
                log.accept(name + ": " + l);
            } else if (logged == MAX_LOGGED) {
                log.accept(name + ": (further messages are not logged)");
            }
            logged++;
        }
    }

    /** The last lines, joined with " | ". */
    String tail() {
        synchronized (last) {
            return String.join(" | ", last);
        }
    }

    /** {@code s} with control characters (and other invisible ones) as \xNN / \\uNNNN, at most {@code max} characters. */
    static String clean(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else if (Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.CONTROL
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() > max ? b.substring(0, max) : b.toString();
    }
}
