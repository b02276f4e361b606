package io.cairn.mount.volume;

import static org.junit.jupiter.api.Assertions.fail;

import io.cairn.mount.image.FileImage;
import io.cairn.mount.image.Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The disk images of {@code src/test/fixtures/make-fixtures.sh}, built once per JVM into
 * {@code target/fixtures}. A missing tool fails the test with the package to install: these tests
 * must not be skipped silently.
 */
final class Fixtures {
    private static Path dir;
    private static final Map<String, FileImage> OPEN = new HashMap<>();

    private Fixtures() {}

    static synchronized Path dir() {
        if (dir == null) {
            Path out = Path.of("target", "fixtures").toAbsolutePath();
            Path script = Path.of("src", "test", "fixtures", "make-fixtures.sh").toAbsolutePath();
            try {
                Process p = new ProcessBuilder("bash", script.toString(), out.toString())
                        .redirectErrorStream(true)
                        .start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int rc = p.waitFor();
                if (rc != 0) {
                    fail("make-fixtures.sh failed (exit " + rc + ")" + (rc == 3 ? " - a required tool is missing" : "")
                            + ":\n" + log);
                }
            } catch (IOException e) {
                fail("cannot run make-fixtures.sh (is bash installed?): " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while building fixtures");
            }
            dir = out;
        }
        return dir;
    }

    static synchronized Image image(String name) throws IOException {
        FileImage img = OPEN.get(name);
        if (img == null) {
            img = FileImage.open(dir().resolve(name));
            OPEN.put(name, img);
        }
        return img;
    }

    /** One partition as {@code sfdisk --json} reports it. */
    record SfdiskPartition(int number, long start, long size, String type) {}

    private static final Pattern PART = Pattern.compile(
            "\"node\":\\s*\"[^\"]*?(\\d+)\",\\s*\"start\":\\s*(\\d+),\\s*\"size\":\\s*(\\d+),\\s*\"type\":\\s*\"([^\"]+)\"");

    static List<SfdiskPartition> sfdisk(String image) throws IOException {
        String json = Files.readString(dir().resolve(image.replace(".img", ".sfdisk.json")));
        List<SfdiskPartition> parts = new ArrayList<>();
        Matcher m = PART.matcher(json);
        while (m.find()) {
            // The node is the image name followed by the partition number ("gpt.img2").
            parts.add(new SfdiskPartition(
                    Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), m.group(4)));
        }
        if (parts.isEmpty()) {
            fail("no partitions parsed from the sfdisk json of " + image + ":\n" + json);
        }
        return parts;
    }

    static List<String> lines(String file) throws IOException {
        return Files.readAllLines(dir().resolve(file));
    }
}
