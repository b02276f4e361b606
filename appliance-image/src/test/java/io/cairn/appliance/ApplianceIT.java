package io.cairn.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The appliance end to end, as an administrator meets it: the OVA is built by
 * {@code appliance-image/build}, its layout checked, imported into govmomi's vCenter simulator with
 * its properties, and its disks booted in qemu (TCG: pvscsi, vmxnet3, the OVF environment on a
 * CD-ROM). Boot A takes the OVF environment, backs up a disk image through the API, serves a guest
 * file from it, and keeps everything across a reboot; boot B has no OVF environment and generates
 * the admin password; boot C is an upgrade: a new system disk with A's data disk. Needs root
 * (debootstrap, chroot), qemu-system-x86, genisoimage, the Debian mirror. Takes about 10 minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApplianceIT {
    private static final Pattern MANIFEST_LINE = Pattern.compile("SHA256\\(([^)]+)\\)= ([0-9a-f]{64})");
    /** qemu's user network: the guest's first address, the host as seen from the guest, its DNS. */
    private static final String GUEST_IP = "10.0.2.15";

    private static final String HOST_FROM_GUEST = "10.0.2.2";
    private static final String SLIRP_DNS = "10.0.2.3";
    /** XML's five special characters, to see them survive the OVF environment. */
    private static final String ADMIN_PASSWORD = "It's <a> \"test\" & more";

    private Path work;
    private Path ova;
    private Path parts;
    private String version;
    private Vcsim vcsim;
    private Path key;
    private String publicKey;
    private Path image;
    private String imageFileSha;

    // what boot A leaves for the later boots
    private Path dataA;
    private String backupId;
    private String vcenterId;
    private String scheduleId;

    @BeforeAll
    void build() throws Exception {
        work = Files.createTempDirectory(
                Files.createDirectories(Path.of("target").toAbsolutePath()), "appliance-it-");
        Path out = work.resolve("ova");
        long t0 = System.nanoTime();
        // The build itself checks the VMDK (qemu-img check, compare) and the tar order; this test
        // checks them again from the outside, on the OVA alone.
        String log = Vm.run(
                List.of(
                        Path.of("build").toAbsolutePath().toString(),
                        "--out",
                        out.toString(),
                        "--work",
                        work.resolve("build").toString(),
                        "--keep-work"),
                Duration.ofMinutes(30));
        System.err.println("ApplianceIT: OVA built in " + (System.nanoTime() - t0) / 1_000_000_000 + " s\n" + log);
        try (Stream<Path> s = Files.list(out)) {
            List<Path> built = s.toList();
            assertEquals(1, built.size(), "the build writes exactly one file: " + built);
            ova = built.get(0);
        }
        Matcher m =
                Pattern.compile("cairn-(.+)\\.ova").matcher(ova.getFileName().toString());
        assertTrue(m.matches(), ova.toString());
        version = m.group(1);
        parts = Files.createDirectories(work.resolve("parts"));
        Vm.run(List.of("tar", "-xf", ova.toString(), "-C", parts.toString()), Duration.ofMinutes(5));
        key = Files.createDirectories(work.resolve("ssh"));
        publicKey = Ssh.newKey(key);
        vcsim = Vcsim.start();
    }

    @AfterAll
    void cleanUp() throws Exception {
        for (String vm : List.of("vm-a", "vm-b", "vm-c")) {
            if (work != null && Files.isDirectory(work.resolve(vm))) {
                Vm.run(
                        List.of(
                                Path.of("vm").toAbsolutePath().toString(),
                                "kill",
                                "--dir",
                                work.resolve(vm).toString()),
                        Duration.ofMinutes(1));
            }
        }
        if (vcsim != null) {
            vcsim.close();
        }
        if (work != null) {
            // the build's rootfs holds device nodes and root-owned files: rm, not a Java walk
            Vm.run(List.of("rm", "-rf", "--one-file-system", work.toString()), Duration.ofMinutes(5));
        }
    }

    @Test
    @Order(1)
    @DisplayName("the OVA is the .ovf, then the .mf, then the disks, and the manifest's SHA-256 lines match")
    void ovaLayoutAndManifest() throws Exception {
        String name = "cairn-" + version;
        List<String> order = List.of(Vm.run(List.of("tar", "-tf", ova.toString()), Duration.ofMinutes(2))
                .trim()
                .split("\n"));
        assertEquals(name + ".ovf", order.get(0));
        assertEquals(name + ".mf", order.get(1));
        String ovf = Files.readString(parts.resolve(name + ".ovf"));
        List<String> refs = new ArrayList<>();
        Matcher r = Pattern.compile("<File ovf:id=\"[^\"]+\" ovf:href=\"([^\"]+)\" ovf:size=\"(\\d+)\"/>")
                .matcher(ovf);
        while (r.find()) {
            refs.add(r.group(1));
            assertEquals(
                    Long.parseLong(r.group(2)), Files.size(parts.resolve(r.group(1))), "ovf:size of " + r.group(1));
        }
        assertEquals(refs, order.subList(2, order.size()), "the disks follow in the order of the OVF's References");
        assertEquals(4, refs.size(), "the system disk and one data disk per deployment option");

        List<String> lines = Files.readAllLines(parts.resolve(name + ".mf"));
        List<String> covered = new ArrayList<>();
        for (String line : lines) {
            Matcher l = MANIFEST_LINE.matcher(line);
            assertTrue(l.matches(), "a manifest line VMware accepts is exactly SHA256(file)= hex: '" + line + "'");
            assertEquals(sha256(parts.resolve(l.group(1))), l.group(2), "digest of " + l.group(1));
            covered.add(l.group(1));
        }
        List<String> expected = new ArrayList<>(order);
        expected.remove(name + ".mf");
        assertEquals(expected, covered, "the manifest covers the .ovf and every disk");

        // The hardware qemu can boot and vSphere runs: pvscsi, vmxnet3, the OVF environment's transports.
        assertTrue(ovf.contains("<rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>"), "pvscsi");
        assertTrue(ovf.contains("<rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>"), "vmxnet3");
        assertFalse(ovf.toLowerCase().contains("lsilogic"), "no LSI Logic controller (the cloud kernel has no driver)");
        assertTrue(ovf.contains("ovf:transport=\"iso com.vmware.guestInfo\""), "both OVF environment transports");
        for (String p : List.of(
                "hostname",
                "network_mode",
                "ip_address",
                "netmask",
                "gateway",
                "dns_servers",
                "dns_domain",
                "ntp_servers",
                "timezone",
                "admin_password",
                "ssh_enabled",
                "ssh_authorized_key")) {
            assertTrue(ovf.contains("ovf:key=\"" + p + "\""), "property " + p);
        }
        Vm.run(List.of("xmllint", "--noout", parts.resolve(name + ".ovf").toString()), Duration.ofMinutes(1));
    }

    @Test
    @Order(2)
    @DisplayName("the system disk is a streamOptimized VMDK that qemu-img checks and finds equal to the raw disk")
    void systemDiskIsAValidStreamOptimizedVmdk() throws Exception {
        Path sys = parts.resolve("cairn-" + version + "-system.vmdk");
        Vm.run(List.of("qemu-img", "check", sys.toString()), Duration.ofMinutes(5));
        JsonNode info = Api.JSON.readTree(
                Vm.run(List.of("qemu-img", "info", "--output=json", sys.toString()), Duration.ofMinutes(1)));
        assertEquals("vmdk", info.get("format").asText());
        assertEquals(
                "streamOptimized", info.at("/format-specific/data/create-type").asText());
        assertEquals(8L << 30, info.get("virtual-size").asLong());
        // against the raw disk the build kept (--keep-work): the same bytes, sector for sector
        Vm.run(
                List.of(
                        "qemu-img",
                        "compare",
                        "-f",
                        "raw",
                        "-F",
                        "vmdk",
                        work.resolve("build/system.raw").toString(),
                        sys.toString()),
                Duration.ofMinutes(10));
        for (String gib : List.of("500", "1000", "2000")) {
            Path d = parts.resolve("cairn-" + version + "-data-" + gib + "g.vmdk");
            Vm.run(List.of("qemu-img", "check", d.toString()), Duration.ofMinutes(1));
            JsonNode di = Api.JSON.readTree(
                    Vm.run(List.of("qemu-img", "info", "--output=json", d.toString()), Duration.ofMinutes(1)));
            assertEquals(Long.parseLong(gib) << 30, di.get("virtual-size").asLong(), d.toString());
            assertTrue(Files.size(d) < 1 << 20, "an empty data disk is metadata only: " + Files.size(d));
        }
        // the raw disk is no longer needed: it and the rootfs are most of the work directory
        Vm.run(List.of("rm", "-rf", "--one-file-system", work.resolve("build").toString()), Duration.ofMinutes(5));
    }

    @Test
    @Order(3)
    @DisplayName("govc import.ova takes it into vcsim with its properties, deployment option, pvscsi and vmxnet3")
    void importsIntoTheVcenterSimulator() throws Exception {
        Path govc = Path.of("../target/vcsim/govc").toAbsolutePath();
        Map<String, String> env = Map.of(
                "GOVC_URL",
                "https://user:pass@" + vcsim.url().substring("https://".length()),
                "GOVC_INSECURE",
                "1"); // the local simulator with its fixed test certificate only
        JsonNode spec = Api.JSON.readTree(govc(govc, env, "import.spec", ova.toString()));
        Map<String, String> props = new LinkedHashMap<>();
        spec.get("PropertyMapping")
                .forEach(p -> props.put(p.get("Key").asText(), p.get("Value").asText()));
        assertEquals("cairn", props.get("hostname"));
        assertEquals("dhcp", props.get("network_mode"));
        assertEquals("Etc/UTC", props.get("timezone"));
        assertEquals("false", props.get("ssh_enabled").toLowerCase(java.util.Locale.ROOT)); // govc says False
        props.put("hostname", "cairn-sim");
        props.put("timezone", "Europe/Berlin");
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("Deployment", "medium");
        options.put("DiskProvisioning", "thin");
        options.put(
                "PropertyMapping",
                props.entrySet().stream()
                        .map(e -> Map.of("Key", e.getKey(), "Value", e.getValue()))
                        .toList());
        options.put("NetworkMapping", List.of(Map.of("Name", "VM Network", "Network", "VM Network")));
        options.put("Name", "cairn-sim");
        Path opts = work.resolve("import-options.json");
        Files.writeString(opts, Api.JSON.writeValueAsString(options));
        govc(
                govc,
                env,
                "import.ova",
                "-options",
                opts.toString(),
                "-ds",
                "LocalDS_0",
                "-pool",
                "/DC0/host/DC0_C0/Resources",
                ova.toString());

        JsonNode vm = Api.JSON
                .readTree(govc(govc, env, "vm.info", "-json", "-e", "cairn-sim"))
                .get("VirtualMachines")
                .get(0);
        assertEquals(2, vm.at("/Config/Hardware/NumCPU").asInt());
        assertEquals(4096, vm.at("/Config/Hardware/MemoryMB").asInt());
        assertEquals("debian11_64Guest", vm.at("/Config/GuestId").asText());
        Map<String, String> extra = new LinkedHashMap<>();
        vm.at("/Config/ExtraConfig")
                .forEach(o -> extra.put(o.get("Key").asText(), o.get("Value").asText()));
        // vcsim keeps an import's property values as the VM's extraConfig
        assertEquals("cairn-sim", extra.get("hostname"));
        assertEquals("Europe/Berlin", extra.get("timezone"));

        // govc's JSON names each device's type in device.info (vm.info's devices carry no type)
        List<String> types = new ArrayList<>();
        List<Long> disks = new ArrayList<>();
        for (JsonNode d : Api.JSON
                .readTree(govc(govc, env, "device.info", "-json", "-vm", "cairn-sim"))
                .get("Devices")) {
            types.add(d.get("Type").asText());
        }
        for (JsonNode d : vm.at("/Config/Hardware/Device")) {
            if (d.hasNonNull("CapacityInKB")) {
                disks.add(d.get("CapacityInKB").asLong() << 10);
            }
        }
        assertTrue(types.contains("ParaVirtualSCSIController"), types.toString());
        assertTrue(types.contains("VirtualVmxnet3"), types.toString());
        assertTrue(types.contains("VirtualCdrom"), types.toString());
        assertEquals(List.of(8L << 30, 1000L << 30), disks, "the system disk and the 'medium' data disk");
    }

    private static String govc(Path govc, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("env");
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(govc.toString());
        cmd.addAll(List.of(args));
        return Vm.run(cmd, Duration.ofMinutes(5));
    }

    @Test
    @Order(4)
    @DisplayName("boot A takes the OVF environment: static address, host name, time zone, SSH, the admin password")
    void firstBootTakesTheOvfEnvironment() throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hostname", "backup01.example.test");
        p.put("network_mode", "static");
        p.put("ip_address", GUEST_IP);
        p.put("netmask", "255.255.255.0");
        p.put("gateway", HOST_FROM_GUEST);
        p.put("dns_servers", SLIRP_DNS);
        p.put("dns_domain", "not a domain!"); // bad input: reported, ignored, nothing else lost
        p.put("ntp_servers", HOST_FROM_GUEST);
        p.put("timezone", "Europe/Berlin");
        p.put("admin_password", ADMIN_PASSWORD);
        p.put("ssh_enabled", "True");
        p.put("ssh_authorized_key", publicKey);
        Path env = work.resolve("ovf-env-a.xml");
        Files.writeString(env, ovfEnvironment(p));
        dataA = work.resolve("vm-a/data.qcow2");
        try (Vm vm = Vm.boot(work.resolve("vm-a"), ova, List.of("--ovf-env", env.toString(), "--data-size", "20"))) {
            long t0 = System.nanoTime();
            Console c = vm.awaitConsole(s -> s.fingerprint() != null);
            System.err.println("ApplianceIT: boot A ready in " + (System.nanoTime() - t0) / 1_000_000_000 + " s\n" + c);
            assertTrue(c.text().contains("backup01.example.test"), c.text());
            assertEquals(List.of("https://" + GUEST_IP + "/"), c.urls());
            assertTrue(c.says("password set at deployment"), c.text());
            assertNull(c.initialPassword(), "no generated password when the deployment gave one");
            assertTrue(c.says("SSH             on"), c.text());
            assertTrue(c.says("dns_domain 'not a domain!' is not a domain name: ignored"), c.text());

            Api anonymous = Api.pinned(vm.httpsPort(), c.fingerprint());
            awaitServer(anonymous, Duration.ofMinutes(5)); // the console may show the fingerprint first
            assertEquals(401, anonymous.get("/api/v1/vms").statusCode());
            Api api = Api.pinned(vm.httpsPort(), c.fingerprint());
            assertEquals(401, api.login("admin", "wrong password"));
            assertEquals(200, api.login("admin", ADMIN_PASSWORD));

            Ssh ssh = new Ssh(key.resolve("id_ed25519"), vm.sshPort());
            assertEquals("backup01", ssh.run("hostname").trim());
            assertEquals("Europe/Berlin", ssh.run("cat /etc/timezone").trim());
            assertTrue(ssh.run("ip -4 -o addr show scope global").contains(GUEST_IP + "/24"));
            assertTrue(ssh.run("cat /etc/chrony/sources.d/cairn.sources")
                    .contains("server " + HOST_FROM_GUEST + " iburst"));
            assertEquals(
                    "xfs cairn-data",
                    ssh.run("findmnt -n -o FSTYPE,LABEL /var/lib/cairn").trim().replaceAll("\\s+", " "));
            // the server's confinement: its own mount namespace (its FUSE view is not in the host's),
            // /usr and /etc read-only there; and only 443 and (now) 22 are open
            String pid =
                    ssh.run("systemctl show -p MainPID --value cairn.service").trim();
            assertTrue(
                    ssh.run("findmnt -N " + pid + " -n -t fuse.cairn -o TARGET").contains("/var/lib/cairn/state/mnt"));
            assertEquals(
                    "", ssh.run("findmnt -n -t fuse.cairn -o TARGET || true").trim(), "not in the host's namespace");
            assertTrue(ssh.run("findmnt -N " + pid + " -n -o OPTIONS /usr").startsWith("ro"));
            assertTrue(ssh.run("findmnt -N " + pid + " -n -o OPTIONS /etc").startsWith("ro"));
            String rules = ssh.run("nft list ruleset");
            assertTrue(rules.contains("policy drop"), rules);
            assertTrue(rules.contains("tcp dport 443 accept") && rules.contains("tcp dport 22 accept"), rules);
            assertEquals(2, rules.split("tcp dport").length - 1, "no other TCP port: " + rules);
            String listening = ssh.run("ss -Htln | awk '{print $4}' | sort -u");
            assertTrue(listening.contains(":443"), listening);
            assertTrue(ssh.run("systemctl list-timers --all").contains("cairn-maintenance.timer"));
            assertTrue(ssh.run("apt-config dump").contains("APT::Periodic::Unattended-Upgrade \"1\""));
            assertEquals("700", ssh.run("stat -c %a /var/lib/cairn/state").trim());
            assertEquals("1", ssh.run("cat /var/lib/cairn/appliance/layout").trim());

            backUpAndDownload(vm, api, ssh);
            addTheSimulatedVcenter(api);

            // reboot: the backup, the schedule and the login are still there
            String boot = c.bootId();
            // from a transient timer, so that the SSH session ends before the reboot does
            ssh.run("systemd-run --on-active=2 systemctl reboot");
            Console after = vm.awaitConsole(s -> s.fingerprint() != null && !boot.equals(s.bootId()));
            assertEquals(c.fingerprint(), after.fingerprint(), "the same certificate after a reboot");
            Api again = Api.pinned(vm.httpsPort(), after.fingerprint());
            awaitServer(again, Duration.ofMinutes(5));
            assertEquals(200, again.login("admin", ADMIN_PASSWORD));
            assertEquals(
                    backupId,
                    again.json("/api/v1/vms/web01/backups").get(0).get("id").asText());
            assertEquals(
                    scheduleId, again.json("/api/v1/schedules").get(0).get("id").asText());
            vm.stop();
        }
    }

    /** A schedule backs up a disk image copied in over SSH; a file inside it comes back through the API. */
    private void backUpAndDownload(Vm vm, Api api, Ssh ssh) throws Exception {
        image = guestImage();
        ssh.copy(image, "/srv/cairn/import/web01.img");
        Map<String, Object> schedule = new LinkedHashMap<>();
        schedule.put("name", "web01 nightly");
        schedule.put("cron", "0 2 * * *");
        schedule.put("source", "file:/srv/cairn/import/web01.img");
        schedule.put("retention", Map.of("keepLast", 7));
        JsonNode s = api.post("/api/v1/schedules", schedule, 201);
        scheduleId = s.get("id").asText();
        assertEquals("Europe/Berlin", s.get("timeZone").asText(), "the scheduler runs in the deployment's time zone");
        String job = api.post("/api/v1/schedules/" + scheduleId + "/run", Map.of(), 202)
                .get("job")
                .asText();
        JsonNode done = api.awaitJob(job, Duration.ofMinutes(10));
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());

        JsonNode backups = api.json("/api/v1/vms/web01/backups");
        assertEquals(1, backups.size(), backups.toString());
        backupId = backups.get(0).get("id").asText();
        // the guest volume, mounted by fuse2fs as the unprivileged server's user
        JsonNode volumes = api.json("/api/v1/backups/" + backupId + "/files?path=/volumes");
        assertTrue(volumes.toString().contains("\"web01\""), () -> "volumes: " + volumes + unsupported(api));
        String path = "/volumes/web01/data/random-1M.bin";
        byte[] got = api.bytes(
                "/api/v1/backups/" + backupId + "/download?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
        assertEquals(imageFileSha, sha256(got), "the guest file downloaded through the UI API");
    }

    /** The backup's UNSUPPORTED.txt, which says why a volume is not shown (for a failure message). */
    private String unsupported(Api api) {
        try {
            return "; UNSUPPORTED.txt: "
                    + new String(
                            api.bytes("/api/v1/backups/" + backupId + "/download?path=/volumes/UNSUPPORTED.txt"),
                            StandardCharsets.UTF_8);
        } catch (Exception | AssertionError e) {
            return "; no UNSUPPORTED.txt (" + e.getMessage() + ")";
        }
    }

    private void addTheSimulatedVcenter(Api api) throws Exception {
        // the guest reaches the host's loopback, where vcsim listens, at 10.0.2.2
        String url = vcsim.url().replace("127.0.0.1", HOST_FROM_GUEST);
        JsonNode probe = api.post("/api/v1/vcenters/probe", Map.of("url", url), 200);
        assertEquals(Vcsim.SHA1, probe.get("sha1").asText());
        Map<String, Object> vc = new LinkedHashMap<>();
        vc.put("name", "lab vcsim");
        vc.put("url", url);
        vc.put("user", "user");
        vc.put("password", "pass");
        vc.put("thumbprint", Vcsim.SHA1);
        long t0 = System.nanoTime();
        vcenterId = api.post("/api/v1/vcenters", vc, 201).get("id").asText();
        System.err.println(
                "ApplianceIT: vCenter connection added in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
    }

    @Test
    @Order(5)
    @DisplayName(
            "boot B without an OVF environment generates the admin password: 0600 file, on the console, 401 without it")
    void bootWithoutOvfEnvironmentGeneratesThePassword() throws Exception {
        try (Vm vm = Vm.boot(work.resolve("vm-b"), ova, List.of("--data-size", "20"))) {
            Console c = vm.awaitConsole(s -> s.fingerprint() != null);
            String[] pw = c.initialPassword();
            assertNotNull(pw, "the console shows the generated password:\n" + c);
            assertEquals("/var/lib/cairn/state/initial-admin-password", pw[0]);
            assertEquals("600", pw[1], "the password file is 0600");
            assertEquals(20, pw[2].length());
            assertTrue(c.says("SSH             off"), c.text());
            Api api = Api.pinned(vm.httpsPort(), c.fingerprint());
            awaitServer(api, Duration.ofMinutes(5));
            assertEquals(401, api.get("/api/v1/vms").statusCode());
            assertEquals(401, api.login("admin", ADMIN_PASSWORD), "boot A's password belongs to boot A's data disk");
            assertEquals(200, api.login("admin", pw[2]), "the password the console shows is the admin's");
            assertEquals(0, api.json("/api/v1/vms").size());
            vm.stop();
        }
    }

    @Test
    @Order(6)
    @DisplayName(
            "boot C, an upgrade: a new system disk with boot A's data disk finds the backup, users, schedule and vCenter")
    void upgradeKeepsEverythingOnTheDataDisk() throws Exception {
        assertNotNull(backupId, "boot A made a backup");
        // A new deployment: a fresh copy of the system disk (nothing of boot A's), no OVF environment,
        // and the data disk boot A left.
        try (Vm vm = Vm.boot(work.resolve("vm-c"), ova, List.of("--data-disk", dataA.toString()))) {
            Console c = vm.awaitConsole(s -> s.fingerprint() != null);
            assertNull(c.initialPassword(), "no new password: the users are on the data disk");
            Api api = Api.pinned(vm.httpsPort(), c.fingerprint());
            // the console shows the kept certificate's fingerprint before the server listens: wait
            // for its first answer (qemu's port forward accepts, then closes, until then)
            awaitServer(api, Duration.ofMinutes(5));
            assertEquals(200, api.login("admin", ADMIN_PASSWORD));
            assertEquals(
                    backupId,
                    api.json("/api/v1/vms/web01/backups").get(0).get("id").asText());
            JsonNode schedules = api.json("/api/v1/schedules");
            assertEquals(scheduleId, schedules.get(0).get("id").asText());
            assertEquals("SUCCEEDED", schedules.get(0).at("/lastOutcome/state").asText(), schedules.toString());
            JsonNode vcs = api.json("/api/v1/vcenters");
            assertEquals(vcenterId, vcs.get(0).get("id").asText());
            // its sealed password still opens: vcenter.key came along
            long t0 = System.nanoTime();
            JsonNode test = api.post("/api/v1/vcenters/" + vcenterId + "/test", Map.of(), 200);
            System.err.println("ApplianceIT: vCenter test after the upgrade in "
                    + (System.nanoTime() - t0) / 1_000_000_000 + " s");
            assertTrue(test.get("ok").asBoolean(), test.toString());
            byte[] got = api.bytes("/api/v1/backups/" + backupId + "/download?path="
                    + URLEncoder.encode("/volumes/web01/data/random-1M.bin", StandardCharsets.UTF_8));
            assertEquals(imageFileSha, sha256(got));
            assertNotEquals(null, c.bootId());
            vm.stop();
        }
    }

    /** A small ext4 disk image with a random file, made by mkfs.ext4 -d. */
    private Path guestImage() throws Exception {
        Path tree = Files.createDirectories(work.resolve("guest/tree/data"));
        byte[] random = new byte[1 << 20];
        new Random(15).nextBytes(random);
        Files.write(tree.resolve("random-1M.bin"), random);
        Files.writeString(tree.resolve("hello.txt"), "hello from the appliance test\n");
        imageFileSha = sha256(random);
        Path img = work.resolve("guest/web01.img");
        Vm.run(List.of("truncate", "-s", "32M", img.toString()), Duration.ofMinutes(1));
        Vm.run(
                List.of(
                        "mkfs.ext4",
                        "-q",
                        "-F",
                        "-d",
                        work.resolve("guest/tree").toString(),
                        img.toString()),
                Duration.ofMinutes(1));
        return img;
    }

    /** An ovf-env.xml as vSphere writes it (OVF 1.1 environment, VMware's platform section). */
    static String ovfEnvironment(Map<String, String> properties) {
        StringBuilder b = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<Environment xmlns=\"http://schemas.dmtf.org/ovf/environment/1\"\n")
                .append("     xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("     xmlns:oe=\"http://schemas.dmtf.org/ovf/environment/1\"\n")
                .append("     xmlns:ve=\"http://www.vmware.com/schema/ovfenv\"\n")
                .append("     oe:id=\"\" ve:vCenterId=\"vm-42\">\n")
                .append("   <PlatformSection>\n      <Kind>VMware ESXi</Kind>\n      <Version>8.0.2</Version>\n")
                .append("      <Vendor>VMware, Inc.</Vendor>\n      <Locale>en</Locale>\n   </PlatformSection>\n")
                .append("   <PropertySection>\n");
        properties.forEach((k, v) -> b.append("         <Property oe:key=\"")
                .append(xml(k))
                .append("\" oe:value=\"")
                .append(xml(v))
                .append("\"/>\n"));
        return b.append("   </PropertySection>\n</Environment>\n").toString();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&apos;");
    }

    static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Until the web UI answers (401 without a session), or fails with the last error after {@code max}. */
    private static void awaitServer(Api api, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            try {
                assertEquals(401, api.get("/api/v1/vms").statusCode());
                return;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }
}
