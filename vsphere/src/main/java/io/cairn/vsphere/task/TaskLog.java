package io.cairn.vsphere.task;

/**
 * Where a vSphere flow of several steps (a backup snapshot, re-creating a VM) reports what it is
 * doing: the phase it enters and lines for its log. The operations layer passes its job; this
 * module knows no jobs.
 */
public interface TaskLog {

    /** A new phase ("snapshot web01", "create VM web01-new"). */
    void phase(String name);

    /** A line for the log ("removing snapshot 'cairn-backup-…' left by an earlier cairn run"). */
    void log(String line);
}
