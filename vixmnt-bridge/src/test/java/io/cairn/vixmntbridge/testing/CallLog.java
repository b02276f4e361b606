package io.cairn.vixmntbridge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The call log of the VDDK stand-ins: one line per call,
 * {@code <seconds.nanoseconds> <pid> <Function> key=value ... => OK [key=value ...]} or
 * {@code ... => ERROR <code> text="..."} (values with other characters than {@code [A-Za-z0-9._:/@+,=-]}
 * double-quoted with {@code \" \\ \n} escapes), ordered here by the time each call was made. Read it
 * after the process that loaded the stand-ins has finished, or at any time: lines are appended whole.
 */
public final class CallLog {

    /**
     * One call.
     *
     * @param epochNanos when it was called (CLOCK_REALTIME)
     * @param args the arguments as logged (passwords only as {@code (set)})
     * @param result what an OK call reported ({@code conn=c1}, {@code transport=san}, …)
     * @param error the VixError code of a failed call, 0 when OK
     */
    public record Call(
            long epochNanos,
            long pid,
            String function,
            Map<String, String> args,
            Map<String, String> result,
            long error,
            String line) {
        public boolean ok() {
            return error == 0;
        }

        public String arg(String key) {
            return args.get(key);
        }

        public String result(String key) {
            return result.get(key);
        }

        @Override
        public String toString() {
            return line;
        }
    }

    private final List<Call> calls;

    private CallLog(List<Call> calls) {
        this.calls = Collections.unmodifiableList(calls);
    }

    /** Reads and parses {@code file}; an absent file is an empty log. */
    public static CallLog read(Path file) throws IOException {
        List<Call> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(parse(line));
                }
            }
        }
        // a line is written when its call returns, so a call made inside another (VixMntapi_OpenDisks
        // opens the disk with VixDiskLib_Open) is written first; ordered by call time, the log reads
        // in the order the calls were made
        out.sort(java.util.Comparator.comparingLong(Call::epochNanos));
        return new CallLog(out);
    }

    static Call parse(String line) {
        List<String> tokens = tokens(line);
        if (tokens.size() < 4) {
            throw new IllegalArgumentException("not a call log line: " + line);
        }
        String[] t = tokens.get(0).split("\\.");
        long nanos = Long.parseLong(t[0]) * 1_000_000_000L + Long.parseLong(t[1]);
        long pid = Long.parseLong(tokens.get(1));
        String function = tokens.get(2);
        Map<String, String> args = new LinkedHashMap<>();
        Map<String, String> result = new LinkedHashMap<>();
        long error = 0;
        int i = 3;
        for (; i < tokens.size() && !tokens.get(i).equals("=>"); i++) {
            put(args, tokens.get(i));
        }
        if (i >= tokens.size() - 1) {
            throw new IllegalArgumentException("no result in call log line: " + line);
        }
        String verdict = tokens.get(++i);
        if (verdict.equals("ERROR")) {
            error = Long.parseLong(tokens.get(++i));
        } else if (!verdict.equals("OK")) {
            throw new IllegalArgumentException("neither OK nor ERROR in call log line: " + line);
        }
        for (i++; i < tokens.size(); i++) {
            put(result, tokens.get(i));
        }
        return new Call(nanos, pid, function, args, result, error, line);
    }

    private static void put(Map<String, String> m, String token) {
        int eq = token.indexOf('=');
        if (eq < 0) {
            m.put(token, "");
        } else {
            m.put(token.substring(0, eq), token.substring(eq + 1));
        }
    }

    /** Splits on spaces outside double quotes, removing the quotes and undoing the escapes. */
    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    char n = line.charAt(++i);
                    cur.append(n == 'n' ? '\n' : n);
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ' ') {
                if (any || cur.length() > 0) {
                    out.add(cur.toString());
                }
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any || cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    public List<Call> calls() {
        return calls;
    }

    /** The calls of {@code function} ({@code VixDiskLib_Open}), in order. */
    public List<Call> of(String function) {
        return calls.stream().filter(c -> c.function().equals(function)).toList();
    }

    public List<Call> where(Predicate<Call> p) {
        return calls.stream().filter(p).toList();
    }

    /** Index of {@code c} in the log. */
    public int indexOf(Call c) {
        return calls.indexOf(c);
    }

    /** The calls of {@code function} as a compact string, for assertion messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Call c : calls) {
            sb.append("\n  ").append(c.line());
        }
        return sb.toString();
    }
}
