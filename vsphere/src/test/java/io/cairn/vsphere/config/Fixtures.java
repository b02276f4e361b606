package io.cairn.vsphere.config;

import com.vmware.vim25.VirtualMachineConfigInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The ConfigInfo documents in src/test/resources/configinfo (see README.txt there). */
final class Fixtures {
    static final String RECORDED = "vcsim-DC0_H0_VM0.xml";
    static final String TWO_DISKS = "two-disks-nic.xml";
    static final String ENCRYPTED = "encrypted.xml";
    static final String CPUMASK = "cpumask.xml";
    static final String RDM = "rdm.xml";

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/configinfo/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource configinfo/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static VirtualMachineConfigInfo load(String name) {
        try {
            return ConfigInfoXml.fromXml(bytes(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
