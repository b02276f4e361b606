package io.cairn.httpui.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cairn.operations.roots.SourceRoots;
import io.cairn.operations.source.FileVm;
import io.cairn.operations.source.VmxFile;
import io.cairn.vixmntbridge.vddk.Transport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a schedule backs up: every source {@code cairn backup --vm} takes. In {@code schedules.json}
 * and the API a file is the string {@code "file:/absolute/path"} and vCenter VMs are {@code
 * {"vcenter": ID, "spec": "name:web01", "quiesce": true, "enableCbt": false, "transport": "https"}},
 * the spec in the CLI's notation.
 */
public sealed interface Source {

    /** The form stored and answered by the API. */
    JsonNode json();

    /**
     * A VM as a file on the appliance, backed up as {@code cairn backup --vm file:PATH} does: a raw
     * disk image, a VMDK of any subformat, or a {@code .vmx} with all its disks ({@link FileVm}).
     */
    record File(Path path) implements Source {
        @Override
        public JsonNode json() {
            return JsonNodeFactory.instance.textNode("file:" + path);
        }

        /**
         * The VM name, as in the CLI: a {@code .vmx}'s {@code displayName} (read only when {@code roots}
         * allow it), else the file name without its extension (also for a {@code .vmx} that cannot be
         * read now: its run says why).
         */
        String vmName(SourceRoots roots) {
            try {
                return FileVm.defaultName(path, roots);
            } catch (IOException e) {
                return VmxFile.stem(path.getFileName().toString());
            }
        }
    }

    /**
     * The VMs a spec selects on a saved vCenter connection, looked up afresh at each run (a VM added
     * later that matches is backed up too; templates never are), their disks read over {@code
     * transport}.
     */
    record VcenterVms(String vcenter, String spec, boolean quiesce, boolean enableCbt, Transport transport)
            implements Source {
        public VcenterVms {
            transport = transport == null ? Transport.HTTPS : transport;
        }

        @Override
        public JsonNode json() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("vcenter", vcenter);
            o.put("spec", spec);
            o.put("quiesce", quiesce);
            o.put("enableCbt", enableCbt);
            o.put("transport", transport.cliName());
            return o;
        }
    }
}
