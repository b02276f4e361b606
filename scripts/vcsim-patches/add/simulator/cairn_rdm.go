/*
cairn's addition to govmomi's vCenter simulator for raw device mappings, built into vcsim by cairn's
scripts/vcsim (hooked in by scripts/vcsim-patches/rdm.patch). Not part of govmomi.

QueryConfigTarget answers, besides datastores and networks, the SCSI disks of the hosts it was asked
about (ConfigTarget.scsiDisk): the LUNs a new raw device mapping can point at. vCenter leaves out
LUNs that back a VMFS datastore; vcsim's datastores are directories, so every one of its hosts'
disks is free. Each LUN is listed once (hosts of a cluster share them, by uuid).
*/

package simulator

import "github.com/vmware/govmomi/vim25/types"

func configTargetLuns(ctx *Context, hosts []types.ManagedObjectReference, target *types.ConfigTarget) {
	seen := make(map[string]bool)
	for _, ref := range hosts {
		host, ok := ctx.Map.Get(ref).(*HostSystem)
		if !ok || host.Config == nil || host.Config.StorageDevice == nil {
			continue
		}
		for _, lun := range host.Config.StorageDevice.ScsiLun {
			disk, ok := lun.(*types.HostScsiDisk)
			if !ok || seen[disk.Uuid] {
				continue
			}
			seen[disk.Uuid] = true
			target.ScsiDisk = append(target.ScsiDisk, types.VirtualMachineScsiDiskDeviceInfo{
				VirtualMachineDiskDeviceInfo: types.VirtualMachineDiskDeviceInfo{
					VirtualMachineTargetInfo: types.VirtualMachineTargetInfo{Name: disk.DeviceName},
					Capacity:                 disk.Capacity.Block * int64(disk.Capacity.BlockSize) / 1024,
				},
				Disk: disk,
			})
		}
	}
}
