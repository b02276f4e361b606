/**
 * A pure-Java, read-only {@link io.cairn.vixmntbridge.VirtualDisk} for local VMDK files and raw
 * images, and {@link io.cairn.vixmntbridge.vmdk.VmdkWriter}, which creates new disks front to back
 * (the restore side) in the formats {@code vmkfstools -i -d} offers, following VMware's
 * <a href="https://www.vmware.com/support/developer/vddk/vmdk_50_technote.pdf">Virtual Disk Format
 * 5.0</a> technical note.
 *
 * <p>Vocabulary, as in the spec:
 * <ul>
 *   <li><b>descriptor</b> ({@link io.cairn.vixmntbridge.vmdk.Descriptor}): the text that names a disk's
 *       extents, its content id (CID), its parent and the {@code ddb.*} disk database. It sits at
 *       sector 1 of a monolithic sparse file, or in its own small {@code .vmdk} for flat and split disks.</li>
 *   <li><b>extent</b>: one file (or a zero range) holding a contiguous run of the disk's sectors.
 *       Flat extents are plain images at a sector offset; sparse extents map fixed-size
 *       <b>grains</b> through a <b>grain directory</b> of <b>grain tables</b>: hosted sparse
 *       ({@code KDMV} header), ESX Server sparse ({@code COWD}, ESXi's vmfsSparse
 *       {@code -delta.vmdk}, {@code CowdHeader}) and space-efficient
 *       sparse (ESXi's seSparse {@code -sesparse.vmdk},
 *       {@code SeSparseExtent}).</li>
 *   <li><b>link</b>: a delta disk whose unallocated grains read through to its parent; the chain is
 *       checked by CID so a parent changed after the child was taken is refused, never read.</li>
 * </ul>
 *
 * <p>{@link io.cairn.vixmntbridge.vmdk.VmdkDisks#open} is the only entry point for reading,
 * {@link io.cairn.vixmntbridge.vmdk.VmdkWriter#create} for writing; both share the descriptor
 * ({@code Descriptor.parse}/{@code render}) and header ({@code SparseHeader.read}/{@code encode})
 * code. When reading, damage is always a {@link io.cairn.vixmntbridge.VixException} naming the file,
 * never a wrong byte.
 */
package io.cairn.vixmntbridge.vmdk;
