package io.cairn.operations.source;

import io.cairn.vixmntbridge.vddk.Transport;
import java.util.Arrays;

/**
 * The transports a vCenter source may be read over, by the names the command line, the API and
 * {@code schedules.json} use: {@code https} (datastore files, no VDDK), or {@code nbd},
 * {@code nbdssl}, {@code hotadd} and {@code san} through VMware's VDDK.
 */
public final class Transports {
    /** The names, for messages. */
    public static final String NAMES = "https, nbd, nbdssl, hotadd or san";

    private Transports() {}

    /**
     * The transport called {@code name} ({@link Transport#cliName}).
     *
     * @throws IllegalArgumentException {@code takes https, nbd, nbdssl, hotadd or san, not 'x'}
     */
    public static Transport parse(String name) {
        return Arrays.stream(Transport.values())
                .filter(t -> t.cliName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("takes " + NAMES + ", not '" + name + "'"));
    }
}
