package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.vmware.vim25.ArrayOfManagedObjectReference;
import com.vmware.vim25.CryptoKeyId;
import com.vmware.vim25.CryptoSpecDecrypt;
import com.vmware.vim25.CryptoSpecEncrypt;
import com.vmware.vim25.HostConfigManager;
import com.vmware.vim25.HostNasVolumeSpec;
import com.vmware.vim25.KeyProviderId;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.TaskInfo;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import io.cairn.vixmntbridge.testing.CallLog;
import io.cairn.vixmntbridge.testing.VddkStandin;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.task.Tasks;
import io.cairn.vsphere.testing.SimVms;
import io.cairn.vsphere.testing.Vcsim;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.datatype.XMLGregorianCalendar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VDDK transports end to end: the real {@code cairn.jar} with {@code --vddk DIR} pointing at the
 * gcc-built STAND-INS for VMware's libvixDiskLib/libvixMntapi (scripts/vddk-standin; VMware's VDDK
 * cannot be installed here), against govmomi's vCenter simulator, whose datastore folder the
 * stand-ins read and write as "[LocalDS_0] ...". Each command's call log is checked against one rule
 * of VMware's VDDK Programming Guide per test. The stand-ins prove cairn's side; what still needs a
 * real vSphere is in docs/vddk.md.
 *
 * <p>vcsim's datastores are a host's local one ({@code LocalDS_0}, whose {@code info} is a
 * {@code LocalDatastoreInfo}) and NAS ones it makes on request; it cannot make a VMFS datastore on a
 * LUN. cairn decides "local" by the datastore's {@code info} type, so the SAN tests put their VM on a
 * NAS datastore ({@code SanDS}, a folder of the test) and tell the stand-in that this "proxy" sees its
 * LUN ({@code VDDK_STANDIN_SAN}); VixDiskLib, not cairn, is what finds a LUN, or does not.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VddkTransportIT {
    private static final String SHA1 = Vcsim.SHA1;
    private static final String USER = "backup";
    private static final String PASSWORD = "s3cret!vddk";
    private static final String DS = "LocalDS_0";
    /** A NAS datastore of host DC0_H0 (not local): the SAN tests' VM lives there. */
    private static final String SAN_DS = "SanDS";

    @TempDir
    static Path tmp;

    static final Cairn cairn = new Cairn();
    static VddkStandin standin;
    static Vcsim vcsim;
    static String url;
    static VsphereConnection vc;
    static DatastoreClient ds;
    static Path datastoreFolder;
    static Path sanFolder;
    static Path repo;
    static Path disk0;
    static Path disk1;
    static Path backupLog;
    static Path sanRestoreLog;
    static long sanRestoreStarted;
    static String thickBackup;
    static String webBackup;

    @BeforeAll
    static void setUp() throws Exception {
        standin = VddkStandin.build(tmp.resolve("vddk"));
        vcsim = Vcsim.start("-username", USER, "-password", PASSWORD);
        url = vcsim.url();
        vc = VsphereConnection.connect(new ConnectOptions(URI.create(url), USER, PASSWORD.toCharArray(), SHA1, false));
        ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
        try (Stream<Path> s = Files.list(vcsim.dir())) {
            datastoreFolder = s.filter(p -> p.getFileName().toString().startsWith("govcsim-DC0-" + DS + "-"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no datastore folder of " + DS + " under " + vcsim.dir()));
        }
        sanFolder = Files.createDirectories(tmp.resolve("nas").resolve(SAN_DS));
        createNasDatastore(sanFolder);
        disk0 = tmp.resolve("web-disk0.img");
        Util.ext4Image(disk0, 64, 8, 8, 21);
        disk1 = tmp.resolve("web-disk1.img");
        Util.randomFile(disk1, 24L << 20, 22);
        createVm("web01", DS); // thin disks, as SimVms makes them, on the host's local datastore
        createVm("db01", SAN_DS);
        makeThick("db01", 0, 1);
        repo = tmp.resolve("repo");
        cairn.init(repo);
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (vc != null) {
                vc.close();
            }
        } finally {
            cairn.close();
            if (vcsim != null) {
                vcsim.close();
            }
        }
    }

    @Test
    @Order(1)
    @DisplayName(
            "backup --transport nbdssl --vddk DIR reads every disk through VixDiskLib: restored bytes equal the source")
    void backupOverNbdssl() throws Exception {
        backupLog = tmp.resolve("backup-nbdssl.log");
        Cairn.Result r = cairn.run(env(backupLog, List.of()), backupArgs("web01", "nbdssl"))
                .ok();
        String id = Cairn.backupId(r);
        webBackup = id;
        var m = cairn.run("list", "--repo", repo.toString(), "--json")
                .ok()
                .json()
                .get(0);
        assertEquals("nbdssl", m.get("labels").get("transport").asText(), r.describe());
        assertEquals(Set.of(Util.sha256(disk0), Util.sha256(disk1)), restoredHashes(id), r.describe());
        assertNull(Props.one(vc, SimVms.vm(vc, "web01").ref(), "snapshot"), "the backup snapshot is removed");

        CallLog log = CallLog.read(backupLog);
        List<CallLog.Call> opens = log.where(c -> c.function().equals("VixDiskLib_Open") && c.ok());
        assertEquals(2, opens.size(), log.describe());
        for (CallLog.Call open : opens) {
            assertEquals("0x4", open.arg("flags"), "read-only: " + open);
            assertEquals("nbdssl", open.result("transport"), open.line());
            assertTrue(open.result("snapshotRef") != null, "opened through the backup snapshot: " + open);
        }
        assertEquals(
                List.of("[" + DS + "] web01/web01.vmdk", "[" + DS + "] web01/web01_1.vmdk"),
                opens.stream().map(o -> o.arg("path")).toList());
        CallLog.Call connect = log.of("VixDiskLib_ConnectEx").get(0);
        assertEquals("moref=" + SimVms.vm(vc, "web01").moRef(), connect.arg("vmxSpec"));
        assertEquals(USER, connect.arg("user"));
        assertEquals("1", connect.arg("readOnly"));
        assertFalse(Files.readString(backupLog, StandardCharsets.UTF_8).contains(PASSWORD), "no password in the log");
        CallLog.Call exit = log.of("VixDiskLib_Exit").get(0);
        assertEquals("0", exit.arg("openConnections"), exit.line());
        assertEquals("0", exit.arg("openDisks"), exit.line());
        assertEquals("0", exit.arg("unfreed"), "cairn gave back every allocation of the library: " + exit);
    }

    @Test
    @Order(2)
    @DisplayName("rule: PrepareForAccess before each disk is opened, EndAccess after it is closed, all before Exit")
    void prepareAndEndAccess() throws Exception {
        assertBracketed(CallLog.read(backupLog));
    }

    @Test
    @Order(3)
    @DisplayName(
            "rule: the NFC settings of the Programming Guide reach InitEx's config file, nfcFssrvrWrite=0 included")
    void nfcSettings() throws Exception {
        CallLog.Call init = CallLog.read(backupLog).of("VixDiskLib_InitEx").get(0);
        List<String> config = List.of(init.arg("config").split(";"));
        for (String kv : List.of(
                "vixDiskLib.nfc.AcceptTimeoutMs=180000",
                "vixDiskLib.nfc.RequestTimeoutMs=180000",
                "vixDiskLib.nfc.ReadTimeoutMs=60000",
                "vixDiskLib.nfc.WriteTimeoutMs=600000",
                "vixDiskLib.nfcFssrvr.TimeoutMs=0",
                "vixDiskLib.nfcFssrvrWrite.TimeoutMs=0")) {
            assertTrue(config.contains(kv), kv + " in " + config);
        }
    }

    @Test
    @Order(4)
    @DisplayName("rule: VixDiskLib gets the thumbprint cairn pinned and verified, and the vCenter user")
    void thumbprint() throws Exception {
        for (CallLog.Call c : CallLog.read(backupLog).of("VixDiskLib_ConnectEx")) {
            assertEquals(SHA1, c.arg("thumbprint"), c.line());
            assertEquals(URI.create(url).getHost(), c.arg("server"), c.line());
            assertEquals(String.valueOf(URI.create(url).getPort()), c.arg("port"), c.line());
        }
    }

    @Test
    @Order(5)
    @DisplayName("rule: a disk on a host's local datastore is read with nbdssl asked for explicitly")
    void localDatastoreGetsNbdssl() throws Exception {
        // nbdssl asked for: the list is just that
        for (CallLog.Call c : CallLog.read(backupLog).of("VixDiskLib_ConnectEx")) {
            assertEquals("nbdssl", c.arg("transportModes"), c.line());
        }
        // hotadd asked for, on a local datastore this proxy cannot hot-add from: nbdssl must follow it,
        // or VixDiskLib has nothing to fall back on
        Path log = tmp.resolve("backup-hotadd.log");
        Cairn.Result r = cairn.run(env(log, List.of()), backupArgs("web01", "hotadd"));
        List<String> modes = CallLog.read(log).of("VixDiskLib_ConnectEx").stream()
                .map(c -> c.arg("transportModes"))
                .toList();
        assertFalse(modes.isEmpty(), r.describe());
        for (String m : modes) {
            assertTrue(m.endsWith(":nbdssl") || m.equals("nbdssl"), "transport modes " + modes + "\n" + r.describe());
        }
        r.ok();
    }

    @Test
    @Order(6)
    @DisplayName("rule: VixDiskLib_Cleanup runs after the disks are closed and before the backup snapshot is removed")
    void cleanupBeforeSnapshotRemoval() throws Exception {
        CallLog log = CallLog.read(backupLog);
        String snapshot = log.where(c -> c.function().equals("VixDiskLib_Open") && c.ok())
                .get(0)
                .result("snapshotRef");
        long removed = taskQueued("RemoveSnapshot", snapshot);
        List<CallLog.Call> cleanups = log.of("VixDiskLib_Cleanup");
        assertFalse(cleanups.isEmpty(), "no VixDiskLib_Cleanup in the backup's call log:" + log.describe());
        CallLog.Call lastEnd = log.of("VixDiskLib_EndAccess")
                .get(log.of("VixDiskLib_EndAccess").size() - 1);
        assertTrue(
                cleanups.stream().anyMatch(c -> log.indexOf(c) > log.indexOf(lastEnd) && c.epochNanos() < removed),
                "Cleanup after the last EndAccess and before RemoveSnapshot was queued at " + removed + log.describe());
    }

    @Test
    @Order(7)
    @DisplayName(
            "restore --in-place --transport san writes the thick base disks over SAN under a restore snapshot, then reverts and removes it")
    void sanInPlaceRestore() throws Exception {
        Path before = tmp.resolve("backup-db01.log");
        thickBackup = Cairn.backupId(
                cairn.run(env(before, List.of()), backupArgs("db01", "nbdssl")).ok());
        // damage both disks behind vSphere's back, where the backup holds data
        for (VirtualDisk d :
                SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "db01").ref()))) {
            overwrite(d, 0, new byte[1 << 20]);
        }
        setCbt("db01", true); // tracking on, as on a VM backed up incrementally
        Path log = tmp.resolve("restore-san.log");
        sanRestoreLog = log;
        sanRestoreStarted = System.currentTimeMillis() * 1_000_000L;
        Cairn.Result r = cairn.run(
                        env(log, List.of(SAN_DS)),
                        "restore",
                        "--repo",
                        repo.toString(),
                        thickBackup,
                        "--vc",
                        url,
                        "--thumbprint",
                        SHA1,
                        "--in-place",
                        "--transport",
                        "san",
                        "--vddk",
                        standin.home().toString())
                .ok();
        var vm = SimVms.vm(vc, "db01");
        List<VirtualDisk> disks = SimVms.disks(SimVms.config(vc, vm.ref()));
        assertEquals(Util.sha256(disk0), SimVms.sha256(ds, disks.get(0)), r.describe());
        assertEquals(Util.sha256(disk1), SimVms.sha256(ds, disks.get(1)), r.describe());
        assertNull(Props.one(vc, vm.ref(), "snapshot"), "the restore snapshot is reverted to and removed");

        CallLog calls = CallLog.read(log);
        assertBracketed(calls);
        List<CallLog.Call> opens = calls.where(c -> c.function().equals("VixDiskLib_Open") && c.ok());
        assertEquals(2, opens.size(), calls.describe());
        List<String> basePaths = new ArrayList<>();
        for (VirtualDisk d : disks) {
            basePaths.add(((VirtualDiskFlatVer2BackingInfo) d.getBacking()).getFileName());
        }
        assertEquals(basePaths, opens.stream().map(o -> o.arg("path")).toList(), "the base disks");
        for (CallLog.Call open : opens) {
            assertEquals("0x0", open.arg("flags"), "opened for writing: " + open);
            assertEquals("san", open.result("transport"), open.line());
            assertEquals("1", open.result("links"), "a base disk, no delta: " + open);
            assertNotNull(open.result("snapshotRef"), "SAN writes need the restore snapshot: " + open);
            assertEquals(
                    "RevertToSnapshot",
                    taskName(open.result("snapshotRef"), "RevertToSnapshot"),
                    "the VM was reverted to the snapshot the disks were written under");
        }
        assertTrue(calls.of("VixDiskLib_Write").size() >= 2, calls.describe());
        for (CallLog.Call c : calls.of("VixDiskLib_ConnectEx")) {
            assertEquals("0", c.arg("readOnly"), c.line());
            assertEquals("san", c.arg("transportModes"), "a thick disk on a shared datastore: " + c.line());
        }
        for (CallLog.Call c : calls.of("VixDiskLib_WriteMetadata")) {
            CallLog.Call firstWrite = calls.where(w -> w.function().equals("VixDiskLib_Write")
                            && w.arg("disk").equals(c.arg("disk")))
                    .get(0);
            assertTrue(calls.indexOf(c) < calls.indexOf(firstWrite), "metadata before data: " + c.line());
        }
        assertFalse(calls.of("VixDiskLib_WriteMetadata").isEmpty(), "the disks' metadata keys are written");
    }

    @Test
    @Order(8)
    @DisplayName(
            "rule: changed block tracking is off while SAN writes (turned off before the restore snapshot, on again after)")
    void cbtOffForSanRestore() throws Exception {
        CallLog calls = CallLog.read(sanRestoreLog);
        String vm = SimVms.vm(vc, "db01").moRef();
        List<Long> reconfigs = tasksQueued("ReconfigVM", vm).stream()
                .filter(t -> t > sanRestoreStarted)
                .toList();
        long firstWrite = calls.of("VixDiskLib_Write").get(0).epochNanos();
        long lastWrite = calls.of("VixDiskLib_Write")
                .get(calls.of("VixDiskLib_Write").size() - 1)
                .epochNanos();
        String snapshot = calls.where(c -> c.function().equals("VixDiskLib_Open") && c.ok())
                .get(0)
                .result("snapshotRef");
        long snapshotTaken = tasksQueued("CreateSnapshot", vm).stream()
                .filter(t -> t < firstWrite)
                .max(Long::compare)
                .orElseThrow(() -> new AssertionError("no restore snapshot before the first write"));
        assertTrue(
                reconfigs.stream().anyMatch(t -> t < snapshotTaken),
                "tracking turned off (ReconfigVM) before the restore snapshot " + snapshot + " was taken: "
                        + reconfigs);
        assertTrue(
                reconfigs.stream().anyMatch(t -> t > lastWrite),
                "tracking turned on again (ReconfigVM) after the writes: " + reconfigs);
        assertEquals(
                Boolean.TRUE,
                Props.one(vc, SimVms.vm(vc, "db01").ref(), "config.changeTrackingEnabled"),
                "tracking is on again after the restore");
        setCbt("db01", false);
    }

    @Test
    @Order(9)
    @DisplayName(
            "rule: SAN never writes thin disks: a SAN restore writes the thick disk over SAN and the thin one with nbdssl")
    void sanRestoreOfThinDisksUsesNbdssl() throws Exception {
        makeThin("db01", 1);
        Path log = tmp.resolve("restore-san-thin.log");
        Cairn.Result r;
        try {
            r = cairn.run(
                    env(log, List.of(SAN_DS)),
                    "restore",
                    "--repo",
                    repo.toString(),
                    thickBackup,
                    "--vc",
                    url,
                    "--thumbprint",
                    SHA1,
                    "--in-place",
                    "--transport",
                    "san",
                    "--vddk",
                    standin.home().toString());
        } finally {
            makeThick("db01", 1);
        }
        CallLog calls = CallLog.read(log);
        List<CallLog.Call> writes =
                calls.where(c -> c.function().equals("VixDiskLib_Open") && c.ok() && "0x0".equals(c.arg("flags")));
        assertEquals(2, writes.size(), r.describe() + calls.describe());
        assertEquals("san", writes.get(0).result("transport"), "the thick disk 0: " + writes.get(0));
        assertEquals("nbdssl", writes.get(1).result("transport"), "the thin disk 1 written over SAN: " + writes.get(1));
        List<String> modes = calls.of("VixDiskLib_ConnectEx").stream()
                .map(c -> c.arg("transportModes"))
                .toList();
        assertEquals(List.of("san", "nbdssl"), modes, "asked for explicitly");
        r.ok();
    }

    @Test
    @Order(10)
    @DisplayName(
            "restore --in-place over a VDDK transport also rewrites what the backup holds as zeros (a disk comes back bit for bit)")
    void inPlaceRestoreRewritesZeroChunks() throws Exception {
        // random bytes where disk 0 of the backup is all zeros (the ext4 image's unused end)
        VirtualDisk d0 =
                SimVms.disks(SimVms.config(vc, SimVms.vm(vc, "db01").ref())).get(0);
        long at = zeroRegion(disk0, 1 << 20);
        byte[] junk = new byte[1 << 20];
        new java.util.Random(9).nextBytes(junk);
        overwrite(d0, at, junk);
        Path log = tmp.resolve("restore-nbdssl-zeros.log");
        Cairn.Result r = cairn.run(
                        env(log, List.of()),
                        "restore",
                        "--repo",
                        repo.toString(),
                        thickBackup,
                        "--vc",
                        url,
                        "--thumbprint",
                        SHA1,
                        "--in-place",
                        "--transport",
                        "nbdssl",
                        "--vddk",
                        standin.home().toString())
                .ok();
        assertEquals(
                Util.sha256(disk0),
                SimVms.sha256(ds, d0),
                "disk 0 after the restore (junk at " + at + " where the backup has zeros)\n" + r.describe());
        // rule: a restore snapshot is optional for NBDSSL, and cairn takes none
        CallLog calls = CallLog.read(log);
        for (CallLog.Call c : calls.of("VixDiskLib_ConnectEx")) {
            assertEquals("NULL", c.arg("snapshotRef"), "no restore snapshot over nbdssl: " + c.line());
        }
        assertBracketed(calls);
        assertTrue(
                calls.of("VixDiskLib_Cleanup").size() >= 1, "VixDiskLib_Cleanup after the restore" + calls.describe());
    }

    @Test
    @Order(11)
    @DisplayName(
            "restore --as-new --transport nbdssl re-creates the VM and writes each disk through VixDiskLib by the new VM's moRef, metadata first: the disks equal the source")
    void asNewOverNbdssl() throws Exception {
        Path log = tmp.resolve("restore-as-new.log");
        Cairn.Result r = cairn.run(
                        env(log, List.of()),
                        "restore",
                        "--repo",
                        repo.toString(),
                        webBackup,
                        "--vc",
                        url,
                        "--thumbprint",
                        SHA1,
                        "--as-new",
                        "web01-vddk",
                        "--datastore",
                        DS,
                        "--transport",
                        "nbdssl",
                        "--vddk",
                        standin.home().toString())
                .ok();
        var vm = SimVms.vm(vc, "web01-vddk");
        List<VirtualDisk> disks = SimVms.disks(SimVms.config(vc, vm.ref()));
        assertEquals(2, disks.size(), r.describe());
        assertEquals(Util.sha256(disk0), SimVms.sha256(ds, disks.get(0)), r.describe());
        assertEquals(Util.sha256(disk1), SimVms.sha256(ds, disks.get(1)), r.describe());

        CallLog calls = CallLog.read(log);
        assertBracketed(calls);
        for (CallLog.Call c : calls.of("VixDiskLib_ConnectEx")) {
            assertEquals("moref=" + vm.moRef(), c.arg("vmxSpec"), "opened by the new VM's moRef: " + c.line());
            assertEquals("0", c.arg("readOnly"), c.line());
            assertEquals("nbdssl", c.arg("transportModes"), c.line());
        }
        List<CallLog.Call> opens = calls.where(c -> c.function().equals("VixDiskLib_Open") && c.ok());
        assertEquals(2, opens.size(), calls.describe());
        for (CallLog.Call open : opens) {
            String disk = open.result("disk");
            List<CallLog.Call> meta =
                    calls.where(c -> c.function().equals("VixDiskLib_WriteMetadata") && disk.equals(c.arg("disk")));
            List<CallLog.Call> writes =
                    calls.where(c -> c.function().equals("VixDiskLib_Write") && disk.equals(c.arg("disk")));
            assertFalse(meta.isEmpty(), "metadata keys written to " + open.arg("path"));
            assertFalse(writes.isEmpty(), "data written to " + open.arg("path"));
            assertTrue(
                    calls.indexOf(meta.get(meta.size() - 1)) < calls.indexOf(writes.get(0)),
                    "every metadata key before the first data: " + open.arg("path"));
        }
        assertFalse(calls.of("VixDiskLib_Cleanup").isEmpty(), "VixDiskLib_Cleanup after the disks" + calls.describe());
    }

    @Test
    @Order(12)
    @DisplayName(
            "rule: an encrypted VM is never read over https (or nbd): one line before any snapshot; nbdssl reads it")
    void encryptedVmNeedsNbdsslOrHotadd() throws Exception {
        setEncrypted("web01", true);
        try {
            long before = System.currentTimeMillis() * 1_000_000L;
            cairn.run(
                            Map.of("CAIRN_VC_USER", USER, "CAIRN_VC_PASSWORD", PASSWORD),
                            "backup",
                            "--repo",
                            repo.toString(),
                            "--vm",
                            "name:web01",
                            "--vc",
                            url,
                            "--thumbprint",
                            SHA1)
                    .expectFailure(1, "backup", "web01 is encrypted", "ciphertext", "nbdssl or hotadd");
            Path log = tmp.resolve("backup-encrypted-nbd.log");
            cairn.run(env(log, List.of()), backupArgs("web01", "nbd"))
                    .expectFailure(1, "backup", "web01 is encrypted", "over nbd");
            String vm = SimVms.vm(vc, "web01").moRef();
            assertTrue(
                    tasksQueued("CreateSnapshot", vm).stream().noneMatch(t -> t > before),
                    "no snapshot was taken for the refused backups");
            assertTrue(CallLog.read(log).of("VixDiskLib_Open").isEmpty(), "no disk was opened");

            Cairn.Result ok = cairn.run(
                            env(tmp.resolve("backup-encrypted.log"), List.of()), backupArgs("web01", "nbdssl"))
                    .ok();
            assertEquals(Set.of(Util.sha256(disk0), Util.sha256(disk1)), restoredHashes(Cairn.backupId(ok)));
        } finally {
            setEncrypted("web01", false);
        }
    }

    @Test
    @Order(13)
    @DisplayName(
            "rule: at most six SAN streams per ESXi host: eight VMs backed up over SAN at once hold six disks open at the most")
    void sixSanStreamsPerHost() throws Exception {
        Path small0 = tmp.resolve("small0.img");
        Path small1 = tmp.resolve("small1.img");
        Util.randomFile(small0, 2L << 20, 31);
        Util.randomFile(small1, 1L << 20, 32);
        // vcsim's own VMs run too: off with them, so that powerstate:on selects exactly the eight
        for (var v : io.cairn.vsphere.inventory.Inventory.vms(vc)) {
            if (v.powerState() == com.vmware.vim25.VirtualMachinePowerState.POWERED_ON) {
                Tasks.await(vc, vc.port().powerOffVMTask(v.ref()), null);
            }
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            String name = "san0" + i;
            SimVms.createVm(
                    vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", SAN_DS, name, new Path[] {small0, small1}, tmp, true);
            makeThick(name, 0, 1);
            Tasks.await(vc, vc.port().powerOnVMTask(SimVms.vm(vc, name).ref(), null), null);
            names.add(name);
        }
        Path log = tmp.resolve("backup-san-8.log");
        Map<String, String> env = env(log, List.of(SAN_DS));
        env.put(VddkStandin.OPEN_DELAY_MS, "1500"); // a slow LUN: the opens of eight VMs overlap
        Cairn.Result r = cairn.run(
                env,
                "backup",
                "--repo",
                repo.toString(),
                "--vm",
                "powerstate:on",
                "--vc",
                url,
                "--thumbprint",
                SHA1,
                "--transport",
                "san",
                "--vddk",
                standin.home().toString(),
                "--no-quiesce",
                "--parallel",
                "8",
                "--per-host",
                "8");
        CallLog calls = CallLog.read(log);
        assertEquals(
                0,
                r.exit(),
                () -> r.describe() + "\nthe stand-in's errors:\n"
                        + String.join(
                                "\n",
                                calls.where(c -> !c.ok()).stream()
                                        .map(CallLog.Call::line)
                                        .toList()));
        List<CallLog.Call> opens = calls.where(
                c -> c.function().equals("VixDiskLib_Open") && c.ok() && "san".equals(c.result("transport")));
        assertEquals(16, opens.size(), "every disk of the eight VMs read over SAN\n" + r.describe());
        // each SAN disk is open from its Open to its Close; all eight VMs run on host DC0_H0
        List<long[]> events = new ArrayList<>();
        for (CallLog.Call open : opens) {
            CallLog.Call close = calls.where(c -> c.function().equals("VixDiskLib_Close")
                            && open.result("disk").equals(c.arg("disk")))
                    .get(0);
            events.add(new long[] {open.epochNanos(), 1});
            events.add(new long[] {close.epochNanos(), -1});
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int open = 0;
        int most = 0;
        for (long[] e : events) {
            open += (int) e[1];
            most = Math.max(most, open);
        }
        assertTrue(most <= 6, most + " SAN streams open at once on one host" + calls.describe());
        assertTrue(most >= 2, "the eight backups ran in parallel (" + most + " at most)");
        for (String name : names) {
            Tasks.await(vc, vc.port().powerOffVMTask(SimVms.vm(vc, name).ref()), null);
        }
    }

    // ---- helpers ----

    /** Encrypts or decrypts the VM in vcsim's view (config.keyId; vcsim-patches/vm-encryption-keyid.patch). */
    static void setEncrypted(String name, boolean on) throws Exception {
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        if (on) {
            CryptoSpecEncrypt enc = new CryptoSpecEncrypt();
            CryptoKeyId key = new CryptoKeyId();
            key.setKeyId("key-1");
            KeyProviderId provider = new KeyProviderId();
            provider.setId("kms-1");
            key.setProviderId(provider);
            enc.setCryptoKeyId(key);
            spec.setCrypto(enc);
        } else {
            spec.setCrypto(new CryptoSpecDecrypt());
        }
        Tasks.await(vc, vc.port().reconfigVMTask(SimVms.vm(vc, name).ref(), spec), null);
        assertEquals(on, Props.one(vc, SimVms.vm(vc, name).ref(), "config.keyId") != null, "vcsim shows the key id");
    }

    /** Writes {@code data} into the disk's flat extent at {@code offset}, in place, behind vSphere's back. */
    static void overwrite(VirtualDisk d, long offset, byte[] data) throws Exception {
        String flat = SimVms.flatOf(ds, d).toString(); // "[LocalDS_0] vm/vm-flat.vmdk"
        Path folder = flat.startsWith("[" + SAN_DS + "]") ? sanFolder : datastoreFolder;
        Path file = folder.resolve(flat.substring(flat.indexOf("] ") + 2));
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(data), offset);
        }
    }

    /** The offset of the last {@code len}-aligned run of {@code len} zero bytes in {@code image}. */
    static long zeroRegion(Path image, int len) throws Exception {
        byte[] b = Files.readAllBytes(image);
        for (int at = b.length - len; at >= 0; at -= len) {
            boolean zero = true;
            for (int i = at; i < at + len && zero; i++) {
                zero = b[i] == 0;
            }
            if (zero) {
                return at;
            }
        }
        throw new AssertionError(image + " has no zero run of " + len + " bytes");
    }

    static void createVm(String name, String datastore) throws Exception {
        SimVms.createVm(vc, ds, "DC0", "DC0/host/DC0_H0/DC0_H0", datastore, name, new Path[] {disk0, disk1}, tmp, true);
    }

    /**
     * A NAS datastore on host DC0_H0 whose files are in {@code folder} (vcsim names it after the
     * folder): a datastore that is not a host's local one, which vcsim cannot otherwise make.
     */
    static void createNasDatastore(Path folder) throws Exception {
        ManagedObjectReference host =
                vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), "DC0/host/DC0_H0/DC0_H0");
        HostConfigManager cm = (HostConfigManager) Props.one(vc, host, "configManager");
        HostNasVolumeSpec spec = new HostNasVolumeSpec();
        spec.setRemoteHost("nas.example");
        spec.setRemotePath("/export/" + folder.getFileName());
        spec.setLocalPath(folder.toString());
        spec.setAccessMode("readWrite");
        spec.setType("NFS");
        vc.port().createNasDatastore(cm.getDatastoreSystem(), spec);
    }

    /** Turns the VM's disks {@code which} into thick (not thin) ones in vSphere's configuration. */
    static void makeThick(String name, int... which) throws Exception {
        setThin(name, false, which);
    }

    static void makeThin(String name, int... which) throws Exception {
        setThin(name, true, which);
    }

    static void setThin(String name, boolean thin, int... which) throws Exception {
        var vm = SimVms.vm(vc, name);
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        List<VirtualDisk> disks = SimVms.disks(SimVms.config(vc, vm.ref()));
        for (int i : which) {
            VirtualDisk d = disks.get(i);
            ((VirtualDiskFlatVer2BackingInfo) d.getBacking()).setThinProvisioned(thin);
            VirtualDeviceConfigSpec edit = new VirtualDeviceConfigSpec();
            edit.setOperation(VirtualDeviceConfigSpecOperation.EDIT);
            edit.setDevice(d);
            spec.getDeviceChange().add(edit);
        }
        Tasks.await(vc, vc.port().reconfigVMTask(vm.ref(), spec), null);
        List<VirtualDisk> after = SimVms.disks(SimVms.config(vc, vm.ref()));
        for (int i : which) {
            VirtualDevice d = after.get(i);
            assertEquals(
                    thin,
                    ((VirtualDiskFlatVer2BackingInfo) d.getBacking()).isThinProvisioned(),
                    "vcsim kept disk " + i + (thin ? " thin" : " thick"));
        }
    }

    /** Turns changed block tracking on or off, as an administrator would. */
    static void setCbt(String name, boolean on) throws Exception {
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        spec.setChangeTrackingEnabled(on);
        Tasks.await(vc, vc.port().reconfigVMTask(SimVms.vm(vc, name).ref(), spec), null);
    }

    static String[] backupArgs(String vm, String transport) {
        return new String[] {
            "backup",
            "--repo",
            repo.toString(),
            "--vm",
            "name:" + vm,
            "--vc",
            url,
            "--thumbprint",
            SHA1,
            "--transport",
            transport,
            "--vddk",
            standin.home().toString()
        };
    }

    /** cairn's environment: the vCenter credentials and the stand-ins' settings. */
    static Map<String, String> env(Path callLog, List<String> sanDatastores) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CAIRN_VC_USER", USER);
        env.put("CAIRN_VC_PASSWORD", PASSWORD);
        env.putAll(VddkStandin.env(callLog, Map.of(DS, datastoreFolder, SAN_DS, sanFolder), sanDatastores, List.of()));
        // the stand-in refuses any other login, as vCenter would
        env.put(VddkStandin.USER, USER);
        env.put(VddkStandin.PASSWORD, PASSWORD);
        return env;
    }

    /** SHA-256 of every file {@code restore --to} writes for backup {@code id}. */
    static Set<String> restoredHashes(String id) throws Exception {
        Path to = Files.createTempDirectory(tmp, "restore-");
        cairn.run("restore", "--repo", repo.toString(), id, "--to", to.toString())
                .ok();
        Set<String> out = new HashSet<>();
        try (Stream<Path> s = Files.list(to)) {
            for (Path f :
                    s.filter(p -> p.getFileName().toString().endsWith(".img")).toList()) {
                out.add(Util.sha256(f));
            }
        }
        return out;
    }

    /**
     * VMware's bracket around every connection: PrepareForAccess before its ConnectEx, ConnectEx before
     * the Open on that connection, the disk's Close before its connection's Disconnect, and EndAccess
     * after that Disconnect; as many EndAccess as PrepareForAccess, all before Exit. (cairn opens all
     * disks of a VM, reads them, then closes them: connections overlap.)
     */
    static void assertBracketed(CallLog log) {
        List<CallLog.Call> calls = log.calls();
        Map<String, Integer> connected = new LinkedHashMap<>(); // conn -> index of ConnectEx
        Map<String, String> diskConn = new LinkedHashMap<>(); // disk -> conn
        Map<String, Integer> closed = new LinkedHashMap<>(); // disk -> index of Close
        int prepared = 0;
        int ended = 0;
        int disconnected = 0;
        for (int i = 0; i < calls.size(); i++) {
            CallLog.Call c = calls.get(i);
            switch (c.function()) {
                case "VixDiskLib_PrepareForAccess" -> {
                    assertEquals("cairn", c.arg("identity"), c.line());
                    prepared++;
                }
                case "VixDiskLib_ConnectEx" -> {
                    assertTrue(
                            prepared > connected.size(),
                            "ConnectEx without a PrepareForAccess before it: " + c + log.describe());
                    connected.put(c.result("conn"), i);
                }
                case "VixDiskLib_Open" -> {
                    assertTrue(connected.containsKey(c.arg("conn")), "Open on no connection: " + c);
                    if (c.ok()) {
                        diskConn.put(c.result("disk"), c.arg("conn"));
                    }
                }
                case "VixDiskLib_Close" -> closed.put(c.arg("disk"), i);
                case "VixDiskLib_Disconnect" -> {
                    String conn = c.arg("conn");
                    for (Map.Entry<String, String> d : diskConn.entrySet()) {
                        if (d.getValue().equals(conn)) {
                            assertTrue(
                                    closed.containsKey(d.getKey()),
                                    "Disconnect before Close of " + d.getKey() + log.describe());
                        }
                    }
                    disconnected++;
                }
                case "VixDiskLib_EndAccess" -> {
                    ended++;
                    assertTrue(ended <= disconnected, "EndAccess before its Disconnect: " + c + log.describe());
                }
                case "VixDiskLib_Exit" -> {
                    assertEquals(prepared, ended, "every PrepareForAccess ended before Exit" + log.describe());
                    assertEquals(connected.size(), disconnected, "every connection closed before Exit");
                }
                default -> {}
            }
        }
        assertTrue(prepared > 0, log.describe());
        assertEquals(1, log.of("VixDiskLib_Exit").size(), log.describe());
        assertEquals(
                "VixDiskLib_Exit", calls.get(calls.size() - 1).function(), "Exit is the last call" + log.describe());
    }

    /** The queue times (epoch nanoseconds) of every task {@code name} vcsim ran on {@code entity}, in order. */
    static List<Long> tasksQueued(String name, String entity) throws Exception {
        List<Long> out = new ArrayList<>();
        for (ManagedObjectReference t : recentTasks()) {
            TaskInfo i = (TaskInfo) Props.one(vc, t, "info");
            // vcsim spells some names its own way (ReconfigVm)
            if (name.equalsIgnoreCase(i.getName().replace("_Task", ""))
                    && i.getEntity() != null
                    && entity.equals(i.getEntity().getValue())) {
                out.add(nanos(i.getQueueTime()));
            }
        }
        out.sort(Long::compare);
        return out;
    }

    /** The queue time (epoch nanoseconds) of vcsim's task {@code name} on {@code entity}. */
    static long taskQueued(String name, String entity) throws Exception {
        List<String> seen = new ArrayList<>();
        for (ManagedObjectReference t : recentTasks()) {
            TaskInfo i = (TaskInfo) Props.one(vc, t, "info");
            // vcsim names the task after the method without "_Task" (RemoveSnapshot), vCenter with it
            if (name.equals(i.getName().replace("_Task", ""))
                    && i.getEntity() != null
                    && entity.equals(i.getEntity().getValue())) {
                return nanos(i.getQueueTime());
            }
            seen.add(i.getName() + " on "
                    + (i.getEntity() == null ? null : i.getEntity().getValue()));
        }
        throw new AssertionError("vcsim ran no " + name + " on " + entity + "; its recent tasks: " + seen);
    }

    static String taskName(String entity, String name) throws Exception {
        taskQueued(name, entity);
        return name;
    }

    static List<ManagedObjectReference> recentTasks() throws Exception {
        Object v = Props.one(vc, vc.serviceContent().getTaskManager(), "recentTask");
        if (v instanceof ArrayOfManagedObjectReference a) {
            return a.getManagedObjectReference();
        }
        List<ManagedObjectReference> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            for (Object o : l) {
                out.add((ManagedObjectReference) o);
            }
        }
        return out;
    }

    static long nanos(XMLGregorianCalendar t) {
        long seconds = t.toGregorianCalendar().toInstant().getEpochSecond();
        BigDecimal fraction = t.getFractionalSecond() == null ? BigDecimal.ZERO : t.getFractionalSecond();
        return seconds * 1_000_000_000L + fraction.movePointRight(9).longValue();
    }
}
