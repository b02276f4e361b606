/**
 * Guest volumes inside backed-up disks, for file-level restore: partition tables (MBR with the EBR
 * chain, GPT with its backup header), LVM2 volume groups spanning disks (linear logical volumes only),
 * and filesystem recognition by superblock.
 *
 * <p>Entry point: {@link io.cairn.mount.volume.VolumeScanner#scan}, which turns named disk
 * {@link io.cairn.mount.image.Image}s into {@link io.cairn.mount.volume.Volume}s (each a
 * {@link io.cairn.mount.image.SliceImage} of the disks) and one-line
 * {@link io.cairn.mount.volume.Unsupported} reasons for everything else. Disks are untrusted input:
 * every offset and size read from them is bounded before use, damage becomes a reason, never an
 * exception or a wrong byte. Sectors are 512 bytes; 4Kn GPT disks are recognised and refused.
 *
 * <p>Vocabulary: a <em>disk</em> is a backed-up virtual disk; a <em>partition</em> an entry of its
 * table; a <em>PV</em> a partition or disk carrying an LVM2 label; an <em>LV</em> a logical volume of
 * a volume group; a <em>volume</em> anything holding a recognised filesystem.
 */
package io.cairn.mount.volume;
