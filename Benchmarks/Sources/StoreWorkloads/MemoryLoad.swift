import Store

/// The `Store.Memory` workload: an embedded store loaded with `keys` distinct keys of 128-byte
/// values through ordinary puts (64 concurrent writers, each key written once, in a scrambled
/// order), then its resident memory read from the kernel.
public enum MemoryLoad {
    public static let keyPrefix = "/bench/memory/"

    public struct Outcome: Sendable {
        public var keys: Int
        /// Key plus value bytes of one key.
        public var rawBytesPerKey: Int
        /// Process resident bytes before the store was opened (after returning freed heap memory).
        public var residentBefore: Int
        /// Process resident bytes with the store open and loaded.
        public var residentAfter: Int
        public var failures: Int

        /// Resident bytes the loaded store added, per key.
        public var residentBytesPerKey: Int { (residentAfter - residentBefore) / max(1, keys) }
        /// The whole process's resident bytes per key.
        public var processResidentBytesPerKey: Int { residentAfter / max(1, keys) }
    }

    /// Opens an embedded store in `directory`, loads it, measures, and calls `loaded` (with the
    /// store still open) before closing it.
    public static func run(
        directory: String,
        keys: Int = 1_000_000,
        valueBytes: Int = 128,
        writers: Int = 64,
        options: KeyValueStore.Options = KeyValueStore.Options(),
        done: Tally? = nil,
        loaded: (KeyValueStore) -> Void = { _ in }
    ) async throws -> Outcome {
        trimHeap()
        let before = residentBytes()
        let store = try await KeyValueStore.open(directory: directory, options: options)
        let prefix = keyPrefix
        let outcome = await PutLoad.run(
            store, key: { StoreData.key(($0 &* 1_000_003) % keys, prefix: prefix) }, total: keys, writers: writers, valueBytes: valueBytes,
            recordLatencies: false, done: done
        )
        let after = residentBytes()
        loaded(store)
        await store.close()
        let raw = StoreData.key(0, prefix: prefix).count + valueBytes
        return Outcome(keys: keys, rawBytesPerKey: raw, residentBefore: before, residentAfter: after, failures: outcome.failures)
    }
}
