package io.cairn.httpui.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * End-to-end test of the pages in a real headless Chromium (Debian {@code chromium} and
 * {@code chromium-driver}, driven by {@link Browser} over W3C WebDriver). It FAILS when either is
 * missing: {@code scripts/setup --test} installs them.
 *
 * <p>The server is the real {@code UiServer} in process ({@link RealServer}: a fresh repository
 * holding a backup of the {@code gpt.img} fixture, guest volumes through the FUSE mount, so root and
 * {@code /dev/fuse}); there is no other server to run the pages against.
 *
 * <p>Screenshots of every page land in {@code target/screenshots/NN-name.png}.
 */
@DisplayName("The web UI in a headless Chromium")
class BrowserIT {
    static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    static final Path TARGET = MODULE.resolve("target");
    static final Path FIXTURES = TARGET.resolve("fixtures");
    static final Path CONTENT = FIXTURES.resolve("content");

    static Path work;
    static RealServer server;
    static Browser browser;
    static Path downloads;

    @BeforeAll
    static void start() throws Exception {
        fixtures();
        Files.createDirectories(TARGET.resolve("e2e"));
        work = Files.createTempDirectory(TARGET.resolve("e2e"), "run-");
        downloads = work.resolve("downloads");
        Path shots = TARGET.resolve("screenshots");
        if (Files.isDirectory(shots)) {
            try (Stream<Path> s = Files.list(shots)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".png")).toList()) {
                    Files.delete(p);
                }
            }
        }
        server = new RealServer(FIXTURES, work);
        browser = Browser.start(work.resolve("chrome"), server.spkiSha256(), downloads, shots);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        // The restored disk and the repository are hundreds of MiB per run; the screenshots stay.
        // (Only these folders: the server's FUSE mount point lives elsewhere under work/state.)
        for (String d : List.of("restored", "downloads", "repo")) {
            deleteTree(work.resolve(d));
        }
    }

    static void deleteTree(Path root) {
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    /** Builds the disk fixtures with real tools (idempotent), as the mount module's tests do. */
    static void fixtures() throws IOException, InterruptedException {
        if (Files.exists(FIXTURES.resolve(".done"))) {
            return;
        }
        Process p = new ProcessBuilder(
                        "bash",
                        MODULE.resolve("../mount/src/test/fixtures/make-fixtures.sh")
                                .toString(),
                        FIXTURES.toString())
                .inheritIO()
                .start();
        assertEquals(0, p.waitFor(), "make-fixtures.sh failed");
    }

    /** The bytes of the first entry whose name ends with {@code name}, or null while the zip is incomplete. */
    static byte[] entry(Path zip, String name) {
        try (java.util.zip.ZipInputStream z = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().endsWith("/" + name) || e.getName().equals(name)) {
                    return z.readAllBytes();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    @DisplayName("an administrator logs in, browses a backup, downloads a file, restores the disks and logs out")
    void wholeJourney() throws Exception {
        try {
            journey();
        } catch (Throwable t) {
            try {
                browser.screenshot("FAILED");
                System.err.println("url: " + browser.url() + "\nbrowser console:\n" + browser.consoleLog());
            } catch (RuntimeException | IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    @Test
    @DisplayName("a viewer browses a backup but gets no download or restore buttons and no admin pages")
    void viewerSession() throws Exception {
        try (Browser v = Browser.start(
                work.resolve("chrome-viewer"),
                server.spkiSha256(),
                work.resolve("downloads-viewer"),
                TARGET.resolve("screenshots"))) {
            try {
                viewer(v);
            } catch (Throwable t) {
                try {
                    v.screenshot("viewer-FAILED");
                    System.err.println("url: " + v.url() + "\nbrowser console:\n" + v.consoleLog());
                } catch (RuntimeException | IOException e) {
                    t.addSuppressed(e);
                }
                throw t;
            }
        }
    }

    private void viewer(Browser v) throws IOException {
        v.open(server.baseUrl());
        v.type("#login-user", server.viewerUser());
        v.type("#login-password", server.viewerPassword());
        v.click("#login button[type=submit]");
        v.await(".cards");
        assertEquals("viewer", v.text("#who-name"));
        assertEquals("viewer", v.text("#who-role"));
        // Only the pages a viewer may use are in the navigation (the others answer 403 to a viewer).
        List<String> nav = new ArrayList<>();
        v.script("return [...document.querySelectorAll('#top nav a[data-nav]')].filter(a => a.offsetParent !== null)"
                        + ".map(a => a.dataset.nav)")
                .forEach(n -> nav.add(n.asText()));
        assertEquals(List.of("dashboard", "vms", "jobs"), nav, "navigation entries a viewer sees");
        Path dash = v.screenshot("viewer-dashboard");

        v.click("a[data-nav=vms]");
        v.click("table.vms tr[data-vm='gpt-vm'] td:first-child a");
        v.await(".timeline li[data-backup]");
        assertTrue(v.findAll(".timeline a[href$='/restore']").isEmpty(), "the timeline offers a viewer a restore");
        v.click(".timeline li[data-backup] a.tl-id");
        v.await("#files tr[data-name=gpt-p2] a.dir");
        assertTrue(v.findAll("#restore-button").isEmpty(), "the backup page offers a viewer a restore");
        v.click("#files tr[data-name=gpt-p2] a.dir");
        v.click("#files tr[data-name=dir1] a.dir");
        v.await("#files tr[data-name='random5M.bin']");
        assertTrue(v.findAll("#files a.download").isEmpty(), "download buttons shown to a viewer");
        assertTrue(v.findAll("#files a[href*='/archive?']").isEmpty(), "archive buttons shown to a viewer");
        assertTrue(v.findAll("#restore-button").isEmpty(), "the backup page offers a viewer a restore");
        v.await("#files tr.up a"); // browsing only, but up and down
        v.script("document.getElementById('files').scrollIntoView()");
        Path dir = v.screenshot("viewer-dir1");

        // An admin page reached by its address says so instead of failing on a 403.
        v.open(server.baseUrl() + "#/vcenters");
        v.awaitText(
                "#main .note",
                t -> t.contains("for administrators"),
                Duration.ofSeconds(10),
                "saying the page is for admins");
        Path vc = v.screenshot("viewer-vcenters");

        // The viewer changes their own password (Password, next to their name); this browser stays
        // logged in with a new session, and the new password is the one that logs in afterwards.
        String newPassword = "viewer's own new password";
        v.click("#password-link");
        v.await("#password");
        v.type("#password-current", server.viewerPassword());
        v.type("#password-new", newPassword);
        v.type("#password-again", newPassword);
        v.click("#password button[type=submit]");
        v.await(".cards");
        v.click("#logout");
        v.await("#login");
        v.type("#login-user", server.viewerUser());
        v.type("#login-password", newPassword);
        v.click("#login button[type=submit]");
        v.await(".cards");
        assertEquals("viewer", v.text("#who-name"));
        cleanConsole(v, "in the viewer's session");
        for (Path p : List.of(dash, dir, vc)) {
            assertTrue(Files.size(p) > 1000, p + " is not a real screenshot");
        }
    }

    /** Everything the browser console said during the journey (consoleLog() drains it). */
    private final StringBuilder console = new StringBuilder();

    /**
     * Drains the browser console and fails on script errors, CSP violations or failed requests other
     * than the expected 401s (the session check before login and after logout).
     */
    static String cleanConsole(Browser b, String where) {
        String log = b.consoleLog();
        List<String> bad = log.lines()
                .filter(l -> l.startsWith("SEVERE") && !l.contains("status of 401"))
                .toList();
        assertTrue(bad.isEmpty(), "browser console errors " + where + ":\n" + log);
        return log;
    }

    /** Waits until no download is in progress and a file whose name ends with {@code suffix} is there. */
    static Path awaitDownload(Path dir, String suffix, Duration timeout) {
        return Browser.poll("a finished download *" + suffix, timeout, () -> {
            try (Stream<Path> s = Files.list(dir)) {
                List<Path> all = s.toList();
                if (all.stream().anyMatch(f -> f.toString().endsWith(".crdownload"))) {
                    return null;
                }
                return all.stream()
                        .filter(f -> f.getFileName().toString().endsWith(suffix))
                        .findFirst()
                        .orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /**
     * A tree as relative path -> description: "dir", "link -> target" or the file's bytes in hex-free
     * form (SHA-256), so that two trees compare with one assertEquals and a readable difference.
     */
    static java.util.SortedMap<String, String> tree(Path root) throws IOException {
        java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.equals(root)).toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir");
                } else {
                    out.put(rel, sha256(Files.readAllBytes(p)) + " (" + Files.size(p) + " bytes)");
                }
            }
        }
        return out;
    }

    /** The same description of a .tar.gz whose entries all start with {@code top/}; null while incomplete. */
    static java.util.SortedMap<String, String> tarTree(Path tgz, String top) {
        java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
        try (org.apache.commons.compress.archivers.tar.TarArchiveInputStream t =
                new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                        new org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream(
                                Files.newInputStream(tgz)),
                        "UTF-8")) {
            for (org.apache.commons.compress.archivers.tar.TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                String name = e.getName().replaceAll("/+$", "");
                assertTrue(
                        name.equals(top) || name.startsWith(top + "/"), "entry outside " + top + "/: " + e.getName());
                if (name.equals(top)) {
                    continue;
                }
                String rel = name.substring(top.length() + 1);
                if (e.isSymbolicLink()) {
                    out.put(rel, "link -> " + e.getLinkName());
                } else if (e.isDirectory()) {
                    out.put(rel, "dir");
                } else {
                    byte[] data = t.readAllBytes();
                    out.put(rel, sha256(data) + " (" + data.length + " bytes)");
                }
            }
            return out;
        } catch (IOException e) {
            return null; // not complete yet
        }
    }

    static String sha256(byte[] data) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The NTFS volume of the second VM: browse into dir1, download a file and the folder as .tar.gz. */
    private void ntfs(Browser b, List<Path> shots) throws IOException {
        b.click("a[data-nav=vms]");
        b.await("table.vms tr[data-vm='ntfs-vm']");
        b.click("table.vms tr[data-vm='ntfs-vm'] td:first-child a");
        b.click(".timeline li[data-backup] a.tl-id");
        b.await("#files tr[data-name='mbr-ntfs-p1'] a.dir");
        b.click("#files tr[data-name='mbr-ntfs-p1'] a.dir");
        b.await("#files tr[data-name=dir1] a.dir");
        shots.add(b.screenshot("volume-mbr-ntfs-p1"));
        b.click("#files tr[data-name=dir1] a.dir");
        b.await("#files tr[data-name='random5M.bin'] a.download");
        assertTrue(
                b.text(".crumbs.path").replace(" ", "").endsWith("volumes/mbr-ntfs-p1/dir1"), b.text(".crumbs.path"));
        b.await("#files tr[data-name='link-to-hello'][data-type=link]");
        b.script("document.getElementById('files').scrollIntoView()");
        shots.add(b.screenshot("ntfs-dir1"));

        // Empty the downloads folder first, so that Chromium does not name this one "random5M (1).bin".
        try (Stream<Path> s = Files.list(downloads)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Path source = CONTENT.resolve("dir1/random5M.bin");
        b.click("#files tr[data-name='random5M.bin'] a.download");
        Path got = awaitDownload(downloads, "random5M.bin", Duration.ofSeconds(60));
        assertEquals(-1L, Files.mismatch(source, got), "random5M.bin downloaded from NTFS differs from the source");

        b.click("#archive-tgz");
        Path tgz = awaitDownload(downloads, ".tar.gz", Duration.ofSeconds(60));
        assertEquals("dir1.tar.gz", tgz.getFileName().toString());
        java.util.SortedMap<String, String> inTar =
                Browser.poll("a complete .tar.gz", Duration.ofSeconds(30), () -> tarTree(tgz, "dir1"));
        // the content tree's dir1, but its link to ../hello.txt points outside dir1: left out and listed instead
        java.util.SortedMap<String, String> expected = tree(CONTENT.resolve("dir1"));
        assertEquals("link -> ../hello.txt", expected.remove("link-to-hello"));
        String note = inTar.remove("CAIRN-SKIPPED-LINKS.txt");
        assertTrue(note != null, "no CAIRN-SKIPPED-LINKS.txt in " + inTar.keySet());
        assertEquals(expected, inTar, "dir1.tar.gz from NTFS differs from the content tree's dir1");
        console.append(cleanConsole(b, "on the NTFS volume"));
    }

    /** The administrator's pages: schedules, maintenance and vCenter connections, each through the nav. */
    private void adminPages(Browser b, List<Path> shots) throws IOException {
        b.click("a[data-nav=schedules]");
        b.await("#sched-form");
        b.awaitText("h1", t -> t.equals("Schedules"), Duration.ofSeconds(5), "being the schedules page");
        b.awaitText("#sched-next", t -> t.startsWith("Next runs"), Duration.ofSeconds(10), "previewing the next runs");
        // Three runs, each as a date (once rendered as "[object HTMLLIElement],…").
        assertEquals(4, b.findAll("#sched-next li").size(), b.text("#sched-next"));
        assertTrue(
                b.text("#sched-next")
                        .lines()
                        .skip(1)
                        .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d")),
                b.text("#sched-next"));
        assertTrue(b.title().contains("Schedules"), b.title());
        // vCenter VMs are the default source; without a connection the form says where to add one,
        // and the file source is one click away.
        b.await("#sched-vc-part:not([hidden])");
        b.await("#sched-file-part[hidden]");
        b.awaitText(
                "#sched-matches",
                t -> t.contains("No vCenter connection yet"),
                Duration.ofSeconds(5),
                "pointing to the vCenter page");
        b.click("#sched-match");
        b.awaitText(
                "#sched-matches",
                t -> t.contains("Choose a vCenter connection"),
                Duration.ofSeconds(5),
                "asking for a connection");
        shots.add(b.screenshot("schedules"));
        b.click("#sched-kind-file");
        b.await("#sched-file-part:not([hidden]) #sched-source");
        b.await("#sched-vc-part[hidden]");
        // A schedule over a raw image, run now: its job succeeds and the dashboard shows the result.
        b.type("#sched-name", "nightly logical");
        b.type("#sched-source", "file:" + FIXTURES.toRealPath().resolve("mbr-logical.img"));
        b.click("#sched-save");
        b.awaitText(
                "#main .panel table",
                t -> t.contains("nightly logical") && t.contains("mbr-logical"),
                Duration.ofSeconds(10),
                "listing the new schedule");
        b.click("button[data-run]");
        b.await("#job-progress");
        b.awaitText(
                "#job-state",
                t -> t.contains("SUCCEEDED") || t.contains("FAILED"),
                Duration.ofSeconds(120),
                "finishing the run");
        assertTrue(b.text("#job-state").contains("SUCCEEDED"), b.text("#main"));
        assertTrue(
                b.text("#job-result").contains("backup ")
                        && b.text("#job-result").contains("retention kept 1"),
                b.text("#job-result"));
        shots.add(b.screenshot("schedule-run"));
        b.click("a[data-nav=dashboard]");
        b.awaitText(
                "#dash-schedules",
                t -> t.contains("nightly logical") && t.contains("SUCCEEDED"),
                Duration.ofSeconds(10),
                "showing the schedule's last result");
        assertEquals(
                "3", b.text(".cards .card:nth-child(6) .card-value"), "the backups card counts the scheduled backup");
        b.script("document.getElementById('dash-schedules').scrollIntoView({block: 'center'})");
        shots.add(b.screenshot("dashboard-schedules"));
        b.click("a[data-nav=schedules]");
        b.await("#sched-form");
        console.append(cleanConsole(b, "on the schedules page"));

        b.click("a[data-nav=maintenance]");
        b.await("#maint-check");
        b.await("#maint-prune");
        b.await("#maint-gc");
        assertTrue(b.title().contains("Maintenance"), b.title());
        shots.add(b.screenshot("maintenance"));
        console.append(cleanConsole(b, "on the maintenance page"));

        b.click("a[data-nav=vcenters]");
        b.await("#vc-form");
        b.awaitText(
                "#main .panel",
                t -> t.contains("No vCenter connections yet"),
                Duration.ofSeconds(5),
                "showing the empty list");
        assertTrue(b.title().contains("vCenter"), b.title());
        shots.add(b.screenshot("vcenters"));
        // The probe step, against the only TLS server at hand: the UI itself. Its certificate is shown
        // to accept; nothing is saved (that would log in to a vCenter).
        b.type("#vc-name", "lab");
        b.type("#vc-url", server.baseUrl().replaceAll("/$", ""));
        b.click("#vc-probe");
        b.await("#vc-cert:not([hidden]) #vc-accept");
        b.click("#vc-accept");
        String sha1 = b.script("return document.getElementById('vc-thumbprint').value")
                .asText();
        assertTrue(sha1.matches("([0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}"), "accepted thumbprint: " + sha1);
        b.script("document.getElementById('vc-cert').scrollIntoView({block: 'center'})");
        shots.add(b.screenshot("vcenter-probed"));
        console.append(cleanConsole(b, "on the vCenter connections page"));
    }

    private void journey() throws Exception {
        Browser b = browser;
        List<Path> shots = new ArrayList<>();

        // Login, first with a wrong password.
        b.open(server.baseUrl());
        b.await("#login-user");
        b.type("#login-user", server.user());
        b.type("#login-password", "not-the-password");
        b.click("#login button[type=submit]");
        b.awaitText("#login-error", t -> t.contains("Wrong"), Duration.ofSeconds(10), "saying the password is wrong");
        shots.add(b.screenshot("login-error"));
        b.type("#login-password", server.password());
        shots.add(b.screenshot("login"));
        b.click("#login button[type=submit]");

        // Dashboard.
        b.await(".cards");
        b.await("svg.chart polyline.stored");
        assertEquals("admin", b.text("#who-name"));
        assertTrue(b.title().contains("Dashboard"), b.title());
        assertTrue(b.text("#dash-schedules").contains("No schedules yet"), b.text("#dash-schedules"));
        shots.add(b.screenshot("dashboard"));

        // Settings: where restores may write (this run's directory) and schedules may read (the fixtures).
        b.click("a[data-nav=settings]");
        b.await("#roots-form");
        b.type("#roots-restore", work.toRealPath().toString());
        b.type("#roots-source", FIXTURES.toRealPath().toString());
        b.click("#roots-save");
        b.awaitText("#roots-updated", t -> t.contains("by admin"), Duration.ofSeconds(10), "saying it was saved");
        shots.add(b.screenshot("settings"));

        // VMs, then the VM's backups.
        b.click("a[data-nav=vms]");
        b.await("table.vms tr[data-vm]");
        shots.add(b.screenshot("vms"));
        b.click("table.vms tr[data-vm='gpt-vm'] td:first-child a");
        b.await(".timeline li[data-backup]");
        // A label key holding markup must show as text, never as an element.
        assertTrue(b.findAll(".chips b").isEmpty(), "label markup was interpreted as HTML");
        b.awaitText(
                ".timeline",
                t -> t.contains("<b>escape</b>=me & you"),
                Duration.ofSeconds(5),
                "showing the label as text");
        shots.add(b.screenshot("vm-backups"));

        // The newest backup, its details and its volumes.
        b.click(".timeline li[data-backup] a.tl-id");
        b.await("#files tr[data-name=gpt-p2]");
        b.awaitText(
                ".facts",
                t -> t.contains("CPUs") && t.contains("Memory"),
                Duration.ofSeconds(5),
                "listing CPUs and memory");
        shots.add(b.screenshot("backup"));
        b.click("#files tr[data-name=gpt-p2] a.dir");
        b.await("#files tr[data-name=dir1] a.dir");
        shots.add(b.screenshot("volume-gpt-p2"));
        b.click("#files tr[data-name=dir1] a.dir");
        b.await("#files tr[data-name='random5M.bin'] a.download");
        assertTrue(b.text(".crumbs.path").replace(" ", "").endsWith("volumes/gpt-p2/dir1"), b.text(".crumbs.path"));
        shots.add(b.screenshot("dir1"));

        // Download random5M.bin and compare it with the fixture's source.
        b.click("#files tr[data-name='random5M.bin'] a.download");
        Path got = downloads.resolve("random5M.bin");
        Path source = CONTENT.resolve("dir1/random5M.bin");
        long size = Files.size(source);
        Browser.poll("the download of random5M.bin", Duration.ofSeconds(60), () -> {
            try {
                return Files.exists(got)
                                && Files.size(got) == size
                                && !Files.exists(downloads.resolve("random5M.bin.crdownload"))
                        ? Boolean.TRUE
                        : null;
            } catch (IOException e) {
                return null;
            }
        });
        assertArrayEquals(
                Files.readAllBytes(source), Files.readAllBytes(got), "downloaded bytes differ from the source");

        // The same folder as a .zip, streamed by the server: random5M.bin inside is the source's bytes.
        b.click("#archive-zip");
        Path zip = Browser.poll("the .zip of dir1", Duration.ofSeconds(60), () -> {
            try (Stream<Path> s = Files.list(downloads)) {
                return s.filter(f -> f.toString().endsWith(".zip")).findFirst().orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
        byte[] inZip = Browser.poll("a complete .zip", Duration.ofSeconds(30), () -> entry(zip, "random5M.bin"));
        assertArrayEquals(Files.readAllBytes(source), inZip, "random5M.bin in the .zip differs from the source");

        // Search by name within the backup.
        b.type("#file-search", "numbers");
        b.click("form.search button[type=submit]");
        b.await("#files tr[data-path$='numbers.txt']");
        shots.add(b.screenshot("search"));

        // The FAT32 volume, reached through the folder breadcrumbs.
        b.click(".crumbs.path a[href$='path=%2Fvolumes']");
        b.click("#files tr[data-name=gpt-p1] a.dir");
        b.await("#files tr[data-name='hello.txt'] a.download");
        shots.add(b.screenshot("volume-gpt-p1"));

        // Restore the disks to a directory, watch the job reach 100 % and SUCCEEDED.
        Path to = work.toRealPath().resolve("restored");
        b.click("#restore-button");
        b.await("#restore-form");
        assertEquals(work.toRealPath().toString(), b.text("#restore-roots"));
        b.type("#restore-to", to.toString());
        shots.add(b.screenshot("restore-wizard"));
        b.click("#restore-start");
        b.await("#job-progress");
        b.awaitText("#job-state", t -> !t.contains("QUEUED"), Duration.ofSeconds(30), "leaving QUEUED");
        String mid =
                b.awaitText("#job-percent", t -> t.matches("\\d+ %"), Duration.ofSeconds(10), "showing a percentage");
        shots.add(b.screenshot("job-running"));
        b.awaitText("#job-state", t -> t.contains("SUCCEEDED"), Duration.ofSeconds(120), "reaching SUCCEEDED");
        assertEquals("100 %", b.text("#job-percent"), "first seen " + mid);
        assertEquals("100", b.attribute("#job-progress", "aria-valuenow"));
        shots.add(b.screenshot("job-succeeded"));
        assertFalse(b.findAll("#job-log li").isEmpty(), "no progress event reached the page through /events");
        List<Path> restored;
        try (Stream<Path> s = Files.list(to)) {
            restored = s.toList();
        }
        assertEquals(1, restored.size(), "restored files: " + restored);
        assertEquals(
                -1L,
                Files.mismatch(FIXTURES.resolve("gpt.img"), restored.get(0)),
                "the raw restore differs from gpt.img");

        // Jobs page.
        b.click("a[data-nav=jobs]");
        b.await("table.jobs tr[data-job]");
        shots.add(b.screenshot("jobs"));
        console.append(cleanConsole(b, "up to the jobs page"));

        ntfs(b, shots);
        adminPages(b, shots);

        // Logout: back to the login form, and the API no longer answers.
        b.click("#logout");
        b.await("#login-user");
        shots.add(b.screenshot("logged-out"));
        // A fresh page load (not just a hash change): the server must have forgotten the session.
        b.open(server.baseUrl() + "?after-logout#/vms");
        b.await("#login-user");
        assertTrue(b.url().contains("#/login"), b.url());

        // No script errors, CSP violations or failed requests other than the expected 401s.
        console.append(cleanConsole(b, "after logging out"));

        for (Path p : shots) {
            assertTrue(Files.size(p) > 1000, p + " is not a real screenshot");
        }
    }
}
