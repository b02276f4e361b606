package io.cairn.vsphere.datastore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ServiceContent;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.VimService;
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskOutput;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.backup.Restorer;
import io.cairn.repository.index.DiskIndex;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import io.cairn.vsphere.testing.Vcsim;
import jakarta.xml.ws.BindingProvider;
import jakarta.xml.ws.handler.MessageContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The datastore {@code https} transport against govmomi's vCenter simulator (vcsim), started by
 * {@code scripts/vcsim}; fails (never skips) when vcsim cannot be started. Disk content is put into
 * vcsim's datastore with PUT, as a restore does; vcsim keeps the files under {@code $TMPDIR/govcsim-*}.
 */
@DisplayName("Datastore files over HTTPS against vcsim")
class DatastoreHttpsIT {
    private static final String VCSIM_SHA1 = Vcsim.SHA1;
    private static final String DS = "LocalDS_0";
    private static final String DC = "DC0";
    private static final int MIB = 1 << 20;
    private static final int DISK_SIZE = 64 * MIB;

    private static Vcsim vcsim;
    private static String url;
    private static String cookie;
    private static DatastoreClient client;
    private static byte[] disk;
    private static final DatastorePath DISK = DatastorePath.parse("[" + DS + "] it-vm/it-vm.vmdk");

