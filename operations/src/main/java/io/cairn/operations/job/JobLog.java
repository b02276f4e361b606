package io.cairn.operations.job;

import io.cairn.vsphere.task.TaskLog;

/** A job as the vSphere flows' {@link TaskLog}: their phases become the job's (no byte count), their lines its log. */
public final class JobLog implements TaskLog {
    private final Job job;

    public JobLog(Job job) {
        this.job = job;
    }

    @Override
    public void phase(String name) {
        job.phase(name, 0);
    }

    @Override
    public void log(String line) {
        job.log(line);
    }
}
