package io.cairn.vsphere.task;

import com.vmware.vim25.DynamicProperty;
import com.vmware.vim25.LocalizedMethodFault;
import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.ObjectContent;
import com.vmware.vim25.ObjectSpec;
import com.vmware.vim25.ObjectUpdate;
import com.vmware.vim25.PropertyChange;
import com.vmware.vim25.PropertyFilterSpec;
import com.vmware.vim25.PropertyFilterUpdate;
import com.vmware.vim25.PropertySpec;
import com.vmware.vim25.RetrieveOptions;
import com.vmware.vim25.RetrieveResult;
import com.vmware.vim25.TaskInfo;
import com.vmware.vim25.TaskInfoState;
import com.vmware.vim25.UpdateSet;
import com.vmware.vim25.VimPortType;
import com.vmware.vim25.WaitOptions;
import io.cairn.vsphere.connect.Faults;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Waiting for vSphere Tasks ({@code *_Task} methods return a Task moRef at once; the work goes on
 * in the server).
 *
 * <p>A waiter creates a PropertyCollector filter on the task's {@code info.state},
 * {@code info.progress}, {@code info.error} and {@code info.result} and calls WaitForUpdatesEx
 * (at most {@value #MAX_WAIT_SECONDS} s per call) until the state is success or error; the filter
 * is destroyed in {@code finally}. The session's PropertyCollector has one update stream: two
 * WaitForUpdatesEx calls at once on it would take each other's updates. So only one thread per
 * connection waits that way; a thread that finds it busy, and every thread on a server without
 * WaitForUpdatesEx, polls {@code info} with RetrievePropertiesEx every {@value #POLL_MILLIS} ms
 * instead (which does not touch the update stream).
 */
public final class Tasks {
    static final int MAX_WAIT_SECONDS = 10;
    static final long POLL_MILLIS = 500;

    private static final Map<VsphereConnection, ReentrantLock> WAITERS = new WeakHashMap<>();
    private static final Map<VsphereConnection, Boolean> NO_WAIT_FOR_UPDATES = new WeakHashMap<>();

    private Tasks() {}

    /**
     * Waits until {@code task} has finished.
     *
     * @param progressPercent told each progress value (0-100) the server reports; may be null
     * @return {@code info.result} (a moRef for CreateSnapshot_Task or CreateVM_Task, null for most others)
     * @throws VsphereException when the task ends in error (the fault's type and localized message),
     *     or when waiting fails
     */
    public static Object await(VsphereConnection c, ManagedObjectReference task, Consumer<Integer> progressPercent)
            throws VsphereException {
        Consumer<Integer> progress = progressPercent == null ? p -> {} : progressPercent;
        ReentrantLock lock;
        boolean canWait;
        synchronized (WAITERS) {
            lock = WAITERS.computeIfAbsent(c, k -> new ReentrantLock());
            canWait = !NO_WAIT_FOR_UPDATES.containsKey(c);
        }
        if (canWait && lock.tryLock()) {
            try {
                return waitForUpdates(c, task, progress);
            } catch (WaitForUpdatesUnsupported e) {
                synchronized (WAITERS) {
                    NO_WAIT_FOR_UPDATES.put(c, Boolean.TRUE);
                }
            } finally {
                lock.unlock();
            }
        }
        return poll(c, task, progress);
    }

    /** What the waiter has seen of a task so far. */
    static final class State {
        TaskInfoState state;
        Integer progress;
        LocalizedMethodFault error;
        Object result;
        String descriptionId;
        String entityName;

        /** Applies one property value (a path of the filter, or {@code info} as a whole). */
        void apply(String name, Object val) {
            switch (name) {
                case "info.state" -> state = (TaskInfoState) val;
                case "info.progress" -> progress = (Integer) val;
                case "info.error" -> error = (LocalizedMethodFault) val;
                case "info.result" -> result = val;
                case "info.descriptionId" -> descriptionId = (String) val;
                case "info.entityName" -> entityName = (String) val;
                case "info" -> {
                    TaskInfo i = (TaskInfo) val;
                    state = i.getState();
                    progress = i.getProgress();
                    error = i.getError();
                    result = i.getResult();
                    descriptionId = i.getDescriptionId();
                    entityName = i.getEntityName();
                }
                default -> {}
            }
        }

        boolean done() {
            return state == TaskInfoState.SUCCESS || state == TaskInfoState.ERROR;
        }

        Object outcome(ManagedObjectReference task) throws VsphereException {
            if (state == TaskInfoState.ERROR) {
                // e.g. "VirtualMachine.powerOn on DC0_H0_VM0 (Task:task-12) failed: InvalidPowerState: ..."
                String what = descriptionId == null ? "task" : descriptionId;
                String on =
                        entityName == null ? Faults.describe(task) : entityName + " (" + Faults.describe(task) + ")";
                throw Faults.taskFailed(what, on, error);
            }
            return result;
        }
    }

    private static final class WaitForUpdatesUnsupported extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private static Object waitForUpdates(VsphereConnection c, ManagedObjectReference task, Consumer<Integer> progress)
            throws VsphereException, WaitForUpdatesUnsupported {
        VimPortType port = c.port();
        ManagedObjectReference pc = c.serviceContent().getPropertyCollector();
        ManagedObjectReference filter;
        try {
            filter = port.createFilter(
                    pc,
                    spec(
                            task,
                            List.of(
                                    "info.state",
                                    "info.progress",
                                    "info.error",
                                    "info.result",
                                    "info.descriptionId",
                                    "info.entityName")),
                    true);
        } catch (Exception e) {
            if (Faults.isMethodNotFound(e)) {
                throw new WaitForUpdatesUnsupported();
            }
            throw Faults.translate("CreateFilter", task, e);
        }
        try {
            WaitOptions options = new WaitOptions();
            options.setMaxWaitSeconds(MAX_WAIT_SECONDS);
            State s = new State();
            String version = "";
            Integer reported = null;
            while (true) {
                UpdateSet updates;
                try {
                    updates = port.waitForUpdatesEx(pc, version, options);
                } catch (Exception e) {
                    if (Faults.isMethodNotFound(e)) {
                        throw new WaitForUpdatesUnsupported();
                    }
                    throw Faults.translate("WaitForUpdatesEx", task, e);
                }
                if (updates == null) {
                    continue; // maxWaitSeconds passed without a change
                }
                version = updates.getVersion();
                for (PropertyFilterUpdate fu : updates.getFilterSet()) {
                    if (!filter.getValue().equals(fu.getFilter().getValue())) {
                        continue;
                    }
                    for (ObjectUpdate ou : fu.getObjectSet()) {
                        for (PropertyChange pch : ou.getChangeSet()) {
                            s.apply(pch.getName(), pch.getVal());
                        }
                    }
                }
                if (s.progress != null && !s.progress.equals(reported)) {
                    reported = s.progress;
                    progress.accept(reported);
                }
                if (s.done()) {
                    return s.outcome(task);
                }
            }
        } finally {
            try {
                port.destroyPropertyFilter(filter);
            } catch (Exception e) {
                // the filter dies with the session anyway
            }
        }
    }

    private static Object poll(VsphereConnection c, ManagedObjectReference task, Consumer<Integer> progress)
            throws VsphereException {
        VimPortType port = c.port();
        ManagedObjectReference pc = c.serviceContent().getPropertyCollector();
        PropertyFilterSpec spec = spec(task, List.of("info"));
        Integer reported = null;
        while (true) {
            State s = new State();
            try {
                RetrieveResult r = port.retrievePropertiesEx(pc, List.of(spec), new RetrieveOptions());
                if (r != null) {
                    for (ObjectContent oc : r.getObjects()) {
                        for (DynamicProperty dp : oc.getPropSet()) {
                            s.apply(dp.getName(), dp.getVal());
                        }
                    }
                }
            } catch (Exception e) {
                throw Faults.translate("RetrievePropertiesEx", task, e);
            }
            if (s.state == null) {
                throw new VsphereException(
                        "waiting for " + Faults.describe(task) + " failed: the server does not know the task");
            }
            if (s.progress != null && !s.progress.equals(reported)) {
                reported = s.progress;
                progress.accept(reported);
            }
            if (s.done()) {
                return s.outcome(task);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VsphereException("waiting for " + Faults.describe(task) + " was interrupted");
            }
        }
    }

    private static PropertyFilterSpec spec(ManagedObjectReference task, List<String> paths) {
        ObjectSpec os = new ObjectSpec();
        os.setObj(task);
        os.setSkip(false);
        PropertySpec ps = new PropertySpec();
        ps.setType("Task");
        ps.getPathSet().addAll(paths);
        PropertyFilterSpec spec = new PropertyFilterSpec();
        spec.getObjectSet().add(os);
        spec.getPropSet().add(ps);
        return spec;
    }
}
