package io.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import io.cairn.vsphere.backup.Props;
import io.cairn.vsphere.config.ConfigSpecBuilder;
import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.datastore.DatastorePath;
import io.cairn.vsphere.datastore.HttpsDisk;
import io.cairn.vsphere.inventory.Inventory;
import io.cairn.vsphere.inventory.VmInfo;
import io.cairn.vsphere.task.Tasks;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Test VMs in the simulator with real disk content, and the comparisons the vSphere ITs make. */
final class SimVms {
    private SimVms() {}

    /** Creates a VM with an LSI Logic controller on bus 0 and one on bus 1, a disk on each, and an E1000 on "VM Network". */
    static void createVm(VsphereConnection vc, DatastoreClient ds, String dcPath, String hostPath, String name,
                         Path[] images, Path tmp, boolean content) throws Exception {
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        spec.setName(name);
        spec.setGuestId("otherGuest64");
        spec.setNumCPUs(1);
        spec.setMemoryMB(256L);
        VirtualMachineFileInfo files = new VirtualMachineFileInfo();
        files.setVmPathName("[LocalDS_0]");
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
            long bytes = bus == 0 ? 64L << 20 : 24L << 20;
            d.setCapacityInKB(bytes / 1024);
            d.setCapacityInBytes(bytes);
            VirtualDiskFlatVer2BackingInfo b = new VirtualDiskFlatVer2BackingInfo();
            b.setFileName("[LocalDS_0]");
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
        ManagedObjectReference dc = vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), dcPath);
        ManagedObjectReference folder = (ManagedObjectReference) Props.one(vc, dc, "vmFolder");
        ManagedObjectReference host = vc.port().findByInventoryPath(vc.serviceContent().getSearchIndex(), hostPath);
        ManagedObjectReference pool = (ManagedObjectReference) Props.one(vc,
                (ManagedObjectReference) Props.one(vc, host, "parent"), "resourcePool");
        ManagedObjectReference vm = (ManagedObjectReference) Tasks.await(vc, vc.port().createVMTask(folder, spec, pool, host), null);
        List<VirtualDisk> disks = disks(config(vc, vm));
        assertEquals(2, disks.size(), "vcsim created both disks");
        // real VMDK content behind the disks: qemu-img writes a monolithicFlat pair, uploaded over vcsim's empty files
        for (int i = 0; i < 2; i++) {
            DatastorePath desc = DatastorePath.parse(((VirtualDiskFlatVer2BackingInfo) disks.get(i).getBacking()).getFileName());
            if (!content && i == 1) {
                ds.upload(desc, new ByteArrayInputStream(new byte[0]), 0);
                continue;
            }
            Path local = Files.createDirectories(tmp.resolve("vmdk-" + name + "-" + i)).resolve(desc.fileName());
            Util.sh("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat,adapter_type=lsilogic",
                    images[i].toString(), local.toString());
            String stem = desc.fileName().substring(0, desc.fileName().length() - 5);
            Path flat = local.resolveSibling(stem + "-flat.vmdk");
            ds.upload(desc.resolveSibling(flat.getFileName().toString()), Files.newInputStream(flat), Files.size(flat));
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

    static VmInfo vm(VsphereConnection vc, String name) throws Exception {
        return Inventory.vms(vc).stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no VM " + name));
    }

    static VirtualMachineConfigInfo config(VsphereConnection vc, ManagedObjectReference vm) throws Exception {
        VirtualMachineConfigInfo c = (VirtualMachineConfigInfo) Props.one(vc, vm, "config");
        assertNotNull(c);
        return c;
    }

    static List<VirtualDisk> disks(VirtualMachineConfigInfo c) {
        return io.cairn.vsphere.backup.VmBackup.disks(c);
    }

    /** Non-default devices as "type bus:unit capacity" lines, in a stable order. */
    static List<String> layout(VirtualMachineConfigInfo c) {
        Map<Integer, VirtualDevice> byKey = new java.util.HashMap<>();
        c.getHardware().getDevice().forEach(d -> byKey.put(d.getKey(), d));
        List<String> out = new ArrayList<>();
        for (VirtualDevice d : c.getHardware().getDevice()) {
            if (ConfigSpecBuilder.isDefaultDevice(d)) {
                continue;
            }
            String where = "";
            if (byKey.get(d.getControllerKey()) instanceof VirtualController ctl && !ConfigSpecBuilder.isDefaultDevice(ctl)) {
                where = " on " + ctl.getClass().getSimpleName() + " " + ctl.getBusNumber() + ":" + d.getUnitNumber();
            }
            String extra = d instanceof VirtualController vcl ? " bus " + vcl.getBusNumber()
                    : d instanceof VirtualDisk vd ? " " + vd.getCapacityInKB() + " KiB" : "";
            out.add(d.getClass().getSimpleName() + where + extra);
        }
        out.sort(null);
        return out;
    }

    static DatastorePath flatOf(DatastoreClient ds, VirtualDisk d) throws Exception {
        HttpsDisk h = HttpsDisk.open(ds, DatastorePath.parse(((VirtualDiskFlatVer2BackingInfo) d.getBacking()).getFileName()));
        return h.extentFiles().get(0);
    }

    static String sha256(DatastoreClient ds, VirtualDisk d) throws Exception {
        HttpsDisk h = HttpsDisk.open(ds, DatastorePath.parse(((VirtualDiskFlatVer2BackingInfo) d.getBacking()).getFileName()));
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
    static void uploadVerified(io.cairn.vsphere.datastore.DatastoreClient ds, io.cairn.vsphere.datastore.DatastorePath desc,
                               Path local) throws Exception {
        byte[] want = Files.readAllBytes(local);
        for (int attempt = 1; ; attempt++) {
            ds.upload(desc, new java.io.ByteArrayInputStream(want), want.length);
            byte[] got = ds.readAll(desc, 1 << 20);
            if (java.util.Arrays.equals(want, got)) {
                return;
            }
            if (attempt == 5) {
                throw new AssertionError("the simulator keeps " + desc + " different from what was uploaded");
            }
            Thread.sleep(200L * attempt);
        }
    }
}
