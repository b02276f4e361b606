package io.cairn.appliance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One screen of the appliance's status console (appliance-console), as written to the serial port
 * between {@code === cairn console TIME ===} and {@code === end ===}: the web UI's addresses, the
 * certificate's fingerprint, the initial password when one was generated, SSH and the boot id.
 */
record Console(String text) {
    private static final Pattern FINGERPRINT =
            Pattern.compile("Certificate: +SHA-256 ([0-9A-F]{2}(?::[0-9A-F]{2}){31})");
    private static final Pattern BOOT = Pattern.compile("\\(boot id ([0-9a-f]{8})\\)");
    private static final Pattern PASSWORD_FILE =
            Pattern.compile("password in (/\\S+)\\s+\\(mode (\\d+)\\): (\\S+)", Pattern.MULTILINE);
    private static final Pattern URL = Pattern.compile("Web UI: +(https://\\S+)");

    /** Every complete screen in a serial log, oldest first. */
    static List<Console> all(String serial) {
        List<Console> out = new ArrayList<>();
        String s = serial.replace("\r", "");
        int at = 0;
        while (true) {
            int start = s.indexOf("=== cairn console ", at);
            if (start < 0) {
                return out;
            }
            int end = s.indexOf("=== end ===", start);
            if (end < 0) {
                return out;
            }
            out.add(new Console(s.substring(start, end)));
            at = end;
        }
    }

    /** The SHA-256 fingerprint of the certificate the running server presents, or null. */
    String fingerprint() {
        Matcher m = FINGERPRINT.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    String bootId() {
        Matcher m = BOOT.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    List<String> urls() {
        List<String> out = new ArrayList<>();
        Matcher m = URL.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** {path, mode, password} of the generated initial admin password, or null. */
    String[] initialPassword() {
        Matcher m = PASSWORD_FILE.matcher(text);
        return m.find() ? new String[] {m.group(1), m.group(2), m.group(3)} : null;
    }

    boolean says(String words) {
        return text.contains(words);
    }

    @Override
    public String toString() {
        return text;
    }
}
