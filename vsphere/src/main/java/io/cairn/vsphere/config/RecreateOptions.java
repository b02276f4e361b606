package io.cairn.vsphere.config;

import java.util.Map;
import java.util.Objects;

/**
 * How a lost VM is re-created from its stored ConfigInfo. Immutable; start with {@link #of} and
 * change with the {@code with...} methods.
 *
 * @param name                  the new VM's name
 * @param datastore             the datastore name (e.g. {@code LocalDS_0}) for the VM's files and disks
 * @param diskDatastores        per-disk datastore by stored device key, overriding {@code datastore}
 *                              ({@link DiskNames#byKey} turns {@code scsi0:1=DS} into keys)
 * @param diskFormat            how every disk is provisioned; null keeps each disk's own format
 * @param diskFormats           per-disk format by stored device key, overriding {@code diskFormat}
 * @param networkMap            OLD=NEW network names; either side a standard network or a
 *                              distributed portgroup (by name; the old side also by portgroup key)
 * @param keepUnmappedNetworks  a network missing from the map keeps its name (same vCenter);
 *                              when false such a NIC is refused
 * @param encryption            what to do with an encrypted VM's keys
 * @param encryptionPolicyId    the storage policy (profile id) that encrypts, for
 *                              {@link Encryption#REENCRYPT_BY_POLICY}
 * @param keepIdentity          copy the BIOS uuid and instance uuid (restoring a VM that is gone,
 *                              in place); false for {@code --as-new}, where the original may
 *                              still exist and a duplicate uuid confuses vCenter and guests
 * @param rdmChooser            picks a free LUN for each RDM; null refuses VMs with RDMs
 * @param networks              the target datacenter's networks; null when not read, which keeps
 *                              the map's names as standard networks and refuses NICs on a
 *                              distributed switch (their portgroup key and switch uuid can only
 *                              come from the target)
 * @param portgroupNames        the names of the source's distributed portgroups by key, as
 *                              recorded at backup ({@link ConfigSummary#portgroupNames}): how a
 *                              NIC on a distributed portgroup is mapped by name to another vCenter
 */
public record RecreateOptions(
        String name,
        String datastore,
        Map<Integer, String> diskDatastores,
        DiskFormat diskFormat,
        Map<Integer, DiskFormat> diskFormats,
        Map<String, String> networkMap,
        boolean keepUnmappedNetworks,
        Encryption encryption,
        String encryptionPolicyId,
        boolean keepIdentity,
        RdmChooser rdmChooser,
        TargetNetworks networks,
        Map<String, String> portgroupNames) {

    /** An encrypted VM's keys on re-creation. */
    public enum Encryption {
        /**
         * The new VM (home and disks) is encrypted with the stored {@code keyId}s and gets the stored
         * {@code encryption.bundle}: the stored (encrypted) NVRAM stays readable. The key must still
         * exist on the key provider.
         */
        KEEP_KEYS,
        /**
         * Stored keys are dropped; the storage policy {@code encryptionPolicyId} (when given)
         * encrypts the new VM with new keys. The stored NVRAM was encrypted with the old key and is
         * lost (warned).
         */
        REENCRYPT_BY_POLICY
    }

    public RecreateOptions {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("the new VM needs a name");
        }
        datastoreName(datastore);
        diskDatastores = Map.copyOf(diskDatastores == null ? Map.of() : diskDatastores);
        diskDatastores.values().forEach(RecreateOptions::datastoreName);
        diskFormats = Map.copyOf(diskFormats == null ? Map.of() : diskFormats);
        networkMap = Map.copyOf(networkMap == null ? Map.of() : networkMap);
        portgroupNames = Map.copyOf(portgroupNames == null ? Map.of() : portgroupNames);
        encryption = Objects.requireNonNullElse(encryption, Encryption.KEEP_KEYS);
    }

    private static void datastoreName(String ds) {
        if (ds == null || ds.isBlank() || ds.contains("[") || ds.contains("]")) {
            throw new IllegalArgumentException("datastore must be a datastore name like LocalDS_0, not '" + ds + "'");
        }
    }

    /** New VM {@code name} on {@code datastore}; disks as they were, no network map, keys kept, no RDMs, no DVS. */
    public static RecreateOptions of(String name, String datastore) {
        return new RecreateOptions(
                name,
                datastore,
                Map.of(),
                null,
                Map.of(),
                Map.of(),
                false,
                Encryption.KEEP_KEYS,
                null,
                false,
                null,
                null,
                Map.of());
    }

    /** Disks on other datastores than the VM's: {@code byStoredKey} device key → datastore name. */
    public RecreateOptions withDiskDatastores(Map<Integer, String> byStoredKey) {
        return new RecreateOptions(
                name,
                datastore,
                byStoredKey,
                diskFormat,
                diskFormats,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                networks,
                portgroupNames);
    }

    /** Every disk provisioned as {@code format} (null: as the source), {@code byStoredKey} overriding per disk. */
    public RecreateOptions withDiskFormat(DiskFormat format, Map<Integer, DiskFormat> byStoredKey) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                format,
                byStoredKey,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                networks,
                portgroupNames);
    }

    public RecreateOptions withNetworkMap(Map<String, String> oldToNew, boolean keepUnmapped) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                diskFormat,
                diskFormats,
                oldToNew,
                keepUnmapped,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                networks,
                portgroupNames);
    }

    public RecreateOptions withEncryption(Encryption mode, String policyId) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                diskFormat,
                diskFormats,
                networkMap,
                keepUnmappedNetworks,
                mode,
                policyId,
                keepIdentity,
                rdmChooser,
                networks,
                portgroupNames);
    }

    public RecreateOptions withKeepIdentity(boolean keep) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                diskFormat,
                diskFormats,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keep,
                rdmChooser,
                networks,
                portgroupNames);
    }

    public RecreateOptions withRdmChooser(RdmChooser chooser) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                diskFormat,
                diskFormats,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                chooser,
                networks,
                portgroupNames);
    }

    /**
     * The target's networks ({@code io.cairn.vsphere.inventory.Networks#of}) and the source's
     * portgroup names recorded at backup (may be empty: then a distributed portgroup's name is
     * looked up in {@code target} by switch uuid and key, which works on the vCenter it came from).
     */
    public RecreateOptions withNetworks(TargetNetworks target, Map<String, String> sourcePortgroupNames) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                diskFormat,
                diskFormats,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                target,
                sourcePortgroupNames);
    }

    /** The datastore for the stored disk {@code storedKey}. */
    String datastoreFor(int storedKey) {
        return diskDatastores.getOrDefault(storedKey, datastore);
    }

    /** The format asked for the stored disk {@code storedKey}; null keeps the source's. */
    DiskFormat formatFor(int storedKey) {
        return diskFormats.getOrDefault(storedKey, diskFormat);
    }
}