    @BeforeAll
    static void startVcsimAndUpload() throws Exception {
        vcsim = Vcsim.start();
        url = vcsim.url();

        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new ThumbprintTrustManager(VCSIM_SHA1)}, null);
        HostnameVerifier pinnedOnly = (host, session) -> {
            try {
                return session.getPeerCertificates()[0] instanceof X509Certificate leaf
                        && sha1(leaf).equals(VCSIM_SHA1);
            } catch (SSLPeerUnverifiedException e) {
                return false;
            }
        };
        cookie = login(tls, pinnedOnly);
        client = new DatastoreClient(URI.create(url), tls.getSocketFactory(), pinnedOnly, () -> cookie, DC);

        // The test disk: random runs, text and zeros, uploaded as a restore would (zero chunks skipped).
        disk = new byte[DISK_SIZE];
        Random r = new Random(42);
        for (int off = 0; off < DISK_SIZE; off += MIB) {
            switch ((off / MIB) % 4) {
                case 0, 3 -> {
                    byte[] t = new byte[MIB];
                    r.nextBytes(t);
                    System.arraycopy(t, 0, disk, off, MIB);
                }
                case 1 -> {
                    byte[] t = ("sector text at " + off + "\n").getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < MIB; i++) {
                        disk[off + i] = t[i % t.length];
                    }
                }
                default -> {} // zeros
            }
        }
        try (HttpsDiskUpload up = HttpsDiskUpload.create(
                client, DISK, DISK_SIZE, Map.of("adapterType", "pvscsi", "uuid", "60 00 C2 9a"))) {
            for (int off = 0; off < DISK_SIZE; off += MIB) {
                if ((off / MIB) % 4 != 2) {
                    up.write(off, disk, off, MIB);
                }
            }
            up.finish();
        }
    }

    @AfterAll
    static void stopVcsim() throws Exception {
        if (vcsim != null) {
            vcsim.close();
        }
    }

    /** Logs in through the binding and returns the session cookie vcsim set (Cookie header form). */
    private static String login(SSLContext tls, HostnameVerifier verifier) throws Exception {
        VimPortType port = new VimService().getVimPort();
        Map<String, Object> ctx = ((BindingProvider) port).getRequestContext();
        ctx.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, url);
        ctx.put(BindingProvider.SESSION_MAINTAIN_PROPERTY, true);
        ctx.put("com.sun.xml.ws.transport.https.client.SSLSocketFactory", tls.getSocketFactory());
        ctx.put("com.sun.xml.ws.transport.https.client.hostname.verifier", verifier);
        ManagedObjectReference si = new ManagedObjectReference();
        si.setType("ServiceInstance");
        si.setValue("ServiceInstance");
        ServiceContent content = port.retrieveServiceContent(si);
        port.login(content.getSessionManager(), "user", "pass", null);
        @SuppressWarnings("unchecked")
        Map<String, List<String>> headers = (Map<String, List<String>>)
                ((BindingProvider) port).getResponseContext().get(MessageContext.HTTP_RESPONSE_HEADERS);
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            if (h.getKey() != null && h.getKey().equalsIgnoreCase("Set-Cookie")) {
                for (String v : h.getValue()) {
                    if (v.startsWith("vmware_soap_session=")) {
                        return v.split(";", 2)[0];
                    }
                }
            }
        }
        throw new AssertionError("vcsim's Login answer set no vmware_soap_session cookie: " + headers);
    }

    @Test
    @DisplayName("a monolithicFlat disk uploaded with PUT reads back byte for byte, at random offsets and whole")
    void flatDiskReadsBack() throws Exception {
        assertTrue(cookie.startsWith("vmware_soap_session="), cookie);
        HttpsDisk d = HttpsDisk.open(client, DISK);
        assertEquals(DISK_SIZE, d.capacity());
        assertEquals("monolithicFlat", d.descriptor().createType());
        assertEquals("pvscsi", d.metadata().get("adapterType"));
        assertEquals("60 00 C2 9a", d.metadata().get("uuid"));
        assertEquals(List.of(DatastorePath.parse("[" + DS + "] it-vm/it-vm-flat.vmdk")), d.extentFiles());

        Random r = new Random(7);
        for (int i = 0; i < 40; i++) {
            int len = 1 + r.nextInt(3 * MIB);
            long off = (long) (r.nextDouble() * (DISK_SIZE - len));
            byte[] got = new byte[len];
            d.read(off, got, 0, len);
            assertArrayEquals(Arrays.copyOfRange(disk, (int) off, (int) off + len), got, "at " + off + "+" + len);
        }
        byte[] all = new byte[DISK_SIZE];
        for (int off = 0; off < DISK_SIZE; off += 4 * MIB) {
            d.read(off, all, off, 4 * MIB);
        }
        assertArrayEquals(disk, all);
        assertThrows(IllegalArgumentException.class, () -> d.read(DISK_SIZE - 10, new byte[20], 0, 20));
    }

    @Test
    @DisplayName("vcsim keeps the uploaded files under $TMPDIR/govcsim-*, and size() is the same by HEAD and by range")
    void sizeAndWhereVcsimStoresFiles() throws Exception {
        DatastorePath flat = DISK.resolveSibling("it-vm-flat.vmdk");
        assertEquals(DISK_SIZE, client.size(flat));
        assertEquals(DISK_SIZE, client.sizeByRange(flat));
        try (Stream<Path> s = Files.walk(vcsim.dir())) {
            Path onDisk = s.filter(f -> f.endsWith(Path.of("it-vm", "it-vm-flat.vmdk")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("the uploaded flat file is not under " + vcsim.dir()));
            assertTrue(onDisk.toString().contains("govcsim-"), onDisk.toString());
            assertEquals(DISK_SIZE, Files.size(onDisk));
        }
        // Ranged reads: a short read at the end, -1 past it.
        byte[] b = new byte[100];
        assertEquals(40, client.read(flat, DISK_SIZE - 40, b, 0, 100));
        assertArrayEquals(Arrays.copyOfRange(disk, DISK_SIZE - 40, DISK_SIZE), Arrays.copyOf(b, 40));
        assertEquals(-1, client.read(flat, DISK_SIZE, b, 0, 100));
        // Small files whole, with a bound.
        String text = new String(client.readAll(DISK, 4096), StandardCharsets.UTF_8);
        assertTrue(text.contains("createType=\"monolithicFlat\""), text);
        DatastoreHttpException big = assertThrows(DatastoreHttpException.class, () -> client.readAll(flat, 1 << 20));
        assertTrue(big.getMessage().contains("more than the 1048576"), big.getMessage());
    }

    @Test
    @DisplayName("a missing file is a NoSuchFileException naming '[ds] path'")
    void missingFile() {
        DatastorePath nope = DatastorePath.parse("[" + DS + "] nope/nope.vmdk");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> client.size(nope));
        assertTrue(
                e.getMessage().contains("[LocalDS_0] nope/nope.vmdk")
                        && e.getMessage().contains("404"),
                e.getMessage());
        assertThrows(NoSuchFileException.class, () -> client.read(nope, 0, new byte[10], 0, 10));
        assertThrows(NoSuchFileException.class, () -> HttpsDisk.open(client, nope));
        NoSuchFileException onDs =
                assertThrows(NoSuchFileException.class, () -> client.size(new DatastorePath("NoSuchDS", "x.vmdk")));
        assertTrue(onDs.getMessage().contains("[NoSuchDS] x.vmdk"), onDs.getMessage());
    }

    @Test
    @DisplayName("a descriptor whose flat extent is missing or too short is refused at open")
    void missingOrShortExtent() throws Exception {
        DatastorePath d = DatastorePath.parse("[" + DS + "] short/short.vmdk");
        upload(d, descriptor("monolithicFlat", "RW 2048 FLAT \"short-flat.vmdk\" 0"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> HttpsDisk.open(client, d));
        assertTrue(e.getMessage().contains("short/short-flat.vmdk"), e.getMessage());
        upload(d.resolveSibling("short-flat.vmdk"), new byte[512 * 2047]);
        IOException s = assertThrows(IOException.class, () -> HttpsDisk.open(client, d));
        assertTrue(s.getMessage().contains("is 1048064 bytes; its descriptor needs 1048576"), s.getMessage());
    }

    @Test
    @DisplayName("a hosted sparse VMDK (qemu-img convert -O vmdk) is refused: only flat disks over https")
    void sparseRefused(@TempDir Path tmp) throws Exception {
        Path raw = tmp.resolve("s.raw");
        Files.write(raw, Arrays.copyOf(disk, 4 * MIB));
        Path vmdk = tmp.resolve("s.vmdk");
        Process p = new ProcessBuilder(
                        "qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), vmdk.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "qemu-img convert failed: " + out);
        DatastorePath sparse = DatastorePath.parse("[" + DS + "] sparse/s.vmdk");
        try (var in = Files.newInputStream(vmdk)) {
            client.upload(sparse, in, Files.size(vmdk));
        }
        UnsupportedDiskException e = assertThrows(UnsupportedDiskException.class, () -> HttpsDisk.open(client, sparse));
        assertTrue(
                e.getMessage().contains("only flat disks can be read over https; use a VDDK transport"),
                e.getMessage());
        assertTrue(e.getMessage().contains("[LocalDS_0] sparse/s.vmdk"), e.getMessage());
    }

    @Test
    @DisplayName("a snapshot child's descriptor is refused: the backup reads the base disk")
    void childRefused() throws Exception {
        DatastorePath child = DatastorePath.parse("[" + DS + "] it-vm/it-vm-000001.vmdk");
        upload(
                child,
                ("version=1\nCID=2\nparentCID=fffffffe\ncreateType=\"vmfsSparse\"\nparentFileNameHint=\"it-vm.vmdk\"\n"
                                + "RW 131072 VMFSSPARSE \"it-vm-000001-delta.vmdk\"\n")
                        .getBytes(StandardCharsets.US_ASCII));
        UnsupportedDiskException e = assertThrows(UnsupportedDiskException.class, () -> HttpsDisk.open(client, child));
        assertTrue(e.getMessage().contains("snapshot child") && e.getMessage().contains("base disk"), e.getMessage());
    }

    @Test
    @DisplayName("a twoGbMaxExtentFlat disk with two extents reads right across the extent boundary")
    void twoExtents() throws Exception {
        DatastorePath d = DatastorePath.parse("[" + DS + "] split/split.vmdk");
        upload(d.resolveSibling("split-f001.vmdk"), Arrays.copyOfRange(disk, 0, 8 * MIB));
        // The second extent starts 1 MiB into its file (offset 2048 sectors), as a VMFS extent may.
        byte[] second = new byte[9 * MIB];
        Arrays.fill(second, 0, MIB, (byte) 0x55);
        System.arraycopy(disk, 8 * MIB, second, MIB, 8 * MIB);
        upload(d.resolveSibling("split-f002.vmdk"), second);
        upload(
                d,
                descriptor(
                        "twoGbMaxExtentFlat",
                        "RW 16384 FLAT \"split-f001.vmdk\" 0\nRW 16384 VMFS \"split-f002.vmdk\" 2048"));
        HttpsDisk h = HttpsDisk.open(client, d);
        assertEquals(16 * MIB, h.capacity());
        for (int[] r : new int[][] {
            {8 * MIB - 1000, 5000}, {8 * MIB - 512, 512}, {8 * MIB, 512}, {0, 16 * MIB}, {8 * MIB - 1, 2}
        }) {
            byte[] got = new byte[r[1]];
            h.read(r[0], got, 0, r[1]);
            assertArrayEquals(Arrays.copyOfRange(disk, r[0], r[0] + r[1]), got, "at " + r[0] + "+" + r[1]);
        }
    }

    @Test
    @DisplayName(
            "the disk backs up into a repository through HttpsDiskSource and restores to a file and to the datastore")
    void backupAndRestore(@TempDir Path tmp) throws Exception {
        Repository repo = Repository.init(new LocalStore(tmp.resolve("repo")), 256 * 1024, 3, null);
        BackupWriter.Result res;
        try (HttpsDiskSource src = HttpsDiskSource.open(client, DISK)) {
            assertEquals("it-vm.vmdk", src.name());
            BackupRequest req = new BackupRequest(
                    new Manifest.VmIdentity("id-it-vm", "it-vm", null, null),
                    "vcsim:" + DISK,
                    Map.of(),
                    null,
                    null,
                    List.of(BackupRequest.DiskInput.full(src)),
                    List.of(),
                    null);
            res = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO).write(req);
        }
        Manifest.DiskEntry entry = res.manifest().disks().get(0);
        assertEquals(DISK_SIZE, entry.capacity());
        assertEquals("pvscsi", entry.metadata().get("adapterType"));
        DiskIndex idx = repo.readIndex(res.ref(), entry);

        Path file = tmp.resolve("restored.img");
        new Restorer(repo, 2, Progress.NONE).restoreDisk(idx, "it-vm", file);
        assertArrayEquals(disk, Files.readAllBytes(file));

        // Restore over https: the restorer hands chunks in order and skips zero chunks.
        DatastorePath target = DatastorePath.parse("[" + DS + "] restored/restored.vmdk");
        try (HttpsDiskUpload up = HttpsDiskUpload.create(client, target, entry.capacity(), entry.metadata())) {
            new Restorer(repo, 2, Progress.NONE).restoreDisk(idx, "it-vm", new DiskOutput.Sink() {
                @Override
                public void write(long offset, byte[] data, int off, int len) throws IOException {
                    up.write(offset, data, off, len);
                }

                @Override
                public List<Path> files() {
                    return List.of();
                }

                @Override
                public void close() {}
            });
            up.finish();
        }
        HttpsDisk back = HttpsDisk.open(client, target);
        assertEquals("pvscsi", back.metadata().get("adapterType"));
        byte[] all = new byte[DISK_SIZE];
        for (int off = 0; off < DISK_SIZE; off += 8 * MIB) {
            back.read(off, all, off, 8 * MIB);
        }
        assertArrayEquals(disk, all);
    }

    @Test
    @DisplayName("an upload that ends short is aborted and reported; nothing claims success")
    void shortUpload() throws Exception {
        DatastorePath f = DatastorePath.parse("[" + DS + "] short-upload.bin");
        IOException e =
                assertThrows(IOException.class, () -> client.upload(f, new ByteArrayInputStream(new byte[1000]), 2000));
        assertTrue(e.getMessage().contains("ended 1000 bytes before"), e.getMessage());
        try (HttpsDiskUpload up =
                HttpsDiskUpload.create(client, DatastorePath.parse("[" + DS + "] back/back.vmdk"), MIB, Map.of())) {
            up.write(4096, new byte[512], 0, 512);
            IOException back = assertThrows(IOException.class, () -> up.write(0, new byte[512], 0, 512));
            assertTrue(back.getMessage().contains("one sequential stream"), back.getMessage());
            assertThrows(IOException.class, up::finish);
        }
    }

    private static void upload(DatastorePath p, byte[] data) throws IOException {
        client.upload(p, new ByteArrayInputStream(data), data.length);
    }

    private static byte[] descriptor(String createType, String extents) {
        return ("# Disk DescriptorFile\nversion=1\nCID=1234abcd\nparentCID=ffffffff\ncreateType=\"" + createType
                        + "\"\n\n" + extents + "\n\nddb.adapterType = \"lsilogic\"\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static String sha1(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":")
                    .withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts exactly the leaf certificate whose SHA-1 thumbprint is pinned. */
    private record ThumbprintTrustManager(String pinnedSha1) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0 || !sha1(chain[0]).equals(pinnedSha1)) {
                throw new CertificateException("server certificate does not match the pinned thumbprint " + pinnedSha1);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
