package io.cairn.httpui.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.httpui.files.Archives;
import io.cairn.httpui.files.PathOutsideBackupException;
import io.cairn.httpui.http.ApiException;
import io.cairn.httpui.jobs.Jobs;
import io.cairn.httpui.jobs.QueueFullException;
import io.cairn.httpui.vcenter.PasswordRequiredException;
import io.cairn.httpui.vcenter.SealedPasswordException;
import io.cairn.httpui.vcenter.VcenterConnections;
import io.cairn.repository.Repository;
import io.cairn.repository.error.BackupNotFoundException;
import io.cairn.repository.error.CorruptObjectException;
import io.cairn.repository.error.ObjectNotFoundException;
import io.cairn.repository.error.RepositoryException;
import io.cairn.repository.error.UnsafePathException;
import io.cairn.repository.lock.Lock;
import io.cairn.repository.lock.LockConflictException;
import io.cairn.repository.store.LocalStore;
import io.cairn.repository.store.StoreFullException;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.datastore.DatastoreHttpException;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one error mapping, one test per exception type: the status, the one line, and whether the
 * server log hears of it. Where the real code can throw the exception cheaply here (the repository,
 * its locks, a vSphere login, a sealed password) it does; UiServerIT, VcentersIT and ErrorsIT check
 * some of them again end to end through HTTPS.
 */
@DisplayName("ErrorMapping: each exception type gets its status and one line")
class ErrorMappingTest {
    @TempDir
    Path tmp;

    private static ErrorMapping.Answer answer(Throwable e) {
        return ErrorMapping.answer(e);
    }

    private static void assertAnswer(int status, String message, Throwable e) {
        ErrorMapping.Answer a = answer(e);
        assertEquals(status, a.status(), a.toString());
        assertEquals(message, a.message());
    }

    @Test
    @DisplayName("ApiException: its own status and message")
    void apiException() {
        assertAnswer(409, "schedule 'x' is running already", new ApiException(409, "schedule 'x' is running already"));
        assertAnswer(400, "'to' is required", ApiException.badRequest("'to' is required"));
        assertFalse(answer(ApiException.notFound("no such job")).logged(), "a bad request is not the server's failure");
    }

    @Test
    @DisplayName("Javalin's HttpResponseException: its status; 413 says the limit")
    void javalinResponse() {
        assertAnswer(
                413, "request body too large (at most 64 KiB)", new HttpResponseException(413, "Content Too Large"));
        assertAnswer(400, "bad", new HttpResponseException(400, "bad"));
    }

    @Test
    @DisplayName("a client that went away during an archive gets no answer at all")
    void clientGone() {
        assertEquals(
                0,
                answer(new Archives.ClientGoneException(new IOException("Broken pipe")))
                        .status());
    }

    @Test
    @DisplayName("PathOutsideBackupException: 400 path outside the backup")
    void pathOutsideBackup() {
        assertAnswer(400, "path outside the backup", new PathOutsideBackupException());
    }

    @Test
    @DisplayName("UnsafePathException (a restore target outside the roots, a link on the way): 400 with its line")
    void unsafePath() {
        assertAnswer(
                400,
                "the restore target /etc is not in a restore root (/srv/restores)",
                new UnsafePathException("the restore target /etc is not in a restore root (/srv/restores)"));
    }

    @Test
    @DisplayName("NoSuchFileException: 404 without the server's mount path")
    void noSuchFile() {
        assertAnswer(404, "no such file or directory", new NoSuchFileException("/var/lib/cairn/mnt/vms/x/missing"));
    }

    @Test
    @DisplayName("BackupNotFoundException from the repository: 404 with its line")
    void backupNotFound() throws Exception {
        Repository repo = Repository.init(new LocalStore(tmp.resolve("repo")), 1 << 20, 1, null);
        BackupNotFoundException e = assertThrows(BackupNotFoundException.class, () -> repo.resolve("web01@latest"));
        ErrorMapping.Answer a = answer(e);
        assertEquals(404, a.status());
        assertTrue(a.message().contains("web01"), a.message());
    }

