package io.cairn.repository.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.repository.Repository;
import io.cairn.repository.TestRepos;
import java.io.IOException;
import java.nio.file.Path;

/** Asserts that a committed backup is listed and restores to exactly the expected bytes. */
final class BackupWriterResultCheck {
    private BackupWriterResultCheck() {}

    static void check(Repository repo, BackupWriter.Result res, byte[] expected, Path tmp) throws IOException {
        Repository.Listed listed = repo.resolve(res.ref().id());
        assertEquals(res.manifest().id(), listed.manifest().id());
        assertArrayEquals(expected, TestRepos.restoreDisk(repo, listed, tmp));
    }
}
