package io.cairn.s3;

import io.cairn.repository.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The keys below a prefix, sorted (test helper). */
final class StoreKeys {
    private StoreKeys() {}

    static List<String> of(Store s, String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        s.list(prefix, i -> keys.add(i.key()));
        keys.sort(null);
        return keys;
    }
}
