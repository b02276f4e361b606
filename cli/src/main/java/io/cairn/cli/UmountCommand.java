package io.cairn.cli;

import io.cairn.mount.fuse.FuseMount;
import io.cairn.mount.fuse.MountTable;
import io.cairn.mount.guest.GuestVolumeManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "umount", description = "Unmount a cairn mount: its guest volumes first, then the mount itself.")
final class UmountCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Override
    public Integer call() throws Exception {
        Path mp = mountPoint.toAbsolutePath().normalize();
        MountTable.Entry top = MountTable.at(mp);
        if (top == null || !FuseMount.FS_TYPE.equals(top.fsType())) {
            throw new IOException(
                    "no cairn mount on " + mp + (top == null ? "" : " (" + top.fsType() + " is mounted there)"));
        }
        List<MountTable.Entry> all = MountTable.atOrBelow(mp);
        for (MountTable.Entry e : all) {
            GuestVolumeManager.unmount(e.mountPoint(), m -> System.err.println(m));
        }
        MountTable.Entry left = MountTable.at(mp);
        if (left != null && FuseMount.FS_TYPE.equals(left.fsType())) {
            throw new IOException("could not unmount " + mp);
        }
        System.out.println("unmounted " + mp + (all.size() > 1 ? " and " + (all.size() - 1) + " guest volume(s)" : ""));
        return Main.OK;
    }
}
