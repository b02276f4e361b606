package io.cairn.mount.volume;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser of LVM2's text configuration format, used for volume group metadata
 * (<a href="https://github.com/lvmteam/lvm2/blob/main/lib/config/config.c">lib/config/config.c</a>,
 * lvm.conf(5)): sections {@code name { … }}, {@code key = value}, values are numbers, quoted strings
 * (backslash escapes) or arrays {@code [v, v]}; {@code #} starts a comment.
 * A section is a {@code Map<String, Object>} in file order; numbers are {@code Long} (or {@code Double}),
 * strings {@code String}, arrays {@code List<Object>}.
 *
 * <p>The text comes from a guest's disk, so the parser is bounded: sections nest at most
 * {@value #MAX_DEPTH} deep (LVM's own metadata nests five deep; the recursion would otherwise be as
 * deep as the input is long, and a {@link StackOverflowError} is no {@link RuntimeException}), and
 * a {@link Budget} caps the entries (sections, values, array elements) that the parse trees of one
 * scan may hold, which bounds their memory whatever the text looks like.
 */
final class LvmConfig {
    /** Deepest section nesting accepted: LVM writes top → VG → logical_volumes → LV → segment. */
    static final int MAX_DEPTH = 16;

    private final String text;
    private final Budget budget;
    private int pos;

    /**
     * How many more entries the parse trees of one scan may hold: about 100 bytes of heap each, so
     * {@link #DEFAULT} (262,144) is some 30 MB at most. A real VG with a thousand LVs needs ~25,000.
     */
    static final class Budget {
        static final int DEFAULT = 1 << 18;
        private final int limit;
        private int left;

        Budget(int limit) {
            this.limit = limit;
            this.left = limit;
        }

        void take(LvmConfig p) throws VolumeFormatException {
            if (--left < 0) {
                throw p.error("more than " + limit + " entries of LVM metadata in this backup");
            }
        }
    }

    private LvmConfig(String text, Budget budget) {
        this.text = text;
        this.budget = budget;
    }

    /** Parses a whole document (its top level is an unnamed section) with a budget of its own. */
    static Map<String, Object> parse(String text) throws VolumeFormatException {
        return parse(text, new Budget(Budget.DEFAULT));
    }

    /** Parses a whole document, taking its entries from {@code budget}. */
    static Map<String, Object> parse(String text, Budget budget) throws VolumeFormatException {
        LvmConfig p = new LvmConfig(text, budget);
        return p.section(0);
    }

    private Map<String, Object> section(int depth) throws VolumeFormatException {
        boolean top = depth == 0;
        if (depth > MAX_DEPTH) {
            throw error("sections nested more than " + MAX_DEPTH + " deep");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                if (top) {
                    return map;
                }
                throw error("unexpected end of metadata inside a section");
            }
            char c = text.charAt(pos);
            if (c == '}') {
                if (top) {
                    throw error("unbalanced '}'");
                }
                pos++;
                return map;
            }
            String key = identifier();
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end of metadata after '" + key + "'");
            }
            c = text.charAt(pos);
            budget.take(this);
            if (c == '{') {
                pos++;
                map.put(key, section(depth + 1));
            } else if (c == '=') {
                pos++;
                map.put(key, value());
            } else {
                throw error("expected '=' or '{' after '" + key + "'");
            }
        }
    }

    private Object value() throws VolumeFormatException {
        skipSpace();
        if (pos >= text.length()) {
            throw error("missing value");
        }
        char c = text.charAt(pos);
        if (c == '[') {
            pos++;
            List<Object> list = new ArrayList<>();
            while (true) {
                skipSpace();
                if (pos >= text.length()) {
                    throw error("unterminated array");
                }
                if (text.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                budget.take(this);
                list.add(scalar());
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                }
            }
        }
        return scalar();
    }

    private Object scalar() throws VolumeFormatException {
        char c = text.charAt(pos);
        if (c == '"') {
            pos++;
            StringBuilder s = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char d = text.charAt(pos++);
                if (d == '"') {
                    return s.toString();
                }
                if (d == '\\' && pos < text.length()) {
                    d = text.charAt(pos++);
                }
                s.append(d);
            }
        }
        int start = pos;
        while (pos < text.length() && "+-.0123456789".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        String num = text.substring(start, pos);
        try {
            return num.contains(".") ? (Object) Double.parseDouble(num) : (Object) Long.parseLong(num);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("expected a value");
        }
    }

    private String identifier() throws VolumeFormatException {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '+' || c == '/') {
                pos++;
            } else {
                break;
            }
        }
        if (pos == start) {
            throw error("expected a name");
        }
        return text.substring(start, pos);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (Character.isWhitespace(c) || c == 0) {
                pos++;
            } else {
                return;
            }
        }
    }

    private VolumeFormatException error(String what) {
        int line = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return new VolumeFormatException("LVM metadata line " + line + ": " + what);
    }

    // Typed access for the readers of the parse tree.

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(Map<String, Object> m, String key) throws VolumeFormatException {
        Object v = m.get(key);
        if (!(v instanceof Map)) {
            throw new VolumeFormatException("LVM metadata: section '" + key + "' missing");
        }
        return (Map<String, Object>) v;
    }

    static long number(Map<String, Object> m, String key) throws VolumeFormatException {
        Object v = m.get(key);
        if (!(v instanceof Long)) {
            throw new VolumeFormatException("LVM metadata: number '" + key + "' missing");
        }
        return (Long) v;
    }

    static String string(Map<String, Object> m, String key) throws VolumeFormatException {
        Object v = m.get(key);
        if (!(v instanceof String)) {
            throw new VolumeFormatException("LVM metadata: string '" + key + "' missing");
        }
        return (String) v;
    }

    static List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof List ? castList(v) : List.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object v) {
        return (List<Object>) v;
    }
}
