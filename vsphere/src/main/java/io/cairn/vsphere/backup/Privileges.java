package io.cairn.vsphere.backup;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.UserSession;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.Props;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import io.cairn.vsphere.task.TaskLog;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The privileges a backup or a restore needs, checked with {@code
 * AuthorizationManager.HasPrivilegeOnEntity} for the session's user before anything on vSphere
 * changes, so that a user who lacks one is told which (all of them, on which objects) instead of
 * finding out half-way, with a snapshot taken or a VM created and not written. The restore lists
 * follow VMware's documented privileges for creating a VM ("Required Privileges for Common Tasks":
 * Create a virtual machine).
 */
public final class Privileges {
    /** On the VM folder the new VM goes into (the new VM's own privileges propagate from it). */
    public static final List<String> CREATE_IN_FOLDER = List.of(
            "VirtualMachine.Inventory.Create",
            "VirtualMachine.Config.AddNewDisk",
            "VirtualMachine.Config.AdvancedConfig");

    /** On the resource pool. */
    public static final List<String> CREATE_IN_POOL = List.of("Resource.AssignVMToPool");

    /** On each datastore the VM's files and disks go to (the https transport uploads them). */
    public static final List<String> ON_DATASTORE =
            List.of("Datastore.AllocateSpace", "Datastore.Browse", "Datastore.FileManagement");

    /** What the privileges are needed for and on what. */
    public record Need(ManagedObjectReference entity, String what, List<String> privileges) {}

    private Privileges() {}

    /**
     * Refuses, naming every missing privilege and where, when the user lacks any of {@code needs}. A
     * server without an authorization manager or HasPrivilegeOnEntity is logged and let through.
     *
     * @param action what the privileges are for ({@code re-create web01}, {@code back up web01})
     */
    public static void check(VsphereConnection c, List<Need> needs, String action, TaskLog log)
            throws VsphereException {
        ManagedObjectReference auth = c.serviceContent().getAuthorizationManager();
        UserSession session = (UserSession) Props.one(c, c.serviceContent().getSessionManager(), "currentSession");
        if (auth == null || session == null) {
            log.log("privileges not checked: the server has no authorization manager");
            return;
        }
        List<String> missing = new ArrayList<>();
        for (Need n : needs) {
            List<String> privs = List.copyOf(new LinkedHashSet<>(n.privileges()));
            List<Boolean> has;
            try {
                has = c.port().hasPrivilegeOnEntity(auth, n.entity(), session.getKey(), privs);
                if (has.size() != privs.size()) {
                    // which answer belongs to which privilege is unknown (vcsim once dropped the
                    // false ones): ask one at a time
                    has = new ArrayList<>();
                    for (String p : privs) {
                        List<Boolean> one =
                                c.port().hasPrivilegeOnEntity(auth, n.entity(), session.getKey(), List.of(p));
                        has.add(one.size() == 1 && Boolean.TRUE.equals(one.get(0)));
                    }
                }
            } catch (Exception e) {
                if (Faults.isMethodNotFound(e)) {
                    log.log("privileges not checked: the server does not implement HasPrivilegeOnEntity");
                    return;
                }
                throw Faults.translate("HasPrivilegeOnEntity", n.entity(), e);
            }
            List<String> lacking = new ArrayList<>();
            for (int i = 0; i < privs.size(); i++) {
                if (i >= has.size() || !Boolean.TRUE.equals(has.get(i))) {
                    lacking.add(privs.get(i));
                }
            }
            if (!lacking.isEmpty()) {
                missing.add(String.join(", ", lacking) + " on " + n.what());
            }
        }
        if (!missing.isEmpty()) {
            throw new VsphereException("user " + session.getUserName() + " lacks privileges to " + action + ": "
                    + String.join("; ", missing) + " (nothing was changed)");
        }
    }
}
