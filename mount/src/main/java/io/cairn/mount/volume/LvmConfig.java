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
 */
final class LvmConfig {
    private final String text;
    private int pos;

    private LvmConfig(String text) {
        this.text = text;
    }

    /** Parses a whole document (its top level is an unnamed section). */
    static Map<String, Object> parse(String text) throws VolumeFormatException {
        LvmConfig p = new LvmConfig(text);
        Map<String, Object> top = p.section(true);
        return top;
    }

    private Map<String, Object> section(boolean top) throws VolumeFormatException {
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
            if (c == '{') {
                pos++;
                map.put(key, section(false));
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
