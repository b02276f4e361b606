package io.cairn.vsphere.config;

/**
 * Which stored disk becomes which disk of the new VM. The new VM's disk is found after
 * {@code CreateVM_Task} by its controller ({@code controllerType} + {@code busNumber}) and
 * {@code unitNumber}, which the spec keeps; {@code newKey} is only the temporary (negative) key
 * used inside the spec: the server assigns the real key.
 *
 * @param storedKey       the disk's device key in the stored ConfigInfo
 * @param label           its label ("Hard disk 1")
 * @param storedFileName  its backing fileName at backup time ("[ds] vm/vm.vmdk"), null if none
 * @param newKey          the temporary key in the spec (-1, -2, ...)
 * @param controllerType  the controller's vim25 type ("VirtualLsiLogicController", ...)
 * @param busNumber       the controller's bus number
 * @param unitNumber      the disk's unit number on it
 * @param datastore       the datastore the new disk is created on (null for an RDM's mapping file: same)
 * @param capacityInBytes its capacity
 * @param rdm             true when the new disk maps a LUN (no data to write)
 * @param format          how the new disk is provisioned (null for an RDM): a writer keeps a thin
 *                        disk thin by not writing never-written areas
 */
public record DiskPlan(
        int storedKey,
        String label,
        String storedFileName,
        int newKey,
        String controllerType,
        int busNumber,
        int unitNumber,
        String datastore,
        long capacityInBytes,
        boolean rdm,
        DiskFormat format) {}
