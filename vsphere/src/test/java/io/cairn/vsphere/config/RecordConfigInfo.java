package io.cairn.vsphere.config;

import com.vmware.vim25.ManagedObjectReference;
import com.vmware.vim25.VirtualMachineConfigInfo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the {@code config} of vcsim's default VMs into {@code src/test/resources/configinfo/}
 * (see README.txt there). Run from the module directory after {@code mvn -pl vsphere test-compile}:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.cairn.vsphere.config.RecordConfigInfo OUTDIR}.
 */
public final class RecordConfigInfo {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/configinfo");
        Files.createDirectories(out);
        try (VcsimSession vc = VcsimSession.start()) {
            for (var e : vc.byName("VirtualMachine").entrySet()) {
                if (!e.getKey().equals("DC0_H0_VM0")) {
                    continue;
                }
                ManagedObjectReference vm = e.getValue();
                VirtualMachineConfigInfo config = (VirtualMachineConfigInfo) vc.property(vm, "config");
                Path file = out.resolve("vcsim-" + e.getKey() + ".xml");
                Files.write(file, ConfigInfoXml.toXml(config));
                System.out.println("recorded " + file);
            }
        }
    }
}
