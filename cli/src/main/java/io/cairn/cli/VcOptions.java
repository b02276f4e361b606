package io.cairn.cli;

import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.Credentials;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.connect.VsphereException;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of every command that talks to vCenter or ESXi. Passwords never come from the command line. */
final class VcOptions {
    @Option(names = "--vc", paramLabel = "URL", description = "vCenter or ESXi: https://HOST[:PORT][/sdk].")
    String vc;

    @Option(names = "--vc-user", paramLabel = "USER", description = "vSphere user (else CAIRN_VC_USER).")
    String user;

    @Option(
            names = "--vc-password-file",
            paramLabel = "FILE",
            description = "File whose first line is the vSphere password (else CAIRN_VC_PASSWORD, else a prompt).")
    Path passwordFile;

    @Option(
            names = "--thumbprint",
            paramLabel = "HEX",
            description = "The server certificate's SHA-1 or SHA-256 thumbprint (colons optional).")
    String thumbprint;

    @Option(names = "--insecure", description = "Accept any server certificate (not verified!).")
    boolean insecure;

    /** The credentials {@link #connect} used: the VDDK transports log in with them again for each disk. */
    Credentials credentials;

    VsphereConnection connect() throws VsphereException {
        if (vc == null || vc.isBlank()) {
            throw new IllegalArgumentException("Missing required option: '--vc=URL'");
        }
        if (thumbprint != null && insecure) {
            throw new IllegalArgumentException("give either --thumbprint or --insecure, not both");
        }
        URI url;
        try {
            url = URI.create(vc.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--vc '" + vc + "' is not a URL: " + e.getMessage());
        }
        Credentials cr = Credentials.resolve(user, passwordFile, System.getenv(), System.console());
        credentials = cr;
        if (insecure) {
            System.err.println("warning: --insecure: the certificate of " + vc + " is not verified");
        }
        return VsphereConnection.connect(new ConnectOptions(url, cr.user(), cr.password(), thumbprint, insecure));
    }
}
