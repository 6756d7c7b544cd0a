/// A map from already-mixed 64-bit hashes to small integers (indices into the caller's own
/// array), open-addressed with linear probing. The summary looks up three or four such keys a
/// line; `Dictionary` runs SipHash over a key that is a hash already, which was 3–5 % of a
/// summary. Keys are hashes, so equal keys may still name different things: callers confirm.
struct U64Index {
    private var keys: [UInt64]
    private var values: [Int32]
    private var used: [Bool]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = [UInt64](repeating: 0, count: n)
        values = [Int32](repeating: -1, count: n)
        used = [Bool](repeating: false, count: n)
        mask = n - 1
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key ^ (key >> 29)) &* 0xBF58_476D_1CE4_E5B9 >> 7) & mask }

    /// The value stored for `key`, or -1.
    @inline(__always) func find(_ key: UInt64) -> Int32 {
        var i = slot(key)
        while used[i] {
            if keys[i] == key { return values[i] }
            i = (i + 1) & mask
        }
        return -1
    }

    /// Stores `value` for `key` (replacing any).
    mutating func set(_ key: UInt64, _ value: Int32) {
        if (count + 1) * 2 > keys.count { grow() }
        var i = slot(key)
        while used[i] {
            if keys[i] == key { values[i] = value; return }
            i = (i + 1) & mask
        }
        used[i] = true
        keys[i] = key
        values[i] = value
        count += 1
    }

    private mutating func grow() {
        let old = (keys, values, used)
        let n = keys.count * 2
        keys = [UInt64](repeating: 0, count: n)
        values = [Int32](repeating: -1, count: n)
        used = [Bool](repeating: false, count: n)
        mask = n - 1
        count = 0
        for i in old.0.indices where old.2[i] { set(old.0[i], old.1[i]) }
    }
}
