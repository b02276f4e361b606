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
 * @param networkMap            OLD=NEW network (standard portgroup / network) names
 * @param keepUnmappedNetworks  a network missing from the map keeps its name (same vCenter);
 *                              when false such a NIC is refused
 * @param encryption            what to do with an encrypted VM's keys
 * @param encryptionPolicyId    the storage policy (profile id) that encrypts, for
 *                              {@link Encryption#REENCRYPT_BY_POLICY}
 * @param keepIdentity          copy the BIOS uuid and instance uuid (restoring a VM that is gone,
 *                              in place); false for {@code --as-new}, where the original may
 *                              still exist and a duplicate uuid confuses vCenter and guests
 * @param rdmChooser            picks a free LUN for each RDM; null refuses VMs with RDMs
 * @param portgroupResolver     maps distributed portgroups; null refuses NICs on a distributed switch
 */
public record RecreateOptions(
        String name,
        String datastore,
        Map<Integer, String> diskDatastores,
        Map<String, String> networkMap,
        boolean keepUnmappedNetworks,
        Encryption encryption,
        String encryptionPolicyId,
        boolean keepIdentity,
        RdmChooser rdmChooser,
        PortgroupResolver portgroupResolver) {

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
        if (datastore == null || datastore.isBlank() || datastore.contains("[") || datastore.contains("]")) {
            throw new IllegalArgumentException(
                    "datastore must be a datastore name like LocalDS_0, not '" + datastore + "'");
        }
        diskDatastores = Map.copyOf(diskDatastores == null ? Map.of() : diskDatastores);
        networkMap = Map.copyOf(networkMap == null ? Map.of() : networkMap);
        encryption = Objects.requireNonNullElse(encryption, Encryption.KEEP_KEYS);
    }

    /** New VM {@code name} on {@code datastore}; no network map, keys kept, no RDMs, no DVS. */
    public static RecreateOptions of(String name, String datastore) {
        return new RecreateOptions(
                name, datastore, Map.of(), Map.of(), false, Encryption.KEEP_KEYS, null, false, null, null);
    }

    public RecreateOptions withDiskDatastores(Map<Integer, String> byStoredKey) {
        return new RecreateOptions(
                name,
                datastore,
                byStoredKey,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                portgroupResolver);
    }

    public RecreateOptions withNetworkMap(Map<String, String> oldToNew, boolean keepUnmapped) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                oldToNew,
                keepUnmapped,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                portgroupResolver);
    }

    public RecreateOptions withEncryption(Encryption mode, String policyId) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                networkMap,
                keepUnmappedNetworks,
                mode,
                policyId,
                keepIdentity,
                rdmChooser,
                portgroupResolver);
    }

    public RecreateOptions withKeepIdentity(boolean keep) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keep,
                rdmChooser,
                portgroupResolver);
    }

    public RecreateOptions withRdmChooser(RdmChooser chooser) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                chooser,
                portgroupResolver);
    }

    public RecreateOptions withPortgroupResolver(PortgroupResolver resolver) {
        return new RecreateOptions(
                name,
                datastore,
                diskDatastores,
                networkMap,
                keepUnmappedNetworks,
                encryption,
                encryptionPolicyId,
                keepIdentity,
                rdmChooser,
                resolver);
    }

    /** The datastore for the stored disk {@code storedKey}. */
    String datastoreFor(int storedKey) {
        return diskDatastores.getOrDefault(storedKey, datastore);
    }
}
