package io.cairn.repository.store;

import org.junit.jupiter.api.DisplayName;

/** Without faults the wrapper is a faithful store; with faults cleared again, too. */
@DisplayName("FaultyStore without faults keeps the store contract")
class FaultyStoreContractTest extends StoreContractTest {
    @Override
    protected Store newStore() throws java.io.IOException {
        FaultyStore s = new FaultyStore(new MemoryStore());
        // A fault that fired and was cleared must leave nothing behind.
        s.writes(".*").times(1).fail();
        s.diskFullAfter(0);
        s.clear();
        return s;
    }
}
