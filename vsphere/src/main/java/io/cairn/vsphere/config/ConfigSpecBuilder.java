package io.cairn.vsphere.config;

import com.vmware.vim25.ArrayUpdateOperation;
import com.vmware.vim25.CryptoKeyId;
import com.vmware.vim25.CryptoSpecEncrypt;
import com.vmware.vim25.DistributedVirtualSwitchPortConnection;
import com.vmware.vim25.HostCpuIdInfo;
import com.vmware.vim25.OptionValue;
import com.vmware.vim25.VirtualCdrom;
import com.vmware.vim25.VirtualCdromRemotePassthroughBackingInfo;
import com.vmware.vim25.VirtualController;
import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceBackingInfo;
import com.vmware.vim25.VirtualDeviceConfigSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecBackingSpec;
import com.vmware.vim25.VirtualDeviceConfigSpecFileOperation;
import com.vmware.vim25.VirtualDeviceConfigSpecOperation;
import com.vmware.vim25.VirtualDeviceConnectInfo;
import com.vmware.vim25.VirtualDeviceFileBackingInfo;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualDiskFlatVer1BackingInfo;
import com.vmware.vim25.VirtualDiskFlatVer2BackingInfo;
import com.vmware.vim25.VirtualDiskRawDiskMappingVer1BackingInfo;
import com.vmware.vim25.VirtualDiskSeSparseBackingInfo;
import com.vmware.vim25.VirtualDiskSparseVer2BackingInfo;
import com.vmware.vim25.VirtualEthernetCard;
import com.vmware.vim25.VirtualEthernetCardDistributedVirtualPortBackingInfo;
import com.vmware.vim25.VirtualEthernetCardNetworkBackingInfo;
import com.vmware.vim25.VirtualFloppy;
import com.vmware.vim25.VirtualFloppyRemoteDeviceBackingInfo;
import com.vmware.vim25.VirtualHardware;
import com.vmware.vim25.VirtualIDEController;
import com.vmware.vim25.VirtualKeyboard;
import com.vmware.vim25.VirtualMachineBootOptions;
import com.vmware.vim25.VirtualMachineBootOptionsBootableDevice;
import com.vmware.vim25.VirtualMachineBootOptionsBootableDiskDevice;
import com.vmware.vim25.VirtualMachineBootOptionsBootableEthernetDevice;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualMachineConfigSpec;
import com.vmware.vim25.VirtualMachineCpuIdInfoSpec;
import com.vmware.vim25.VirtualMachineDefinedProfileSpec;
import com.vmware.vim25.VirtualMachineFileInfo;
import com.vmware.vim25.VirtualMachineVMCIDevice;
import com.vmware.vim25.VirtualMachineVideoCard;
import com.vmware.vim25.VirtualPCIController;
import com.vmware.vim25.VirtualPS2Controller;
import com.vmware.vim25.VirtualPointingDevice;
import com.vmware.vim25.VirtualSIOController;
import com.vmware.vim25.VirtualTPM;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a stored {@link VirtualMachineConfigInfo} into the {@link VirtualMachineConfigSpec} that
 * re-creates the VM with {@code CreateVM_Task}, following VMware's rules in the VDDK Programming
 * Guide, "Low Level Restore Procedures / Restoring a Virtual Machine and Disk": "Creating the
 * Virtual Machine" and "Using the VirtualMachineConfigInfo"
 * (https://docs.vmware.com/en/VMware-vSphere/8.0/vsphere-vddk-programming-guide/GUID-A701B870-475A-4C65-B180-64231FA1B6FC.html,
 * GUID-B2AF9649-ACE1-49BD-94D2-111D89E38B71.html), and "Encrypted VM Backup and Restore"
 * (GUID-DCB7AC21-6298-42BD-85A5-A7532B5F468E.html):
 *
 * <ol>
 *   <li><b>Default devices are left out</b> ("a VirtualMachineConfigSpec that contains information
 *       about so called Default Devices usually fails"): {@code VirtualIDEController},
 *       {@code VirtualPS2Controller}, {@code VirtualPCIController}, {@code VirtualSIOController},
 *       {@code VirtualKeyboard}, {@code VirtualMachineVMCIDevice}, {@code VirtualPointingDevice};
 *       cairn also leaves out {@code VirtualMachineVideoCard}, which every VM gets too (adding one
 *       gives a second card). vSphere creates them with fixed keys: PCI 100, IDE 200 and 201,
 *       PS/2 300, SIO 400, video 500, keyboard 600, pointing device 700, VMCI 12000 (ESXi
 *       numbering, also vcsim's {@code esx.VirtualDevice}). A device on a default controller (a
 *       CD-ROM on IDE 0, a SCSI controller on PCI) keeps that real key as its
 *       {@code controllerKey} ("when associating virtual devices with default devices, the
 *       controllerKey property should be reset with the key property of the controller").</li>
 *   <li><b>{@code VirtualController.device} lists are cleared</b>: "the server rebuilds this list".</li>
 *   <li><b>Negative temporary keys</b> -1, -2, ... in the order the devices are added (controllers
 *       first), and each child's {@code controllerKey} rewritten to its controller's new key: "the
 *       relationship between controller and device must be preserved using negative key numbers".</li>
 *   <li><b>Disks</b> are added in (bus number, unit number) order with {@code fileOperation
 *       create} on a new {@code VirtualDiskFlatVer2BackingInfo} with fileName {@code "[DS]"} (vSphere
 *       names the file after the VM), diskMode / thinProvisioned / eagerlyScrub / writeThrough /
 *       sharing / digestEnabled copied, and {@code parent}, uuid, changeId, contentId unset ("the
 *       parent property for virtual disk backing information must be set to null ... the
 *       pre-backup snapshot causes the parent property to be populated"). Capacity is kept. A
 *       stored delta or sparse backing (SESparse, SparseVer2, FlatVer1) becomes a flat disk too.</li>
 *   <li><b>{@code cpuFeatureMask}</b>: each {@code HostCpuIdInfo} becomes a
 *       {@code VirtualMachineCpuIdInfoSpec} (an {@code ArrayUpdateSpec}) with operation
 *       {@code add} ("the array entries must be converted to ArrayUpdateSpec entries").</li>
 *   <li><b>RDMs</b> ({@code VirtualDiskRawDiskMappingVer1BackingInfo}) get a free LUN from the
 *       {@link RdmChooser} (which uses {@code QueryConfigTarget}), with the mapping file created on
 *       the datastore; no chooser or no free LUN → {@link RecreateException} naming the disk.</li>
 *   <li><b>Encryption</b>: the guide says to remember the VM's {@code keyId} and its
 *       {@code encryption.bundle} (a VMX setting, seen in {@code extraConfig}) because the VMX is
 *       partly and the NVRAM wholly encrypted, and that a disk's remembered key id given at restore
 *       makes the restored disk use the same key (else vCenter takes a new key). With
 *       {@link RecreateOptions.Encryption#KEEP_KEYS}: {@code spec.crypto = CryptoSpecEncrypt(keyId)},
 *       {@code encryption.bundle} kept in extraConfig, each encrypted disk gets
 *       {@code backing.crypto = CryptoSpecEncrypt(its keyId)}. With
 *       {@link RecreateOptions.Encryption#REENCRYPT_BY_POLICY}: keys and {@code encryption.*}
 *       dropped, the policy (if given) set as {@code vmProfile} and on each disk, and a warning
 *       that the NVRAM is lost. Not verifiable here: vcsim has no crypto.</li>
 * </ol>
 *
 * <p>cairn's own decisions (not from the guide):
 * <ul>
 *   <li>NICs: the network's name goes through the network map: a standard backing's
 *       {@code deviceName}; for a distributed portgroup, whose stored backing holds only the old
 *       switch uuid and portgroup key, the name recorded at backup
 *       ({@link RecreateOptions#portgroupNames()}) or, on the vCenter it came from, the target's
 *       portgroup with that switch uuid and key (the map may also name it by its key). A name
 *       missing from the map is refused unless {@code keepUnmappedNetworks}. The mapped name is
 *       then looked up in the target's networks ({@link TargetNetworks}): a distributed portgroup
 *       gives a {@code DistributedVirtualSwitchPortConnection} with the target's switch uuid and
 *       portgroup key, a standard network a {@code deviceName} backing, so a NIC moves from a
 *       standard network to a distributed portgroup and back as the map says; a name the target
 *       lacks, or that names a standard network and a portgroup at once, is refused. Without the
 *       target's networks the names are taken as standard networks and a distributed-switch NIC is
 *       refused. The stored {@code network} MoRef is dropped (it names an object of the old
 *       inventory). The MAC address is kept when {@code addressType} is {@code manual} or the
 *       identity is kept ({@link RecreateOptions#keepIdentity}), else cleared so vSphere assigns a
 *       new one (the original VM may still be running with it).</li>
 *   <li>Disk placement: each disk on {@link RecreateOptions#datastoreFor its datastore}, in
 *       {@link DiskFormat its format} (thin, thick, eager-zeroed thick; by default the source's,
 *       and thin for a disk that was a delta or sparse); the format each disk gets is in its
 *       {@link DiskPlan}. Per-disk options that name no disk of the VM are refused.</li>
 *   <li>CD-ROMs and floppies get an empty client-device backing ({@code
 *       VirtualCdromRemotePassthroughBackingInfo} / {@code VirtualFloppyRemoteDeviceBackingInfo},
 *       not connected): an ISO or image path on the old datastore may not exist on the target,
 *       and CreateVM fails on a missing file. Warned.</li>
 *   <li>extraConfig is copied except {@link #DROPPED_EXTRA_CONFIG} / {@link #DROPPED_EXTRA_CONFIG_PREFIXES}:
 *       the swap file name and NVRAM path (derived from the new VM's name; the NVRAM file is
 *       uploaded separately), the identity keys {@code uuid.bios}, {@code uuid.location},
 *       {@code vc.uuid} (always dropped: with {@code keepIdentity} the identity goes through
 *       {@code spec.uuid} / {@code instanceUuid}, which vSphere writes back into them),
 *       {@code cpuid.coresPerSocket} ({@code numCoresPerSocket} is authoritative), per-disk CBT
 *       flags ({@code *.ctkEnabled}: the new disks start without tracking), and migration
 *       state.</li>
 *   <li>Boot order entries that name a disk or NIC by device key are dropped (warned): the API
 *       does not document negative keys there.</li>
 *   <li>{@code files.vmPathName = "[DS]"} (vSphere creates the folder from the name); snapshot,
 *       suspend and log directories follow it.</li>
 *   <li>What the 7.0 binding cannot carry ({@link ApiLimits}): a device of a type it does not know,
 *       or with a backing it does not know (disks excepted: they become flat disks), is left out
 *       with a warning, and so are devices on such a controller; a hardware version after vmx-17
 *       is kept with a warning; a vTPM on a VM without VM encryption is refused
 *       ({@link RecreateException}), since the 7.0 API creates a vTPM only on an encrypted VM.</li>
 * </ul>
 */
public final class ConfigSpecBuilder {

    /** extraConfig keys never copied (see class comment). */
    public static final Set<String> DROPPED_EXTRA_CONFIG = Set.of(
            "sched.swap.derivedName",
            "nvram",
            "uuid.bios",
            "uuid.location",
            "vc.uuid",
            "cpuid.coresPerSocket",
            "answer.msg.uuid.altered",
            "checkpoint.vmState");

    /** extraConfig key prefixes / suffixes never copied. */
    public static final List<String> DROPPED_EXTRA_CONFIG_PREFIXES = List.of("migrate.", "vmotion.");

    private static final String CTK_SUFFIX = ".ctkEnabled";
    private static final String ENCRYPTION_BUNDLE = "encryption.bundle";

    private ConfigSpecBuilder() {}

    /** True for the devices vSphere creates with every VM (left out of the spec). */
    public static boolean isDefaultDevice(VirtualDevice d) {
        return d instanceof VirtualIDEController
                || d instanceof VirtualPS2Controller
                || d instanceof VirtualPCIController
                || d instanceof VirtualSIOController
                || d instanceof VirtualKeyboard
                || d instanceof VirtualPointingDevice
                || d instanceof VirtualMachineVMCIDevice
                || d instanceof VirtualMachineVideoCard;
    }

    /**
     * The spec for a new VM from {@code stored} (which is not changed).
     *
     * @throws RecreateException when a device cannot be re-created with these options (message names it)
     */
    public static Recreate build(VirtualMachineConfigInfo stored, RecreateOptions options) throws RecreateException {
        VirtualMachineConfigInfo info = ConfigInfoXml.copy(stored);
        List<String> warnings = new ArrayList<>();
        VirtualMachineConfigSpec spec = new VirtualMachineConfigSpec();
        boolean encrypted = info.getKeyId() != null;
        boolean keepKeys = encrypted && options.encryption() == RecreateOptions.Encryption.KEEP_KEYS;
        VirtualTPM tpm = ApiLimits.unencryptedVtpm(info);
        if (tpm != null) {
            throw new RecreateException(label(tpm) + " (key " + tpm.getKey() + ") is a vTPM on a VM without VM"
                    + " encryption: the vSphere API 7.0 that cairn speaks creates a vTPM only on an encrypted VM,"
                    + " so '" + info.getName() + "' cannot be re-created with it");
        }
        if (ApiLimits.hardwareVersion(info) > ApiLimits.BINDING_HARDWARE_VERSION) {
            warnings.add("hardware version " + info.getVersion() + " is newer than vmx-"
                    + ApiLimits.BINDING_HARDWARE_VERSION + " (vSphere 7.0, the API cairn speaks): the VM is re-created"
                    + " with it, but without settings added since, which the backup could not hold");
        }

        copySettings(info, options, spec, warnings);
        copyExtraConfig(info, spec, keepKeys);
        for (HostCpuIdInfo mask : info.getCpuFeatureMask()) {
            VirtualMachineCpuIdInfoSpec entry = new VirtualMachineCpuIdInfoSpec();
            entry.setOperation(ArrayUpdateOperation.ADD);
            entry.setInfo(mask);
            spec.getCpuFeatureMask().add(entry);
        }
        if (encrypted) {
            if (keepKeys) {
                spec.setCrypto(encrypt(info.getKeyId()));
                if (extra(info, ENCRYPTION_BUNDLE) == null) {
                    warnings.add("VM '" + info.getName() + "' is encrypted but its ConfigInfo has no "
                            + ENCRYPTION_BUNDLE + ": the new VM gets key "
                            + info.getKeyId().getKeyId()
                            + " and a new bundle; the stored NVRAM may not be readable");
                }
            } else {
                warnings.add("VM '" + info.getName() + "' was encrypted with key "
                        + info.getKeyId().getKeyId()
                        + "; it is re-encrypted "
                        + (options.encryptionPolicyId() == null
                                ? "only if its folder's or datastore's default policy encrypts"
                                : "by storage policy " + options.encryptionPolicyId())
                        + ": NVRAM is lost because it was encrypted with the old key");
                if (options.encryptionPolicyId() != null) {
                    spec.getVmProfile().add(profile(options.encryptionPolicyId()));
                }
            }
        }

        List<DiskPlan> plans = addDevices(info, options, spec, keepKeys, warnings);
        return new Recreate(spec, warnings, plans);
    }

    private static void copySettings(
            VirtualMachineConfigInfo info,
            RecreateOptions options,
            VirtualMachineConfigSpec spec,
            List<String> warnings) {
        spec.setName(options.name());
        spec.setGuestId(info.getGuestId());
        spec.setAlternateGuestName(info.getAlternateGuestName());
        spec.setAnnotation(info.getAnnotation());
        spec.setVersion(info.getVersion());
        spec.setFirmware(info.getFirmware());
        VirtualHardware hw = info.getHardware();
        if (hw != null) {
            spec.setNumCPUs(hw.getNumCPU());
            spec.setNumCoresPerSocket(hw.getNumCoresPerSocket());
            spec.setMemoryMB((long) hw.getMemoryMB());
            spec.setVirtualICH7MPresent(hw.isVirtualICH7MPresent());
            spec.setVirtualSMCPresent(hw.isVirtualSMCPresent());
        }
        spec.setCpuAllocation(info.getCpuAllocation());
        spec.setMemoryAllocation(info.getMemoryAllocation());
        spec.setMemoryReservationLockedToMax(info.isMemoryReservationLockedToMax());
        spec.setLatencySensitivity(info.getLatencySensitivity());
        spec.setCpuHotAddEnabled(info.isCpuHotAddEnabled());
        spec.setCpuHotRemoveEnabled(info.isCpuHotRemoveEnabled());
        spec.setMemoryHotAddEnabled(info.isMemoryHotAddEnabled());
        spec.setNestedHVEnabled(info.isNestedHVEnabled());
        spec.setVPMCEnabled(info.isVPMCEnabled());
        spec.setFlags(info.getFlags());
        spec.setConsolePreferences(info.getConsolePreferences());
        spec.setPowerOpInfo(info.getDefaultPowerOps());
        spec.setSwapPlacement(info.getSwapPlacement());
        if (info.getTools() != null) {
            // Versions and install type describe the old VM's installed tools; the server owns them.
            info.getTools().setToolsVersion(null);
            info.getTools().setToolsInstallType(null);
            spec.setTools(info.getTools());
        }
        VirtualMachineBootOptions boot = info.getBootOptions();
        if (boot != null) {
            List<VirtualMachineBootOptionsBootableDevice> order = boot.getBootOrder();
            boolean dropped = order.removeIf(b -> b instanceof VirtualMachineBootOptionsBootableDiskDevice
                    || b instanceof VirtualMachineBootOptionsBootableEthernetDevice);
            if (dropped) {
                warnings.add("the boot order named disks or NICs by device key; those entries were left out"
                        + " (the firmware's default order applies to them)");
            }
            spec.setBootOptions(boot);
        }
        if (options.keepIdentity()) {
            spec.setUuid(info.getUuid());
            spec.setInstanceUuid(info.getInstanceUuid());
        }
        VirtualMachineFileInfo files = new VirtualMachineFileInfo();
        files.setVmPathName("[" + options.datastore() + "]");
        spec.setFiles(files);
    }

    private static void copyExtraConfig(
            VirtualMachineConfigInfo info, VirtualMachineConfigSpec spec, boolean keepKeys) {
        for (OptionValue o : info.getExtraConfig()) {
            String key = o.getKey();
            if (key == null
                    || DROPPED_EXTRA_CONFIG.contains(key)
                    || key.endsWith(CTK_SUFFIX)
                    || DROPPED_EXTRA_CONFIG_PREFIXES.stream().anyMatch(key::startsWith)) {
                continue;
            }
            if (!keepKeys && key.startsWith("encryption.")) {
                continue;
            }
            spec.getExtraConfig().add(o);
        }
    }

    private static Object extra(VirtualMachineConfigInfo info, String key) {
        return info.getExtraConfig().stream()
                .filter(o -> key.equals(o.getKey()))
                .map(OptionValue::getValue)
                .findFirst()
                .orElse(null);
    }

    private static List<DiskPlan> addDevices(
            VirtualMachineConfigInfo info,
            RecreateOptions options,
            VirtualMachineConfigSpec spec,
            boolean keepKeys,
            List<String> warnings)
            throws RecreateException {
        List<VirtualDevice> all =
                info.getHardware() == null ? List.of() : info.getHardware().getDevice();
        Map<Integer, VirtualDevice> byKey = new HashMap<>();
        for (VirtualDevice d : all) {
            byKey.put(d.getKey(), d);
        }
        java.util.Set<Integer> unknown = unknownDevices(all, warnings);
        List<VirtualDevice> controllers = new ArrayList<>();
        List<VirtualDevice> others = new ArrayList<>();
        List<VirtualDisk> disks = new ArrayList<>();
        for (VirtualDevice d : all) {
            if (isDefaultDevice(d) || unknown.contains(d.getKey())) {
                continue;
            }
            if (d instanceof VirtualController c) {
                c.getDevice().clear();
                controllers.add(d);
            } else if (d instanceof VirtualDisk disk) {
                disks.add(disk);
            } else {
                others.add(d);
            }
        }
        checkDiskKeys(disks, options);
        // Disks in (bus number, unit number) order; the controller's stored key breaks ties
        // between controller types that share a bus number (scsi0:0 and sata0:0).
        disks.sort(Comparator.<VirtualDisk>comparingInt(d -> busNumber(byKey, d))
                .thenComparingInt(d -> d.getUnitNumber() == null ? -1 : d.getUnitNumber())
                .thenComparingInt(d -> d.getControllerKey() == null ? 0 : d.getControllerKey()));

        // Temporary keys in the order the devices are added: controllers first, so that a child's
        // controllerKey always names a device added before it.
        Map<Integer, Integer> newKeys = new LinkedHashMap<>();
        int next = -1;
        for (VirtualDevice d : controllers) {
            newKeys.put(d.getKey(), next--);
        }
        for (VirtualDevice d : others) {
            newKeys.put(d.getKey(), next--);
        }
        for (VirtualDevice d : disks) {
            newKeys.put(d.getKey(), next--);
        }

        for (VirtualDevice d : controllers) {
            spec.getDeviceChange().add(add(rekey(d, newKeys, byKey, warnings)));
        }
        for (VirtualDevice d : others) {
            int storedKey = d.getKey();
            VirtualDevice dev = rekey(d, newKeys, byKey, warnings);
            if (dev instanceof VirtualEthernetCard nic) {
                mapNic(nic, storedKey, options);
            } else if (dev instanceof VirtualCdrom cd) {
                detachMedia(cd, warnings, "CD-ROM");
                VirtualCdromRemotePassthroughBackingInfo b = new VirtualCdromRemotePassthroughBackingInfo();
                b.setDeviceName("");
                b.setUseAutoDetect(false);
                b.setExclusive(false);
                cd.setBacking(b);
            } else if (dev instanceof VirtualFloppy fd) {
                detachMedia(fd, warnings, "floppy");
                VirtualFloppyRemoteDeviceBackingInfo b = new VirtualFloppyRemoteDeviceBackingInfo();
                b.setDeviceName("");
                b.setUseAutoDetect(false);
                fd.setBacking(b);
            } else if (dev.getBacking() instanceof VirtualDeviceFileBackingInfo f) {
                f.setDatastore(null);
                warnings.add(
                        label(dev) + " keeps its backing file " + f.getFileName() + ", which must exist on the target");
            }
            spec.getDeviceChange().add(add(dev));
        }

        List<DiskPlan> plans = new ArrayList<>();
        for (VirtualDisk stored : disks) {
            int storedKey = stored.getKey();
            VirtualDevice controller = byKey.get(stored.getControllerKey());
            String storedFile = stored.getBacking() instanceof VirtualDeviceFileBackingInfo f ? f.getFileName() : null;
            VirtualDisk disk = (VirtualDisk) rekey(stored, newKeys, byKey, warnings);
            String ds = options.datastoreFor(storedKey);
            VirtualDeviceConfigSpec change = add(disk);
            change.setFileOperation(VirtualDeviceConfigSpecFileOperation.CREATE);
            boolean rdm = disk.getBacking() instanceof VirtualDiskRawDiskMappingVer1BackingInfo;
            CryptoKeyId diskKey;
            DiskFormat format = null;
            if (rdm) {
                VirtualDiskRawDiskMappingVer1BackingInfo old =
                        (VirtualDiskRawDiskMappingVer1BackingInfo) disk.getBacking();
                diskKey = null;
                disk.setBacking(rdmBacking(stored, old, ds, options));
                if (options.diskFormats().containsKey(storedKey)) {
                    throw new RecreateException(label(stored) + " (key " + storedKey
                            + ") is a raw device mapping: it maps a LUN and has no disk format to choose");
                }
            } else {
                diskKey = diskKeyId(disk.getBacking());
                VirtualDiskFlatVer2BackingInfo flat = flatBacking(disk, ds, warnings);
                if (options.formatFor(storedKey) != null) {
                    options.formatFor(storedKey).applyTo(flat);
                }
                format = DiskFormat.of(flat);
                disk.setBacking(flat);
            }
            disk.setDiskObjectId(null);
            disk.setVDiskId(null);
            disk.setNativeUnmanagedLinkedClone(null);
            if (diskKey != null && keepKeys) {
                VirtualDeviceConfigSpecBackingSpec b = new VirtualDeviceConfigSpecBackingSpec();
                b.setCrypto(encrypt(diskKey));
                change.setBacking(b);
            }
            if (diskKey != null && !keepKeys && options.encryptionPolicyId() != null) {
                change.getProfile().add(profile(options.encryptionPolicyId()));
            }
            spec.getDeviceChange().add(change);
            long capacity =
                    disk.getCapacityInBytes() != null ? disk.getCapacityInBytes() : disk.getCapacityInKB() * 1024L;
            plans.add(new DiskPlan(
                    storedKey,
                    label(stored),
                    storedFile,
                    disk.getKey(),
                    controller == null ? null : vimType(controller),
                    controller instanceof VirtualController c ? c.getBusNumber() : -1,
                    disk.getUnitNumber() == null ? -1 : disk.getUnitNumber(),
                    ds,
                    capacity,
                    rdm,
                    format));
        }
        return plans;
    }

    /**
     * The keys of the devices the binding cannot re-create ({@link ApiLimits}): of an unknown type, or
     * with an unknown backing (disks excepted), and the devices on such a controller; each warned.
     */
    private static java.util.Set<Integer> unknownDevices(List<VirtualDevice> all, List<String> warnings) {
        java.util.Set<Integer> out = new java.util.LinkedHashSet<>();
        for (VirtualDevice d : all) {
            if (ApiLimits.unknownType(d) || (ApiLimits.unknownBacking(d) && !(d instanceof VirtualDisk))) {
                out.add(d.getKey());
                warnings.add(label(d) + " (key " + d.getKey() + ") has a "
                        + (ApiLimits.unknownType(d) ? "device type" : "backing type")
                        + " the vSphere API 7.0 binding does not know; the new VM is created without it");
            }
        }
        boolean more = !out.isEmpty();
        while (more) {
            more = false;
            for (VirtualDevice d : all) {
                if (!out.contains(d.getKey()) && d.getControllerKey() != null && out.contains(d.getControllerKey())) {
                    out.add(d.getKey());
                    more = true;
                    warnings.add(label(d) + " (key " + d.getKey() + ") sits on a controller that is left out;"
                            + " the new VM is created without it");
                }
            }
        }
        return out;
    }

    /** Per-disk options must name disks of this VM: a typo must not silently place a disk elsewhere. */
    private static void checkDiskKeys(List<VirtualDisk> disks, RecreateOptions options) throws RecreateException {
        java.util.Set<Integer> keys = new java.util.HashSet<>();
        disks.forEach(d -> keys.add(d.getKey()));
        for (Integer k : options.diskDatastores().keySet()) {
            if (!keys.contains(k)) {
                throw new RecreateException("a datastore was given for disk key " + k
                        + ", which is not a disk of the stored VM (disk keys: " + keys + ")");
            }
        }
        for (Integer k : options.diskFormats().keySet()) {
            if (!keys.contains(k)) {
                throw new RecreateException("a disk format was given for disk key " + k
                        + ", which is not a disk of the stored VM (disk keys: " + keys + ")");
            }
        }
    }

    private static int busNumber(Map<Integer, VirtualDevice> byKey, VirtualDevice d) {
        return d.getControllerKey() != null && byKey.get(d.getControllerKey()) instanceof VirtualController c
                ? c.getBusNumber()
                : -1;
    }

    /** The device with its temporary key and its controllerKey pointing at the new (or default) key. */
    private static VirtualDevice rekey(
            VirtualDevice d, Map<Integer, Integer> newKeys, Map<Integer, VirtualDevice> byKey, List<String> warnings) {
        Integer parent = d.getControllerKey();
        d.setKey(newKeys.get(d.getKey()));
        if (parent != null) {
            Integer mapped = newKeys.get(parent);
            if (mapped != null) {
                d.setControllerKey(mapped);
            } else if (byKey.get(parent) == null) {
                warnings.add(label(d) + " names controller key " + parent
                        + ", which is not in the stored ConfigInfo; kept as is");
            }
            // else: a default controller, which vSphere re-creates with the same key.
        }
        // The slot (PCI slot number) was assigned by the old VM's host; let the new one assign.
        d.setSlotInfo(null);
        return d;
    }

    private static VirtualDeviceConfigSpec add(VirtualDevice d) {
        VirtualDeviceConfigSpec c = new VirtualDeviceConfigSpec();
        c.setOperation(VirtualDeviceConfigSpecOperation.ADD);
        c.setDevice(d);
        return c;
    }

    private static void mapNic(VirtualEthernetCard nic, int storedKey, RecreateOptions options)
            throws RecreateException {
        VirtualDeviceBackingInfo backing = nic.getBacking();
        String what = label(nic) + " (key " + storedKey + ")";
        String old;
        String pgKey = null;
        if (backing instanceof VirtualEthernetCardNetworkBackingInfo net) {
            old = net.getDeviceName();
        } else if (backing instanceof VirtualEthernetCardDistributedVirtualPortBackingInfo dv) {
            DistributedVirtualSwitchPortConnection port = dv.getPort();
            String sw = port == null ? null : port.getSwitchUuid();
            pgKey = port == null ? null : port.getPortgroupKey();
            old = options.portgroupNames().get(pgKey);
            if (old == null && options.networks() != null && sw != null && pgKey != null) {
                old = options.networks().portgroupName(sw, pgKey).orElse(null);
            }
            if (options.networks() == null) {
                throw new RecreateException(what + " is on distributed portgroup "
                        + (old == null ? pgKey : "'" + old + "' (" + pgKey + ")") + " of switch " + sw
                        + ", which cannot be mapped without the target's inventory");
            }
        } else {
            // an opaque (NSX) network or no backing: kept as stored
            clearAddress(nic, options.keepIdentity());
            return;
        }
        String mapped = old == null ? null : options.networkMap().get(old);
        if (mapped == null && pgKey != null) {
            mapped = options.networkMap().get(pgKey);
        }
        String on = pgKey == null
                ? "network '" + old + "'"
                : "distributed portgroup " + (old == null ? pgKey : "'" + old + "' (" + pgKey + ")");
        if (mapped == null) {
            if (old == null) {
                throw new RecreateException(what + " is on " + on + ", which the target does not have and the"
                        + " backup recorded no name for; map it by key (e.g. '" + pgKey + "=VM Network')");
            }
            if (!options.keepUnmappedNetworks()) {
                throw new RecreateException(what + " is on " + on
                        + ", which the network map does not map (give OLD=NEW, e.g. '" + old + "=VM Network')");
            }
            mapped = old;
        }
        nic.setBacking(targetBacking(what + " on " + on, mapped, options.networks()));
        clearAddress(nic, options.keepIdentity());
    }

    /** The backing that connects a NIC to the target's network {@code name}. */
    private static VirtualDeviceBackingInfo targetBacking(String what, String name, TargetNetworks networks)
            throws RecreateException {
        if (networks == null) {
            VirtualEthernetCardNetworkBackingInfo b = new VirtualEthernetCardNetworkBackingInfo();
            b.setDeviceName(name);
            return b;
        }
        List<TargetNetworks.Network> found = networks.byName(name);
        if (found.isEmpty()) {
            throw new RecreateException(what + " would go to network '" + name + "', which the target does not have"
                    + " (it has: " + networks.names() + ")");
        }
        if (found.size() > 1) {
            throw new RecreateException(what + " would go to network '" + name + "', a name the target gives "
                    + found.size() + " networks (a standard network and a distributed portgroup?)");
        }
        if (found.get(0) instanceof TargetNetworks.Distributed d) {
            DistributedVirtualSwitchPortConnection conn = new DistributedVirtualSwitchPortConnection();
            conn.setSwitchUuid(d.switchUuid());
            conn.setPortgroupKey(d.portgroupKey());
            VirtualEthernetCardDistributedVirtualPortBackingInfo b =
                    new VirtualEthernetCardDistributedVirtualPortBackingInfo();
            b.setPort(conn);
            return b;
        }
        VirtualEthernetCardNetworkBackingInfo b = new VirtualEthernetCardNetworkBackingInfo();
        b.setDeviceName(name);
        return b;
    }

    /**
     * A generated or vCenter-assigned MAC is cleared (the original VM may still run with it) unless
     * the identity is kept: then it stays with its address type, which vSphere honours when the
     * address is in the type's range and not in use ("the server might override the specified
     * value ... if it does not fall in the right ranges or is determined to be a duplicate").
     */
    private static void clearAddress(VirtualEthernetCard nic, boolean keepIdentity) {
        if (!keepIdentity && !"manual".equalsIgnoreCase(nic.getAddressType())) {
            nic.setMacAddress(null);
        }
        nic.setExternalId(null);
    }

    private static void detachMedia(VirtualDevice d, List<String> warnings, String what) {
        VirtualDeviceBackingInfo b = d.getBacking();
        if (b instanceof VirtualDeviceFileBackingInfo f && f.getFileName() != null) {
            warnings.add(label(d) + " had " + f.getFileName() + " inserted; the new " + what
                    + " is empty (the image may not exist on the target)");
        }
        VirtualDeviceConnectInfo c = d.getConnectable();
        if (c == null) {
            c = new VirtualDeviceConnectInfo();
            c.setAllowGuestControl(true);
            d.setConnectable(c);
        }
        c.setConnected(false);
        c.setStartConnected(false);
        c.setStatus(null);
    }

    private static VirtualDiskFlatVer2BackingInfo flatBacking(VirtualDisk disk, String ds, List<String> warnings) {
        VirtualDeviceBackingInfo old = disk.getBacking();
        VirtualDiskFlatVer2BackingInfo b = new VirtualDiskFlatVer2BackingInfo();
        b.setFileName("[" + ds + "]");
        if (old instanceof VirtualDiskFlatVer2BackingInfo f) {
            b.setDiskMode(f.getDiskMode());
            b.setThinProvisioned(f.isThinProvisioned());
            b.setEagerlyScrub(f.isEagerlyScrub());
            b.setWriteThrough(f.isWriteThrough());
            b.setSharing(f.getSharing());
            b.setDigestEnabled(f.isDigestEnabled());
        } else if (old instanceof VirtualDiskSeSparseBackingInfo s) {
            b.setDiskMode(s.getDiskMode());
            b.setWriteThrough(s.isWriteThrough());
            b.setDigestEnabled(s.isDigestEnabled());
            b.setThinProvisioned(true);
        } else if (old instanceof VirtualDiskSparseVer2BackingInfo s) {
            b.setDiskMode(s.getDiskMode());
            b.setWriteThrough(s.isWriteThrough());
            b.setThinProvisioned(true);
        } else if (old instanceof VirtualDiskFlatVer1BackingInfo f) {
            b.setDiskMode(f.getDiskMode());
            b.setWriteThrough(f.isWriteThrough());
        } else {
            warnings.add(label(disk) + " had a " + (old == null ? "missing" : vimType(old))
                    + " backing; it is re-created as a thin flat disk in persistent mode");
            b.setThinProvisioned(true);
        }
        if (b.getDiskMode() == null) {
            b.setDiskMode("persistent");
        }
        // parent, uuid, changeId, contentId, keyId, datastore stay unset: the new disk is a new file.
        return b;
    }

    private static VirtualDiskRawDiskMappingVer1BackingInfo rdmBacking(
            VirtualDisk disk, VirtualDiskRawDiskMappingVer1BackingInfo old, String ds, RecreateOptions options)
            throws RecreateException {
        if (options.rdmChooser() == null) {
            throw new RecreateException(label(disk) + " (key " + disk.getKey() + ", LUN "
                    + old.getLunUuid() + ", " + old.getCompatibilityMode() + ") is a raw device mapping and"
                    + " no LUN chooser was given: cannot re-create it");
        }
        RdmChooser.Lun lun = options.rdmChooser()
                .choose(disk, old)
                .orElseThrow(() -> new RecreateException(
                        label(disk) + " (key " + disk.getKey() + ") is a raw device mapping and the target has no"
                                + " free LUN for it (QueryConfigTarget found none that fits)"));
        VirtualDiskRawDiskMappingVer1BackingInfo b = new VirtualDiskRawDiskMappingVer1BackingInfo();
        b.setFileName("[" + ds + "]");
        b.setDeviceName(lun.deviceName());
        b.setLunUuid(lun.lunUuid());
        b.setCompatibilityMode(old.getCompatibilityMode());
        b.setDiskMode(old.getDiskMode());
        b.setSharing(old.getSharing());
        return b;
    }

    private static CryptoKeyId diskKeyId(VirtualDeviceBackingInfo b) {
        if (b instanceof VirtualDiskFlatVer2BackingInfo f) {
            return f.getKeyId();
        }
        if (b instanceof VirtualDiskSeSparseBackingInfo s) {
            return s.getKeyId();
        }
        if (b instanceof VirtualDiskSparseVer2BackingInfo s) {
            return s.getKeyId();
        }
        return null;
    }

    private static CryptoSpecEncrypt encrypt(CryptoKeyId key) {
        CryptoSpecEncrypt c = new CryptoSpecEncrypt();
        c.setCryptoKeyId(key);
        return c;
    }

    private static VirtualMachineDefinedProfileSpec profile(String id) {
        VirtualMachineDefinedProfileSpec p = new VirtualMachineDefinedProfileSpec();
        p.setProfileId(id);
        return p;
    }

    static String label(VirtualDevice d) {
        String l = d.getDeviceInfo() == null ? null : d.getDeviceInfo().getLabel();
        return "'" + (l != null ? l : vimType(d) + " " + d.getKey()) + "'";
    }

    /** The vim25 type name of a data object (the binding keeps VMware's class names). */
    static String vimType(Object o) {
        return o.getClass().getSimpleName();
    }
}
