package io.cairn.vsphere.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecFileOperation;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualE1000;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import com.vmware.vim25.VirtualLsiLogicController;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import com.vmware.vim25.VirtualMachineFileInfo;
import com.vmware.vim25.VirtualSCSISharing;
import io.cairn.vsphere.backup.VmDisks;
import io.cairn.vsphere.config.ConfigSpecBuilder;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDisk;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.Tasks;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Test VMs with real disk content in govmomi's vCenter simulator ({@link Vcsim}), and the
 * comparisons the ITs of http-ui and cli make on them. vcsim's own VMs and the disks CreateVM_Task
 * makes are 0 bytes, so a backup of them would prove nothing: {@link #createVm} puts real VMDK
 * content behind each disk, the way {@code scripts/vcsim demo-vm} does.
 */
public final class SimVms {
    private SimVms() {}

    /**
     * Creates a powered-off VM {@code name} on the host at inventory path {@code hostPath} (its
     * datacenter at {@code dcPath}, datastore {@code LocalDS_0}): an LSI Logic controller on bus 0
     * and one on bus 1, a disk on each as large as {@code images[0]} and {@code images[1]} (raw
     * images), and an E1000 on "VM Network" — the layout a restore must re-create. Each image is
     * converted by qemu-img to a monolithicFlat VMDK pair under {@code tmp} and uploaded over the
     * disk's empty files. With {@code content} false the second disk's descriptor is left empty
     * instead, so that reading that disk fails after the first one was read (a backup that fails
     * half-way).
     */
    public static void createVm(
            VsphereConnection vc,
            DatastoreClient ds,
            String dcPath,
            String hostPath,
            String name,
            Path[] images,
            Path tmp,
            boolean content)
            throws Exception {
        createVm(vc, ds, dcPath, hostPath, "LocalDS_0", null, null, name, images, tmp, content);
    }

    /** As {@link #createVm(VsphereConnection, DatastoreClient, String, String, String, Path[], Path, boolean)}, on {@code datastore}. */
    public static void createVm(
            VsphereConnection vc,
            DatastoreClient ds,
            String dcPath,
            String hostPath,
            String datastore,
            String name,
            Path[] images,
            Path tmp,
            boolean content)
            throws Exception {
        createVm(vc, ds, dcPath, hostPath, datastore, null, null, name, images, tmp, content);
    }

    /**
     * As {@link #createVm(VsphereConnection, DatastoreClient, String, String, String, Path[], Path,
     * boolean)}, in the VM folder at {@code folderPath} and the resource pool at {@code poolPath}
     * (inventory paths; null for the datacenter's VM folder and the host's own pool).
     */
    public static void createVm(
            VsphereConnection vc,
            DatastoreClient ds,
            String dcPath,
            String hostPath,
            String folderPath,
            String poolPath,
            String name,
            Path[] images,
            Path tmp,
            boolean content)
            throws Exception {
        createVm(vc, ds, dcPath, hostPath, "LocalDS_0", folderPath, poolPath, name, images, tmp, content);
    }

    /** The VM, on {@code datastore}, in {@code folderPath} and {@code poolPath} (null: the defaults). */
    public static void createVm(
            VsphereConnection vc,
            DatastoreClient ds,
            String dcPath,
            String hostPath,
            String datastore,
            String folderPath,
            String poolPath,
            String name,
            Path[] images,
            Path tmp,
            boolean content)
            throws Exception {
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        spec.setName(name);
        spec.setGuestId("otherGuest64");
        spec.setNumCPUs(1);
        spec.setMemoryMB(256L);
        VirtualMachineFileInfo files = new VirtualMachineFileInfo();
        files.setVmPathName("[" + datastore + "]");
        spec.setFiles(files);
        for (int bus = 0; bus < 2; bus++) {
            VirtualLsiLogicController ctl = new VirtualLsiLogicController();
            ctl.setKey(-1 - bus);
            ctl.setBusNumber(bus);
            ctl.setSharedBus(VirtualSCSISharing.NO_SHARING);
            spec.getDeviceChange().add(add(ctl, null));
            VirtualDisk d = new VirtualDisk();
            d.setKey(-10 - bus);
            d.setControllerKey(-1 - bus);
            d.setUnitNumber(0);
            long bytes = Files.size(images[bus]);
            d.setCapacityInKB(bytes / 1024);
            d.setCapacityInBytes(bytes);
            VirtualDiskFlatVer2BackingInfo b = new VirtualDiskFlatVer2BackingInfo();
            b.setFileName("[" + datastore + "]");
            b.setDiskMode("persistent");
            b.setThinProvisioned(true);
            d.setBacking(b);
            spec.getDeviceChange().add(add(d, VirtualDeviceConfigSpecFileOperation.CREATE));
        }
        VirtualE1000 nic = new VirtualE1000();
        nic.setKey(-20);
        VirtualEthernetCardNetworkBackingInfo nb = new VirtualEthernetCardNetworkBackingInfo();
        nb.setDeviceName("VM Network");
        nic.setBacking(nb);
        nic.setAddressType("generated");
        spec.getDeviceChange().add(add(nic, null));
        ManagedObjectReference dc =
                vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), dcPath);
        ManagedObjectReference folder = folderPath != null
                ? vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), folderPath)
                : (ManagedObjectReference) Props.one(vc, dc, "vmFolder");
        ManagedObjectReference host =
                vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), hostPath);
        ManagedObjectReference pool = poolPath != null
                ? vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), poolPath)
                : (ManagedObjectReference)
                        Props.one(vc, (ManagedObjectReference) Props.one(vc, host, "parent"), "resourcePool");
        assertNotNull(folder, "folder " + folderPath);
        assertNotNull(pool, "pool " + poolPath);
        ManagedObjectReference vm =
                (ManagedObjectReference) Tasks.await(vc, vc.port().createVMTask(folder, spec, pool, host), null);
        List<VirtualDisk> disks = disks(config(vc, vm));
        assertEquals(2, disks.size(), "vcsim created both disks");
        // real VMDK content behind the disks: qemu-img writes a monolithicFlat pair, uploaded over vcsim's empty files
        for (int i = 0; i < 2; i++) {
            DatastorePath desc = DatastorePath.parse(
                    ((VirtualDiskFlatVer2BackingInfo) disks.get(i).getBacking()).getFileName());
            if (!content && i == 1) {
                ds.upload(desc, new ByteArrayInputStream(new byte[0]), 0);
                continue;
            }
            Path local = Files.createDirectories(tmp.resolve("vmdk-" + name + "-" + i))
                    .resolve(desc.fileName());
            run(
                    "qemu-img",
                    "convert",
                    "-f",
                    "raw",
                    "-O",
                    "vmdk",
                    "-o",
                    "subformat=monolithicFlat,adapter_type=lsilogic",
                    images[i].toString(),
                    local.toString());
            String stem = desc.fileName().substring(0, desc.fileName().length() - 5);
            Path flat = local.resolveSibling(stem + "-flat.vmdk");
            try (InputStream in = Files.newInputStream(flat)) {
                ds.upload(desc.resolveSibling(flat.getFileName().toString()), in, Files.size(flat));
            }
            uploadVerified(ds, desc, local);
        }
    }

    private static VirtualDeviceConfigSpec add(VirtualDevice d, VirtualDeviceConfigSpecFileOperation op) {
        VirtualDeviceConfigSpec s = new VirtualDeviceConfigSpec();
        s.setOperation(VirtualDeviceConfigSpecOperation.ADD);
        s.setFileOperation(op);
        s.setDevice(d);
        return s;
    }

    /** Runs a command that must succeed (the test fails with its output otherwise). */
    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "'" + String.join(" ", cmd) + "': " + out.strip());
    }

    /** The VM named {@code name}: tests find VMs by name, as the CLI's {@code name:} spec does. */
    public static VmInfo vm(VsphereConnection vc, String name) throws Exception {
        return Inventory.vms(vc).stream()
                .filter(v -> v.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no VM " + name));
    }

    /** The VM's {@code config}, asserted present: the device layout and disks are compared on it. */
    public static VirtualMachineConfigInfo config(VsphereConnection vc, ManagedObjectReference vm) throws Exception {
        VirtualMachineConfigInfo c = (VirtualMachineConfigInfo) Props.one(vc, vm, "config");
        assertNotNull(c);
        return c;
    }

    /** The VM's disks in the order the backup reads them ({@link VmDisks#of}), so index i is backup disk i. */
    public static List<VirtualDisk> disks(VirtualMachineConfigInfo c) {
        return VmDisks.of(c);
    }

    /**
     * Non-default devices as "type [on controller bus:unit] bus/capacity" lines, in a stable order:
     * what a re-created VM must have in common with the original (keys and the devices every VM gets
     * differ between the two).
     */
    public static List<String> layout(VirtualMachineConfigInfo c) {
        Map<Integer, VirtualDevice> byKey = new HashMap<>();
        c.getHardware().getDevice().forEach(d -> byKey.put(d.getKey(), d));
        List<String> out = new ArrayList<>();
        for (VirtualDevice d : c.getHardware().getDevice()) {
            if (ConfigSpecBuilder.isDefaultDevice(d)) {
                continue;
            }
            String where = "";
            if (byKey.get(d.getControllerKey()) instanceof VirtualController ctl
                    && !ConfigSpecBuilder.isDefaultDevice(ctl)) {
                where = " on " + ctl.getClass().getSimpleName() + " " + ctl.getBusNumber() + ":" + d.getUnitNumber();
            }
            String extra = d instanceof VirtualController vcl
                    ? " bus " + vcl.getBusNumber()
                    : d instanceof VirtualDisk vd ? " " + vd.getCapacityInKB() + " KiB" : "";
            out.add(d.getClass().getSimpleName() + where + extra);
        }
        out.sort(null);
        return out;
    }

    /** The datastore path of the disk's flat extent: a test overwrites it to damage the disk behind vSphere's back. */
    public static DatastorePath flatOf(DatastoreClient ds, VirtualDisk d) throws Exception {
        HttpsDisk h = HttpsDisk.open(
                ds, DatastorePath.parse(((VirtualDiskFlatVer2BackingInfo) d.getBacking()).getFileName()));
        return h.extentFiles().get(0);
    }

    /**
     * SHA-256 (lower-case hex) of the disk's content as read over the datastore's HTTPS, to the
     * disk's capacity: compared with the image it was made from or the disk it was restored from.
     */
    public static String sha256(DatastoreClient ds, VirtualDisk d) throws Exception {
        HttpsDisk h = HttpsDisk.open(
                ds, DatastorePath.parse(((VirtualDiskFlatVer2BackingInfo) d.getBacking()).getFileName()));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[4 << 20];
        for (long off = 0; off < h.capacity(); off += buf.length) {
            int n = (int) Math.min(buf.length, h.capacity() - off);
            h.read(off, buf, 0, n);
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Uploads a descriptor and reads it back: the simulator occasionally showed a descriptor with
     * stray bytes after a busy CreateVM_Task (seen once in CI, never reproduced), so the fixture
     * retries until the datastore holds exactly what was uploaded, and fails if it never does.
     */
    public static void uploadVerified(DatastoreClient ds, DatastorePath desc, Path local) throws Exception {
        byte[] want = Files.readAllBytes(local);
        for (int attempt = 1; ; attempt++) {
            ds.upload(desc, new ByteArrayInputStream(want), want.length);
            byte[] got = ds.readAll(desc, 1 << 20);
            if (Arrays.equals(want, got)) {
                return;
            }
            if (attempt == 5) {
                throw new AssertionError("the simulator keeps " + desc + " different from what was uploaded");
            }
            Thread.sleep(200L * attempt);
        }
    }
}
