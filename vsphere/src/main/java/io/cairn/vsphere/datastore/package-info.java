/**
 * The {@code https} transport: datastore files over vSphere's datastore HTTP interface
 * ({@code https://HOST/folder/<path>?dcPath=<datacenter>&dsName=<datastore>}), authenticated with the
 * SOAP session cookie, with no VDDK.
 *
 * <ul>
 *   <li>{@link io.cairn.vsphere.datastore.DatastorePath}: {@code [ds] folder/file} names.</li>
 *   <li>{@link io.cairn.vsphere.datastore.DatastoreClient}: HEAD/ranged GET/whole-file PUT, errors
 *       mapped once (404 → {@code NoSuchFileException}, 401/403 →
 *       {@link io.cairn.vsphere.datastore.DatastoreNotAuthorisedException}).</li>
 *   <li>{@link io.cairn.vsphere.datastore.HttpsDisk} reads a flat VMDK (descriptor + flat extents);
 *       {@link io.cairn.vsphere.datastore.HttpsDiskSource} is it as the backup engine's
 *       {@code DiskSource}.</li>
 *   <li>{@link io.cairn.vsphere.datastore.HttpsDiskUpload} writes a monolithicFlat disk for a restore,
 *       as one sequential PUT of the whole flat file (the interface has no ranged writes).</li>
 * </ul>
 *
 * Sparse disks, snapshot children and non-flat extents are refused
 * ({@link io.cairn.vsphere.datastore.UnsupportedDiskException}): they need a VDDK transport.
 */
package io.cairn.vsphere.datastore;
