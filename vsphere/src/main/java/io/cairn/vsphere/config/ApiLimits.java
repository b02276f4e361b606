package io.cairn.vsphere.config;

import com.vmware.vim25.VirtualDevice;
import com.vmware.vim25.VirtualDeviceBackingInfo;
import com.vmware.vim25.VirtualDisk;
import com.vmware.vim25.VirtualMachineConfigInfo;
import com.vmware.vim25.VirtualTPM;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What cairn's vim25 binding, generated from the vSphere API 7.0 schemas
 * ({@code io.cairn.vsphere.connect.ApiVersion#BINDING}), cannot carry of a VM's configuration, named
 * when a VM is backed up or re-created instead of failing later (or, worse, not at all):
 *
 * <ul>
 *   <li><b>Device types it does not know.</b> A server newer than the binding sends a device (or a
 *       device backing) added after 7.0 as its nearest older type, and the binding's JAXB reads an
 *       unknown {@code xsi:type} as the declared base class: a plain {@code VirtualDevice} (or
 *       {@code VirtualDeviceBackingInfo}) whose own settings are gone. Such a device cannot be
 *       re-created; the backup's stored ConfigInfo no longer says what it was.</li>
 *   <li><b>Hardware versions after vmx-17</b> (vSphere 7.0's; 7.0 U1 added vmx-18, U2 vmx-19, 8.0
 *       vmx-20, 8.0 U2 vmx-21): the version string round-trips, the settings added with it do not
 *       (the server leaves out properties the negotiated version lacks).</li>
 *   <li><b>A vTPM on a VM without VM encryption</b>: through the 7.0 API a vTPM can only be
 *       created on an encrypted VM (the TPM's secrets are stored in the encrypted VMX), so such a
 *       VM cannot be re-created with its vTPM.</li>
 * </ul>
 */
public final class ApiLimits {
    /** vSphere 7.0's newest virtual hardware version: the binding's schemas describe up to it. */
    public static final int BINDING_HARDWARE_VERSION = 17;

    private static final Pattern HW = Pattern.compile("vmx-(\\d{1,4})");

    private ApiLimits() {}

    /** Whether the binding read {@code d} as a plain base type: a device type it does not know. */
    public static boolean unknownType(VirtualDevice d) {
        return d.getClass() == VirtualDevice.class;
    }

    /** Whether the binding read {@code d}'s backing as a plain base type (its settings are gone). */
    public static boolean unknownBacking(VirtualDevice d) {
        VirtualDeviceBackingInfo b = d.getBacking();
        return b != null && b.getClass() == VirtualDeviceBackingInfo.class;
    }

    /** {@code vmx-N}'s N, or -1 when the version is not of that form. */
    static int hardwareVersion(VirtualMachineConfigInfo info) {
        Matcher m = info.getVersion() == null ? null : HW.matcher(info.getVersion());
        return m != null && m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The VM has a vTPM but no VM encryption key: not creatable through the 7.0 API. */
    static VirtualTPM unencryptedVtpm(VirtualMachineConfigInfo info) {
        if (info.getKeyId() != null || info.getHardware() == null) {
            return null;
        }
        for (VirtualDevice d : info.getHardware().getDevice()) {
            if (d instanceof VirtualTPM t) {
                return t;
            }
        }
        return null;
    }

    /**
     * One line per thing of {@code info} the binding cannot carry, empty when there is none: what
     * a backup logs and keeps beside the stored ConfigInfo, which lacks them.
     */
    public static List<String> notes(VirtualMachineConfigInfo info) {
        List<String> out = new ArrayList<>();
        if (info.getHardware() != null) {
            for (VirtualDevice d : info.getHardware().getDevice()) {
                if (unknownType(d)) {
                    out.add(ConfigSpecBuilder.label(d) + " (key " + d.getKey()
                            + ") is of a device type the vSphere API 7.0 binding does not know; its settings are"
                            + " not in the backup and it cannot be re-created");
                } else if (unknownBacking(d) && !(d instanceof VirtualDisk)) {
                    out.add(ConfigSpecBuilder.label(d) + " (key " + d.getKey()
                            + ") has a backing type the vSphere API 7.0 binding does not know; its settings are"
                            + " not in the backup");
                } else if (unknownBacking(d)) {
                    out.add(ConfigSpecBuilder.label(d) + " (key " + d.getKey()
                            + ") is a disk with a backing type the vSphere API 7.0 binding does not know; its"
                            + " data is backed up, its backing settings are not");
                }
            }
        }
        int hw = hardwareVersion(info);
        if (hw > BINDING_HARDWARE_VERSION) {
            out.add("hardware version " + info.getVersion() + " is newer than vmx-" + BINDING_HARDWARE_VERSION
                    + " (vSphere 7.0): settings added since are not in the backup");
        }
        VirtualTPM tpm = unencryptedVtpm(info);
        if (tpm != null) {
            out.add(ConfigSpecBuilder.label(tpm) + " is a vTPM on a VM without VM encryption, which the vSphere API"
                    + " 7.0 cannot create: the VM cannot be re-created with it");
        }
        return out;
    }
}
