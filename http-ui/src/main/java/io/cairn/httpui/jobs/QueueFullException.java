package io.cairn.httpui.jobs;

import java.io.IOException;

/**
 * Thrown when a job cannot be queued because its pool's queue is full: the appliance is busy with
 * as many jobs of that kind as it takes at once. Nothing was started; try again when one finished.
 */
public final class QueueFullException extends IOException {
    private static final long serialVersionUID = 1L;

    QueueFullException(String jobs, int running, int waiting) {
        super("too many " + jobs + " at once (" + running + " running, " + waiting
                + " waiting); try again when one has finished");
    }
}