    @Test
    @DisplayName("LockConflictException (gc holds the repository): 503 naming the holder, try again")
    void lockConflict() throws Exception {
        Repository repo = Repository.init(new LocalStore(tmp.resolve("repo")), 1 << 20, 1, null);
        try (Lock gc = repo.locks().acquire(true, "gc", Duration.ZERO)) {
            LockConflictException e = assertThrows(
                    LockConflictException.class,
                    () -> repo.locks().acquireForReading("download (web UI)", Duration.ZERO));
            ErrorMapping.Answer a = answer(e);
            assertEquals(503, a.status());
            assertTrue(
                    a.message().startsWith("the repository is busy with maintenance (")
                            && a.message().contains("gc")
                            && a.message().endsWith("; try again shortly"),
                    a.message());
            assertTrue(a.logged());
        }
    }

    @Test
    @DisplayName("StoreFullException: 507, the disk is full")
    void storeFull() {
        ErrorMapping.Answer a = answer(new StoreFullException(
                "writing chunks/3f/3fa2 to local:/srv/repo failed: No space left on device",
                new IOException("No space left on device")));
        assertEquals(507, a.status());
        assertTrue(a.message().startsWith("the repository's disk is full: writing chunks/3f/3fa2"), a.message());
    }

    @Test
    @DisplayName("CorruptObjectException: 500 naming the damaged object and what to do, never 'internal error'")
    void corruptObject() {
        assertAnswer(
                500,
                "damaged repository: chunks/3f/3fa2 is damaged: checksum mismatch (run a check)",
                new CorruptObjectException("chunks/3f/3fa2", "checksum mismatch"));
        assertTrue(answer(new CorruptObjectException("k", "r")).logged());
    }

    @Test
    @DisplayName("ObjectNotFoundException: a missing object is damage too")
    void objectNotFound() {
        assertAnswer(
                500,
                "damaged repository: chunks/3f/3fa2 is missing from local:/srv/repo (run a check)",
                new ObjectNotFoundException("chunks/3f/3fa2", "local:/srv/repo"));
    }

    @Test
    @DisplayName("any other RepositoryException: 500 with its line")
    void otherRepositoryException() {
        assertAnswer(
                500,
                "reading the manifest failed: unsupported version 9",
                new RepositoryException("reading the manifest failed: unsupported version 9"));
    }

