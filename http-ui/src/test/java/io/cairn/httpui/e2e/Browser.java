package io.cairn.httpui.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * A headless Chromium driven through chromedriver with the W3C WebDriver protocol
 * (https://www.w3.org/TR/webdriver2/), over {@code java.net.http}: no Selenium.
 *
 * <p>TLS: the browser trusts exactly one certificate, the server's, by the base64 SHA-256 of its
 * SubjectPublicKeyInfo ({@code --ignore-certificate-errors-spki-list}, which Chromium honours only
 * with an explicit {@code --user-data-dir}); every other certificate error still fails. Each browser
 * gets a fresh profile directory.
 */
public final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C element reference key (WebDriver spec, "web element identifier"). */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;
    private final Path screenshots;
    /** Shared by every browser of the run, so that screenshots of a second session do not overwrite the first's. */
    private static final java.util.concurrent.atomic.AtomicInteger SHOT =
            new java.util.concurrent.atomic.AtomicInteger();

    /** An element reference; stale after the page re-renders, so callers mostly use selectors. */
    public record Element(String id) {}

    /** Thrown when the WebDriver endpoint answers with an error object. */
    static final class WebDriverException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String error;

        WebDriverException(String error, String message) {
            super(error + ": " + message);
            this.error = error;
        }
    }

    /**
     * Starts chromedriver and a headless Chromium session.
     *
     * @throws IllegalStateException when chromium or chromedriver is not installed (the test must
     *     fail, not skip: {@code scripts/setup --test} installs them)
     */
    public static Browser start(Path work, String spkiBase64, Path downloads, Path screenshots) throws IOException {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(
                        p + " is missing: install Debian chromium and chromium-driver" + " (scripts/setup --test)");
            }
        }
        Files.createDirectories(work);
        Files.createDirectories(downloads);
        Files.createDirectories(screenshots);
        Path profile = Files.createTempDirectory(work, "profile-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(
                        CHROMEDRIVER.toString(),
                        "--port=" + port,
                        "--allowed-ips=127.0.0.1",
                        "--log-path=" + work.resolve("chromedriver.log"))
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("chromedriver.out").toFile())
                .start();
        try {
            return new Browser(p, "http://127.0.0.1:" + port, profile, spkiBase64, downloads, screenshots);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private Browser(Process driver, String base, Path profile, String spki, Path downloads, Path screenshots)
            throws IOException {
        this.driver = driver;
        this.base = base;
        this.screenshots = screenshots;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (call("GET", "/status", null).path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!driver.isAlive()) {
                throw new IOException("chromedriver exited with " + driver.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("chromedriver did not become ready on " + base);
            }
            sleep(100);
        }
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        always.put("acceptInsecureCerts", false);
        always.put("pageLoadStrategy", "normal");
        always.putObject("goog:loggingPrefs").put("browser", "ALL");
        ObjectNode opts = always.putObject("goog:chromeOptions");
        opts.put("binary", CHROMIUM.toString());
        ArrayNode args = opts.putArray("args");
        for (String a : List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--window-size=1280,800",
                "--lang=en-US",
                "--user-data-dir=" + profile,
                "--ignore-certificate-errors-spki-list=" + spki)) {
            args.add(a);
        }
        ObjectNode prefs = opts.putObject("prefs");
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        prefs.put("download.directory_upgrade", true);
        prefs.put("safebrowsing.enabled", false);
        JsonNode r = call("POST", "/session", caps);
        this.session = r.path("sessionId").asText();
        if (session.isEmpty()) {
            throw new IOException("chromedriver returned no session: " + r);
        }
        // Headless Chromium ignores the download prefs unless downloads are allowed through CDP too.
        ObjectNode cdp = JSON.createObjectNode();
        cdp.put("cmd", "Browser.setDownloadBehavior");
        cdp.putObject("params")
                .put("behavior", "allow")
                .put("downloadPath", downloads.toString())
                .put("eventsEnabled", false);
        cmd("POST", "/goog/cdp/execute", cdp);
        ObjectNode rect = JSON.createObjectNode().put("width", 1280).put("height", 800);
        cmd("POST", "/window/rect", rect);
        // The window includes browser chrome even headless: pin the page's viewport to 1280 x 800.
        ObjectNode metrics = JSON.createObjectNode();
        metrics.put("cmd", "Emulation.setDeviceMetricsOverride");
        metrics.putObject("params")
                .put("width", 1280)
                .put("height", 800)
                .put("deviceScaleFactor", 1)
                .put("mobile", false);
        cmd("POST", "/goog/cdp/execute", metrics);
    }

    // ------------------------------------------------------------------ commands

    public void open(String url) {
        cmd("POST", "/url", JSON.createObjectNode().put("url", url));
    }

    public String url() {
        return cmd("GET", "/url", null).asText();
    }

    public String title() {
        return cmd("GET", "/title", null).asText();
    }

    public List<Element> findAll(String css) {
        JsonNode v = cmd(
                "POST",
                "/elements",
                JSON.createObjectNode().put("using", "css selector").put("value", css));
        return java.util.stream.StreamSupport.stream(v.spliterator(), false)
                .map(n -> new Element(n.path(ELEMENT).asText()))
                .toList();
    }

    /** Waits until an element matches {@code css} and returns it. */
    public Element await(String css) {
        return await(css, Duration.ofSeconds(15));
    }

    public Element await(String css, Duration timeout) {
        return poll("an element matching " + css, timeout, () -> {
            List<Element> all = findAll(css);
            return all.isEmpty() ? null : all.get(0);
        });
    }

    /** Waits until the text of the first element matching {@code css} satisfies {@code test}. */
    public String awaitText(String css, Predicate<String> test, Duration timeout, String what) {
        return poll(css + " " + what, timeout, () -> {
            List<Element> all = findAll(css);
            if (all.isEmpty()) {
                return null;
            }
            try {
                String t = text(all.get(0));
                return test.test(t) ? t : null;
            } catch (WebDriverException e) {
                if ("stale element reference".equals(e.error)) {
                    return null;
                }
                throw e;
            }
        });
    }

    /** Finds and clicks, again if the page re-rendered between the two. */
    public void click(String css) {
        poll("a clickable " + css, Duration.ofSeconds(15), () -> {
            List<Element> all = findAll(css);
            if (all.isEmpty()) {
                return null;
            }
            try {
                click(all.get(0));
                return Boolean.TRUE;
            } catch (WebDriverException e) {
                if (e.error.equals("stale element reference")
                        || e.error.equals("element click intercepted")
                        || e.error.equals("element not interactable")) {
                    return null;
                }
                throw e;
            }
        });
    }

    public void click(Element e) {
        cmd("POST", "/element/" + e.id() + "/click", JSON.createObjectNode());
    }

    public void type(String css, String text) {
        Element e = await(css);
        cmd("POST", "/element/" + e.id() + "/clear", JSON.createObjectNode());
        cmd("POST", "/element/" + e.id() + "/value", JSON.createObjectNode().put("text", text));
    }

    public String text(Element e) {
        return cmd("GET", "/element/" + e.id() + "/text", null).asText();
    }

    public String text(String css) {
        return text(await(css));
    }

    public String attribute(String css, String name) {
        return cmd("GET", "/element/" + await(css).id() + "/attribute/" + name, null)
                .asText(null);
    }

    /** Runs a synchronous script in the page; returns its JSON value. */
    public JsonNode script(String body, Object... args) {
        ObjectNode o = JSON.createObjectNode().put("script", body);
        ArrayNode a = o.putArray("args");
        for (Object x : args) {
            a.addPOJO(x);
        }
        return cmd("POST", "/execute/sync", o);
    }

    /** The browser console since the last call (chromedriver's legacy log endpoint), one line per entry. */
    public String consoleLog() {
        try {
            JsonNode v = cmd("POST", "/se/log", JSON.createObjectNode().put("type", "browser"));
            StringBuilder sb = new StringBuilder();
            v.forEach(e -> sb.append(e.path("level").asText())
                    .append(' ')
                    .append(e.path("message").asText())
                    .append('\n'));
            return sb.toString();
        } catch (RuntimeException e) {
            return "(no console log: " + e.getMessage() + ")";
        }
    }

    /** Saves a PNG of the viewport as {@code NN-name.png} and returns its path. */
    public Path screenshot(String name) throws IOException {
        String b64 = cmd("GET", "/screenshot", null).asText();
        Path f = screenshots.resolve(String.format("%02d-%s.png", SHOT.incrementAndGet(), name));
        Files.write(f, Base64.getDecoder().decode(b64));
        return f;
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (IOException | RuntimeException e) {
            // the driver goes away below anyway
        } finally {
            driver.destroy();
            try {
                if (!driver.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    driver.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                driver.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ plumbing

    public interface Probe<T> {
        T get();
    }

    public static <T> T poll(String what, Duration timeout, Probe<T> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            sleep(100);
        }
    }

    private JsonNode cmd(String method, String path, JsonNode body) {
        try {
            return call(method, "/session/" + session + path, body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json; charset=utf-8");
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted calling chromedriver");
        }
        JsonNode root = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        JsonNode v = root.path("value");
        if (r.statusCode() >= 400 || (v.isObject() && v.has("error"))) {
            throw new WebDriverException(
                    v.path("error").asText("http " + r.statusCode()),
                    v.path("message").asText(r.body()));
        }
        return v;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
