package io.cairn.cli;

import io.cairn.vsphere.connect.ConnectOptions;
import io.cairn.vsphere.connect.VsphereConnection;
import io.cairn.vsphere.datastore.DatastoreClient;
import io.cairn.vsphere.testing.Vcsim;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A vcsim for one test class, as the cairn jar and the test itself talk to it: the simulator
 * (any user and password), a connection pinned by its thumbprint for setting up and checking
 * (creating VMs, reading their disks), and a file client of datacenter DC0's datastores.
 */
final class Simulator implements AutoCloseable {
    /** The credentials the cairn jar logs in with (vcsim takes any). */
    static final Map<String, String> ENV = Map.of("CAIRN_VC_USER", "user", "CAIRN_VC_PASSWORD", "pass");

    final Vcsim vcsim;
    final VsphereConnection vc;
    final DatastoreClient ds;

    private Simulator(Vcsim vcsim, VsphereConnection vc) {
        this.vcsim = vcsim;
        this.vc = vc;
        this.ds = new DatastoreClient(
                vc.serverBase(), vc.sslSocketFactory(), vc.hostnameVerifier(), vc::sessionCookie, "DC0");
    }

    /** Starts vcsim ({@code vcsimArgs} go to it) and connects; fails the test when it cannot. */
    static Simulator start(String... vcsimArgs) throws Exception {
        Vcsim sim = Vcsim.start(vcsimArgs);
        try {
            return new Simulator(
                    sim,
                    VsphereConnection.connect(new ConnectOptions(
                            URI.create(sim.url()), "user", "pass".toCharArray(), Vcsim.SHA1, false)));
        } catch (Exception | Error e) {
            sim.close();
            throw e;
        }
    }

    /** {@code args} followed by {@code --vc URL --thumbprint SHA1}: a cairn command line against this vcsim. */
    String[] cairnArgs(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--vc", vcsim.url(), "--thumbprint", Vcsim.SHA1));
        return a.toArray(String[]::new);
    }

    @Override
    public void close() throws Exception {
        try {
            vc.close();
        } finally {
            vcsim.close();
        }
    }
}
