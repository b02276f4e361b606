// Makes a repository with VMS VMs x BACKUPS backups in one JVM (bench/ui's API-latency step):
//   java -cp cli/target/cairn.jar bench/ui.d/GenRepo.java REPO VMS BACKUPS
// Each backup: one 1 MiB raw disk, zeros except a few bytes naming the VM and the backup, plus a
// small .vmx. Prints "vmNNN BACKUP-ID" per backup (the newest last) on stdout.
import io.cairn.repository.Repository;
import io.cairn.repository.backup.BackupRequest;
import io.cairn.repository.backup.BackupWriter;
import io.cairn.repository.backup.DiskSource;
import io.cairn.repository.backup.Progress;
import io.cairn.repository.format.FormatConstants;
import io.cairn.repository.manifest.Manifest;
import io.cairn.repository.store.LocalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

public class GenRepo {
    record Disk(String name, byte[] data) implements DiskSource {
        public long capacity() { return data.length; }
        public void read(long offset, byte[] buf, int off, int len) { System.arraycopy(data, (int) offset, buf, off, len); }
        public void close() {}
    }

    public static void main(String[] a) throws Exception {
        Path root = Path.of(a[0]);
        int vms = Integer.parseInt(a[1]), backups = Integer.parseInt(a[2]);
        Files.createDirectories(root);
        Repository repo = Repository.init(new LocalStore(root), 1 << 20, 1, null);
        BackupWriter w = new BackupWriter(repo, 2, Progress.NONE, Duration.ZERO);
        StringBuilder out = new StringBuilder();
        long t0 = System.nanoTime();
        for (int b = 0; b < backups; b++) {
            for (int v = 0; v < vms; v++) {
                String vm = String.format("vm%03d", v);
                byte[] d = new byte[1 << 20];
                byte[] tag = (vm + " backup " + b + "\n").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(tag, 0, d, 0, tag.length);
                System.arraycopy(tag, 0, d, 4096 * (1 + (v * 31 + b) % 200), tag.length);
                BackupRequest req = new BackupRequest(new Manifest.VmIdentity("bench-" + vm, vm, null, null),
                        "bench:" + vm, Map.of("bench", "ui", "n", Integer.toString(b)), null, null,
                        List.of(BackupRequest.DiskInput.full(new Disk(vm + ".img", d))),
                        List.of(new BackupRequest.FileInput(FormatConstants.FILE_ROLE_VMX, vm + ".vmx",
                                ("displayName = \"" + vm + "\"\n").getBytes(StandardCharsets.UTF_8))),
                        null);
                BackupWriter.Result r = w.write(req);
                out.append(vm).append(' ').append(r.ref().id()).append('\n');
            }
        }
        System.out.print(out);
        System.err.printf("%d backups in %.1f s%n", vms * backups, (System.nanoTime() - t0) / 1e9);
    }
}
