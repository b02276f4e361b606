package io.cairn.httpui.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * What a schedule backs up. In {@code schedules.json} and the API a raw disk image is the string
 * {@code "file:/absolute/path"} and vCenter VMs are {@code {"vcenter": ID, "spec": "name:web01",
 * "quiesce": true, "enableCbt": false}}, the spec in the CLI's notation ({@code cairn backup --vm}).
 */
sealed interface Source {

    /** The form stored and answered by the API. */
    JsonNode json();

    /** A raw disk image on the appliance, backed up as {@code cairn backup --vm file:PATH} does. */
    record ImageFile(Path path) implements Source {
        @Override
        public JsonNode json() {
            return JsonNodeFactory.instance.textNode("file:" + path);
        }

        /** The VM name: the file name without its extension, as in the CLI. */
        String vmName() {
            String file = path.getFileName().toString();
            int dot = file.lastIndexOf('.');
            return dot > 0 ? file.substring(0, dot) : file;
        }
    }

    /**
     * The VMs a spec selects on a saved vCenter connection, looked up afresh at each run (a VM added
     * later that matches is backed up too; templates never are).
     */
    record VcenterVms(String vcenter, String spec, boolean quiesce, boolean enableCbt) implements Source {
        @Override
        public JsonNode json() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("vcenter", vcenter);
            o.put("spec", spec);
            o.put("quiesce", quiesce);
            o.put("enableCbt", enableCbt);
            return o;
        }
    }
}