    @Test
    @DisplayName("VsphereException from a real failed login: 400 naming the server")
    void vsphereException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        VsphereException e = assertThrows(
                VsphereException.class,
                () -> VsphereConnection.connect(new ConnectOptions(
                        URI.create("https://127.0.0.1:" + port + "/sdk"), "u", "p".toCharArray(), null, true)));
        ErrorMapping.Answer a = answer(e);
        assertEquals(400, a.status());
        assertTrue(a.message().contains("127.0.0.1:" + port), a.message());
        assertFalse(a.message().contains("\n"));
    }

    @Test
    @DisplayName("a thumbprint mismatch is a VsphereException naming both thumbprints: 400")
    void thumbprintMismatch() {
        // the mismatch itself (a package-private CertificateException in vsphere.connect) reaches the
        // web layer wrapped; VcentersIT produces the real one against vcsim through HTTPS
        assertAnswer(
                400,
                "login to https://vc/sdk failed: server certificate thumbprint AA:BB does not match the expected"
                        + " thumbprint CC:DD",
                new VsphereException(
                        "login to https://vc/sdk failed: server certificate thumbprint AA:BB does not match the"
                                + " expected thumbprint CC:DD"));
    }

    @Test
    @DisplayName("DatastoreHttpException: 400 like every vSphere error")
    void datastoreHttp() {
        assertAnswer(
                400,
                "GET [LocalDS_0] web01/web01-flat.vmdk: 503 Service Unavailable",
                new DatastoreHttpException(503, "GET [LocalDS_0] web01/web01-flat.vmdk: 503 Service Unavailable"));
    }

    @Test
    @DisplayName("SealedPasswordException from a saved connection whose password does not open: 409")
    void sealedPassword() throws Exception {
        Files.writeString(
                tmp.resolve("vcenters.json"),
                "{\"version\": 1, \"vcenters\": [{\"id\": \"0011223344556677\", \"name\": \"lab\","
                        + " \"url\": \"https://127.0.0.1:1/sdk\", \"user\": \"u\", \"thumbprint\": null,"
                        + " \"insecure\": true, \"sealedPassword\": \"AAAA\", \"lastTest\": null}]}");
        VcenterConnections vcenters = VcenterConnections.open(tmp);
        SealedPasswordException e =
                assertThrows(SealedPasswordException.class, () -> vcenters.test("0011223344556677"));
        ErrorMapping.Answer a = answer(e);
        assertEquals(409, a.status());
        assertTrue(a.message().contains("'lab'"), a.message());
    }

    @Test
    @DisplayName("PasswordRequiredException from an edit that moves a saved password elsewhere: 400")
    void passwordRequired() throws Exception {
        Files.writeString(
                tmp.resolve("vcenters.json"),
                "{\"version\": 1, \"vcenters\": [{\"id\": \"0011223344556677\", \"name\": \"lab\","
                        + " \"url\": \"https://127.0.0.1:1/sdk\", \"user\": \"u\", \"thumbprint\": null,"
                        + " \"insecure\": true, \"sealedPassword\": \"AAAA\", \"lastTest\": null}]}");
        VcenterConnections vcenters = VcenterConnections.open(tmp);
        PasswordRequiredException e = assertThrows(
                PasswordRequiredException.class,
                () -> vcenters.edit(
                        "0011223344556677",
                        new VcenterConnections.Settings("lab", URI.create("https://evil.example/sdk"), "u", null, true),
                        null));
        ErrorMapping.Answer a = answer(e);
        assertEquals(400, a.status());
        assertEquals("changing the URL of vCenter connection 'lab' needs its password again", a.message());
        assertFalse(a.logged());
    }

    @Test
    @DisplayName("QueueFullException from a pool whose queue is full: 503, not the server's failure")
    void queueFull() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (Jobs jobs = new Jobs(null, 1)) {
            QueueFullException e = assertThrows(QueueFullException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    jobs.submit("gc", "repository", Jobs.Pool.MAINTENANCE, (job, p) -> {
                        release.await();
                        return "gc: done";
                    });
                }
            });
            ErrorMapping.Answer a = answer(e);
            assertEquals(503, a.status());
            // how many run and wait depends on whether the first has started yet
            assertTrue(
                    a.message()
                            .matches("too many maintenance jobs at once \\(\\d running, \\d waiting\\);"
                                    + " try again when one has finished"),
                    a.message());
            assertFalse(a.logged());
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("FileSystemException from the mount (EIO): 500 with the reason, not the server's path")
    void fileSystemException() {
        ErrorMapping.Answer a =
                answer(new FileSystemException("/var/lib/cairn/mnt/vms/web01/x/disk0", null, "Input/output error"));
        assertEquals(500, a.status());
        assertEquals(
                "reading the backup's files failed: Input/output error (the repository may be damaged: run a check)",
                a.message());
    }

    @Test
    @DisplayName("UncheckedIOException is answered as its cause")
    void unchecked() {
        assertAnswer(404, "no such file or directory", new UncheckedIOException(new NoSuchFileException("x")));
    }

    @Test
    @DisplayName("anything else: 500 internal error, the details only in the log")
    void unexpected() {
        ErrorMapping.Answer a = answer(new IllegalStateException("secret detail at line 42"));
        assertEquals(500, a.status());
        assertEquals("internal error", a.message());
        assertTrue(a.logged());
    }

    @Test
    @DisplayName("messages are one line, and bounded")
    void oneLine() {
        assertEquals("first", ErrorMapping.oneLine("first\n\tat io.cairn.X.y(X.java:1)"));
        assertEquals(
                ErrorMapping.MAX_MESSAGE, ErrorMapping.oneLine("x".repeat(5000)).length());
        assertEquals("error", ErrorMapping.oneLine(null));
    }
}
