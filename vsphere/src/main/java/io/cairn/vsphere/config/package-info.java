/**
 * A VM's configuration in a backup and on re-creation.
 *
 * <p>At backup time the snapshot's {@code VirtualMachineConfigInfo} is stored verbatim as vim25 XML
 * ({@link io.cairn.vsphere.config.ConfigInfoXml}, file role {@code config-info}) with a JSON
 * summary in the manifest ({@link io.cairn.vsphere.config.ConfigSummary}). To re-create a lost VM,
 * {@link io.cairn.vsphere.config.ConfigSpecBuilder} turns the stored ConfigInfo into the
 * {@code VirtualMachineConfigSpec} for {@code CreateVM_Task} following VMware's documented rules
 * (listed on that class with their sources), and a list of
 * {@link io.cairn.vsphere.config.DiskPlan}s that says which new disk receives which stored disk's data.
 */
package io.cairn.vsphere.config;
