package io.cairn.vsphere.restore;

import com.vmware.vim25.ArrayOfCryptoManagerKmipClusterStatus;
import com.vmware.vim25.CryptoKeyId;
import com.vmware.vim25.CryptoManagerKmipClusterStatus;
import com.vmware.vim25.KmipClusterInfo;
import com.vmware.vim25.ManagedEntityStatus;
import com.vmware.vim25.ManagedObjectReference;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.task.TaskLog;
import io.cairn.vsphere.task.Tasks;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the key provider of an encrypted VM's key is usable from a target vCenter, asked before
 * the VM is re-created with its own keys: vCenter fetches the key by id from that provider (a KMIP
 * cluster) when the VM is created and every time it powers on, so without the provider the restored
 * VM would not open. Through {@code CryptoManagerKmip}: {@code ListKmipServers} says which providers
 * the target knows, {@code RetrieveKmipServersStatus_Task} whether vCenter reaches the one asked for
 * (its {@code overallStatus}: green or yellow is reachable, red or gray is not).
 */
final class KeyProviders {
    private KeyProviders() {}

    /**
     * @throws VsphereException in one line, naming the key and provider, when the target has no key
     *     management, does not know the provider, or cannot reach it
     */
    static void checkReachable(VsphereConnection c, CryptoKeyId key, String vm, TaskLog log) throws VsphereException {
        String provider =
                key.getProviderId() == null ? null : key.getProviderId().getId();
        String what = vm + " is encrypted with key " + key.getKeyId() + " of key provider " + provider;
        ManagedObjectReference cm = c.serviceContent().getCryptoManager();
        if (cm == null) {
            throw new VsphereException(what + ", and the target has no key management (no CryptoManager):"
                    + " it cannot be re-created there with its keys (nothing was created)");
        }
        List<KmipClusterInfo> clusters;
        try {
            clusters = c.port().listKmipServers(cm, null);
        } catch (Exception e) {
            if (Faults.isMethodNotFound(e)) {
                throw new VsphereException(what + ", and the target manages no key providers (it is not a vCenter"
                        + " with KMIP): it cannot be re-created there with its keys (nothing was created)");
            }
            throw Faults.translate("ListKmipServers", cm, e);
        }
        KmipClusterInfo cluster = null;
        List<String> known = new ArrayList<>();
        for (KmipClusterInfo k : clusters) {
            String id = k.getClusterId() == null ? null : k.getClusterId().getId();
            known.add(id);
            if (id != null && id.equals(provider)) {
                cluster = k;
            }
        }
        if (cluster == null) {
            throw new VsphereException(what + ", which the target does not know (its key providers: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)) + "): add it to the target, or give"
                    + " --reencrypt-policy (nothing was created)");
        }
        Object status;
        try {
            status = Tasks.await(c, c.port().retrieveKmipServersStatusTask(cm, List.of(cluster)), null);
        } catch (VsphereException e) {
            throw e;
        } catch (Exception e) {
            throw Faults.translate("RetrieveKmipServersStatus_Task", cm, e);
        }
        if (status instanceof ArrayOfCryptoManagerKmipClusterStatus arr) {
            for (CryptoManagerKmipClusterStatus s : arr.getCryptoManagerKmipClusterStatus()) {
                ManagedEntityStatus overall = s.getOverallStatus();
                if (overall == ManagedEntityStatus.RED || overall == ManagedEntityStatus.GRAY) {
                    throw new VsphereException(what + ", which the target cannot reach now (status "
                            + overall.value() + "): it cannot be re-created there with its keys (nothing was"
                            + " created)");
                }
            }
        }
        log.log("key provider " + provider + " of " + vm + "'s key " + key.getKeyId()
                + " is reachable from the target");
    }
}
