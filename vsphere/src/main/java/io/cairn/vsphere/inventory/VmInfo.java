package io.cairn.vsphere.inventory;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualMachinePowerState;
import java.util.List;

/**
 * One virtual machine as the inventory lists it. Every property the server did not report (a
 * template has no IP, a VM without VMware Tools no guest info, an inaccessible VM no config) is
 * null, never an error.
 *
 * @param name         the display name ({@code name})
 * @param moRef        the managed object id, e.g. {@code vm-123} (type VirtualMachine)
 * @param instanceUuid {@code config.instanceUuid}: vCenter's id of the VM, unique within a vCenter
 * @param biosUuid     {@code config.uuid}: the SMBIOS UUID the guest sees (clones may share it)
 * @param ipAddress    {@code guest.ipAddress}: the primary IP VMware Tools reports
 * @param ipAddresses  every IP from {@code guest.net[].ipAddress} (empty when unknown, never null)
 * @param powerState   {@code runtime.powerState}
 * @param template     {@code config.template}
 * @param host         {@code runtime.host}'s id, e.g. {@code host-21}
 * @param vmPathName   {@code config.files.vmPathName}, the {@code .vmx} as a datastore path
 *                     ({@code [LocalDS_0] web01/web01.vmx}); null when not read
 */
public record VmInfo(
        String name,
        String moRef,
        String instanceUuid,
        String biosUuid,
        String ipAddress,
        List<String> ipAddresses,
        VirtualMachinePowerState powerState,
        Boolean template,
        String host,
        String vmPathName) {

    public VmInfo {
        ipAddresses = ipAddresses == null ? List.of() : List.copyOf(ipAddresses);
    }

    /** A VM whose {@code .vmx} path was not read (listings that do not ask for it). */
    public VmInfo(
            String name,
            String moRef,
            String instanceUuid,
            String biosUuid,
            String ipAddress,
            List<String> ipAddresses,
            VirtualMachinePowerState powerState,
            Boolean template,
            String host) {
        this(name, moRef, instanceUuid, biosUuid, ipAddress, ipAddresses, powerState, template, host, null);
    }

    /** The power state as vSphere names it ({@code poweredOn}, {@code poweredOff}, {@code suspended}), or null. */
    public String power() {
        return powerState == null ? null : powerState.value();
    }

    /** A new reference to this VM ({@code VirtualMachine:moRef}) for calls. */
    public ManagedObjectReference ref() {
        ManagedObjectReference r = new ManagedObjectReference();
        r.setType("VirtualMachine");
        r.setValue(moRef);
        return r;
    }
}
