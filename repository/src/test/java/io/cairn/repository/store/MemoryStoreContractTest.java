package io.cairn.repository.store;

import org.junit.jupiter.api.DisplayName;

@DisplayName("MemoryStore keeps the store contract")
class MemoryStoreContractTest extends StoreContractTest {
    @Override
    protected Store newStore() {
        return new MemoryStore();
    }
}
