import Foundation

/// Envelope detection compiled to flat tables. Paths are interned in a trie (`error`,
/// `error.code`, `error.type` share the `error` step) and resolved at most once per body, so
/// recognising a body costs a handful of key comparisons however many envelopes there are.
/// Owns raw buffers: no retain, release or exclusivity traffic on the hot path.
final class CompiledDetector {
    struct Node {
        var parent: Int32  // -1: the root
        var keyOffset: Int32
        var keyLength: Int32
        var index: Int32  // >= 0: array index; -1: object key
    }

    /// `reference`: a condition this table cannot express (a path with `*`, `one_of` with
    /// numbers, `equals` a decimal): evaluated by `ConditionReference` on the same tape.
    enum Op: UInt8 { case kinds, equalsString, equalsInt, equalsBool, equalsNull, oneOfStrings, present, absent, matches, containsLower, header, reference }

    struct Cond {
        var node: Int32
        var op: Op
        var arg: Int32
        var arg2: Int32
    }

    struct Envelope {
        var requireStart: Int32, requireEnd: Int32, preferStart: Int32, preferEnd: Int32
        var unwrap: Bool
        /// The body's top-level keys the require conditions cannot hold without (bits of
        /// `rootKeys`): an envelope whose bits the body lacks is skipped without evaluating a
        /// condition. Most of the envelopes fail on their first key, so this is most of detection.
        var requireMask: UInt64
        /// Nonzero when no prefer condition can hold unless the body has one of these keys.
        var preferMask: UInt64
        /// Top-level keys the body must not have (`absent` on a one-key path).
        var forbidMask: UInt64
        /// `preferMask` when there are no headers (the summary's case), where a header test other
        /// than `absent` cannot hold and so needs no key.
        var preferMaskNoHeaders: UInt64
    }

    let nodes: UnsafeMutableBufferPointer<Node>
    let keys: UnsafeMutableBufferPointer<UInt8>
    /// Distinct conditions (`error is object` is required by a dozen envelopes: it is evaluated
    /// once per body), and per envelope the indices of its conditions, in order.
    let conds: UnsafeMutableBufferPointer<Cond>
    let refs: UnsafeMutableBufferPointer<Int32>
    // Per-body memo of condition results, one slot per root as for the paths.
    let condStamps: UnsafeMutablePointer<UInt32>
    let condValues: UnsafeMutablePointer<Bool>
    let envelopes: UnsafeMutableBufferPointer<Envelope>
    /// (offset, length) into `keys`, for one_of lists.
    let strings: UnsafeMutableBufferPointer<(Int32, Int32)>
    let ints: [Int64]
    let regexes: [SharedRegex]
    /// The same, borrowed (`regexes` owns them): matching one costs no retain or release.
    let regexRefs: UnsafeMutableBufferPointer<Unmanaged<SharedRegex>>
    /// Original conditions, for the header tests (evaluated the slow way).
    let original: [EnvelopeCondition]
    // Per-body memo: stamp == generation means value is valid. Two roots (plain, unwrapped array).
    let stamps: UnsafeMutablePointer<UInt32>
    let values: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) var generation: UInt32 = 0

    // The mutable state below is one worker's (each thread of a summary has its own detector):
    // `@exclusivity(unchecked)` spares a dynamic access check on every read of a body.
    /// While `recording`, the tape nodes whose bytes a condition read (beyond their kind and the
    /// body's structure), for `DetectionMemo`: two bodies of the same structure whose read nodes
    /// hold the same bytes get the same verdict (a condition evaluated the reference way notes
    /// every scalar under its path's node). `unreplayable` is set when the list overflowed.
    @exclusivity(unchecked) var recording = false
    @exclusivity(unchecked) var unreplayable = false
    @exclusivity(unchecked) var readCount = 0
    static let readCapacity = 128
    let readNodes = UnsafeMutablePointer<Int32>.allocate(capacity: CompiledDetector.readCapacity)

    /// Notes every scalar under node `n` (a condition evaluated the reference way may read any).
    func noteSubtree(_ n: Int, _ tape: JSONTape) {
        guard n >= 0 else { return }
        for k in n..<tape.next(n) where tape.kind(k) == .string || tape.kind(k) == .number { noteRead(Int32(k)) }
    }

    @inline(__always) func noteRead(_ n: Int32) {
        guard recording else { return }
        if readCount == Self.readCapacity { unreplayable = true; return }
        readNodes[readCount] = n
        readCount += 1
    }
    /// The top-level keys conditions start with (at most 64 get a bit), found by an open-addressed
    /// table of `rootSlots` entries (index into `rootKeys`, or -1).
    let rootKeys: UnsafeMutableBufferPointer<(Int32, Int32)>
    let rootTable: UnsafeMutableBufferPointer<Int32>
    static let rootSlots = 256
    // The body's key mask per root slot, valid when its stamp is the generation.
    @exclusivity(unchecked) var rootMasks: (UInt64, UInt64) = (0, 0)
    @exclusivity(unchecked) var rootMaskStamps: (UInt32, UInt32) = (0, 0)

    /// The node of each of `init`'s extra `paths` (-1: one with `*`, resolved the reference way).
    let pathNodes: [Int32]

    init(_ defs: [EnvelopeDefinition], paths: [FieldPath] = []) {
        var nodeList: [Node] = []
        var keyBytes: [UInt8] = []
        var nodeIDs: [String: Int32] = [:]
        var condList: [Cond] = []
        var refList: [Int32] = []
        var interned: [EnvelopeCondition] = []
        var envList: [Envelope] = []
        var stringList: [(Int32, Int32)] = []
        var intList: [Int64] = []
        var regexList: [SharedRegex] = []
        var originals: [EnvelopeCondition] = []

        func bytes(_ s: String) -> (Int32, Int32) {
            let off = Int32(keyBytes.count)
            keyBytes.append(contentsOf: Array(s.utf8))
            return (off, Int32(s.utf8.count))
        }
        func node(_ p: FieldPath) -> Int32? {
            var parent: Int32 = -1
            var name = ""
            for c in p.components {
                switch c {
                case .any: return nil
                case .key(let k): name += "." + String(decoding: k, as: UTF8.self)
                case .index(let i): name += "#\(i)"
                }
                if let id = nodeIDs[name] { parent = id; continue }
                var n = Node(parent: parent, keyOffset: 0, keyLength: 0, index: -1)
                switch c {
                case .key(let k):
                    n.keyOffset = Int32(keyBytes.count)
                    n.keyLength = Int32(k.count)
                    keyBytes.append(contentsOf: k)
                case .index(let i): n.index = Int32(i)
                case .any: break
                }
                nodeList.append(n)
                parent = Int32(nodeList.count - 1)
                nodeIDs[name] = parent
            }
            return parent
        }
        func compile(_ c: EnvelopeCondition) -> Cond {
            originals.append(c)
            guard case .path(let p) = c.source else {
                // arg2: what the test says when there are no headers (only `absent` holds).
                var absent: Int32 = 0
                if case .absent = c.test { absent = 1 }
                return Cond(node: -1, op: .header, arg: Int32(originals.count - 1), arg2: absent)
            }
            // A reference condition's node is the deepest node its path names before any `*`
            // (-1: the root): what it reads lies under it (see `noteSubtree`).
            let prefix = FieldPath(components: Array(p.components.prefix { $0 != .any }))
            let reference = Cond(node: node(prefix) ?? -1, op: .reference, arg: Int32(originals.count - 1), arg2: 0)
            guard let n = node(p), n >= 0 else { return reference }
            switch c.test {
            case .kind(let names):
                var mask: Int32 = 0
                for k in names {
                    switch k {
                    case .string: mask |= 1
                    case .number: mask |= 2 | 4
                    case .integer: mask |= 4
                    case .object: mask |= 8
                    case .array: mask |= 16
                    case .boolean: mask |= 32
                    case .null: mask |= 64
                    }
                }
                return Cond(node: n, op: .kinds, arg: mask, arg2: 0)
            case .equals(let v):
                switch v {
                case .string(let s):
                    let (o, l) = bytes(s)
                    return Cond(node: n, op: .equalsString, arg: o, arg2: l)
                case .int(let i):
                    intList.append(i)
                    return Cond(node: n, op: .equalsInt, arg: Int32(intList.count - 1), arg2: 0)
                case .bool(let b): return Cond(node: n, op: .equalsBool, arg: b ? 1 : 0, arg2: 0)
                case .null: return Cond(node: n, op: .equalsNull, arg: 0, arg2: 0)
                default: return reference
                }
            case .oneOf(let vs):
                guard vs.allSatisfy({ $0.stringValue != nil }) else { return reference }
                let start = Int32(stringList.count)
                for v in vs { if let s = v.stringValue { stringList.append(bytes(s)) } }
                return Cond(node: n, op: .oneOfStrings, arg: start, arg2: Int32(stringList.count))
            case .present: return Cond(node: n, op: .present, arg: 0, arg2: 0)
            case .absent: return Cond(node: n, op: .absent, arg: 0, arg2: 0)
            case .matches(let r):
                regexList.append(r)
                return Cond(node: n, op: .matches, arg: Int32(regexList.count - 1), arg2: 0)
            case .contains(let t):
                // `t` is lowercased at load; the value is compared ASCII-case-insensitively.
                guard t.utf8.allSatisfy({ $0 < 0x80 }) else { return reference }
                let (o, l) = bytes(t)
                return Cond(node: n, op: .containsLower, arg: o, arg2: l)
            }
        }
        // A condition met before is the same condition: one entry, one evaluation per body.
        func intern(_ c: EnvelopeCondition) -> Int32 {
            if let id = interned.firstIndex(of: c) { return Int32(id) }
            condList.append(compile(c))
            interned.append(c)
            return Int32(condList.count - 1)
        }
        // Top-level keys: a condition that needs its node to exist cannot hold on a body without its first key.
        var rootList: [[UInt8]] = []
        func keyBit(_ k: [UInt8]) -> UInt64? {
            if let i = rootList.firstIndex(of: k) { return i < 64 ? 1 << UInt64(i) : nil }
            rootList.append(k)
            return rootList.count <= 64 ? 1 << UInt64(rootList.count - 1) : nil
        }
        func rootBit(_ c: EnvelopeCondition) -> UInt64? {
            guard case .path(let p) = c.source, case .key(let k)? = p.components.first else { return nil }
            switch c.test {
            case .absent: return nil
            default: return keyBit(k)
            }
        }
        func forbidBit(_ c: EnvelopeCondition) -> UInt64? {
            guard case .path(let p) = c.source, p.components.count == 1, case .key(let k) = p.components[0], case .absent = c.test else { return nil }
            return keyBit(k)
        }
        for d in defs {
            let rs = Int32(refList.count)
            refList += d.require.map(intern)
            let re = Int32(refList.count)
            refList += d.prefer.map(intern)
            var require: UInt64 = 0, forbid: UInt64 = 0
            for c in d.require {
                require |= rootBit(c) ?? 0
                forbid |= forbidBit(c) ?? 0
            }
            var prefer: UInt64 = 0
            for c in d.prefer {
                guard let b = rootBit(c) else { prefer = 0; break }
                prefer |= b
            }
            var preferNoHeaders: UInt64 = 0
            for c in d.prefer {
                if case .header = c.source {
                    if case .absent = c.test { preferNoHeaders = 0; break }
                    continue
                }
                guard let b = rootBit(c) else { preferNoHeaders = 0; break }
                preferNoHeaders |= b
            }
            envList.append(Envelope(requireStart: rs, requireEnd: re, preferStart: re, preferEnd: Int32(refList.count), unwrap: d.unwrapArray,
                                    requireMask: require, preferMask: d.prefer.isEmpty ? 0 : prefer, forbidMask: forbid,
                                    preferMaskNoHeaders: d.prefer.isEmpty ? 0 : preferNoHeaders))
        }
        var rootOffsets: [(Int32, Int32)] = []
        var table = [Int32](repeating: -1, count: Self.rootSlots)
        for (i, k) in rootList.prefix(64).enumerated() {
            rootOffsets.append(bytes(String(decoding: k, as: UTF8.self)))
            var h = k.withUnsafeBufferPointer { Self.rootHash($0) }
            while table[h] >= 0 { h = (h + 1) & (Self.rootSlots - 1) }
            table[h] = Int32(i)
        }
        pathNodes = paths.map { node($0) ?? -1 }
        func buffer<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
            _ = b.initialize(from: a)
            return UnsafeMutableBufferPointer(rebasing: b[0..<a.count])
        }
        nodes = buffer(nodeList)
        keys = buffer(keyBytes)
        conds = buffer(condList)
        refs = buffer(refList)
        condStamps = .allocate(capacity: max(1, condList.count * 2))
        condStamps.initialize(repeating: 0, count: max(1, condList.count * 2))
        condValues = .allocate(capacity: max(1, condList.count * 2))
        condValues.initialize(repeating: false, count: max(1, condList.count * 2))
        envelopes = buffer(envList)
        strings = buffer(stringList)
        rootKeys = buffer(rootOffsets)
        rootTable = buffer(table)
        ints = intList
        regexes = regexList
        regexRefs = buffer(regexList.map { Unmanaged.passUnretained($0) })
        original = originals
        stamps = .allocate(capacity: max(1, nodeList.count * 2))
        stamps.initialize(repeating: 0, count: max(1, nodeList.count * 2))
        values = .allocate(capacity: max(1, nodeList.count * 2))
        values.initialize(repeating: -1, count: max(1, nodeList.count * 2))
    }

    deinit {
        for b in [UnsafeMutableRawPointer(nodes.baseAddress), UnsafeMutableRawPointer(keys.baseAddress),
                  UnsafeMutableRawPointer(conds.baseAddress), UnsafeMutableRawPointer(envelopes.baseAddress),
                  UnsafeMutableRawPointer(strings.baseAddress), UnsafeMutableRawPointer(rootKeys.baseAddress),
                  UnsafeMutableRawPointer(rootTable.baseAddress), UnsafeMutableRawPointer(refs.baseAddress),
                  UnsafeMutableRawPointer(regexRefs.baseAddress)] { b?.deallocate() }
        condStamps.deallocate()
        condValues.deallocate()
        stamps.deallocate()
        values.deallocate()
        readNodes.deallocate()
    }

    /// Starts a new body: forgets every memoised path.
    @inline(__always) func reset() {
        generation &+= 1
        if generation == 0 {
            stamps.update(repeating: 0, count: max(1, nodes.count * 2))
            condStamps.update(repeating: 0, count: max(1, conds.count * 2))
            rootMaskStamps = (0, 0)
            generation = 1
        }
    }

    @inline(__always) static func rootHash(_ k: UnsafeBufferPointer<UInt8>) -> Int {
        guard let f = k.first, let l = k.last else { return 0 }
        return (k.count &* 31 &+ Int(f) &* 7 &+ Int(l)) & (rootSlots - 1)
    }

    /// The bits of `rootKeys` the object at `root` has as keys (all bits when a key has escapes:
    /// the mask only ever skips work, so it must never miss a key).
    func keyMask(_ root: Int, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var mask: UInt64 = 0
        var k = root + 1
        let end = tape.next(root)
        while k < end {
            let e = tape.entry(k)
            if e.flag { return ~0 }
            let key = UnsafeBufferPointer(rebasing: buf[Int(e.a)..<Int(e.b)])
            var h = Self.rootHash(key)
            while true {
                let i = Int(rootTable[h])
                if i < 0 { break }
                let (o, l) = rootKeys[i]
                if Int(l) == key.count, l == 0 || memcmp(keys.baseAddress! + Int(o), key.baseAddress!, Int(l)) == 0 {
                    mask |= 1 << UInt64(i)
                    break
                }
                h = (h + 1) & (Self.rootSlots - 1)
            }
            k = tape.next(k + 1)
        }
        return mask
    }

    /// `keyMask` of the body's root in memo slot `slot` (0: the body, 1: its unwrapped element).
    @inline(__always) func rootMask(_ root: Int, slot: Int, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if slot == 0 {
            if rootMaskStamps.0 != generation { rootMasks.0 = keyMask(root, tape, buf); rootMaskStamps.0 = generation }
            return rootMasks.0
        }
        if rootMaskStamps.1 != generation { rootMasks.1 = keyMask(root, tape, buf); rootMaskStamps.1 = generation }
        return rootMasks.1
    }

    @inline(__always)
    func resolve(_ id: Int32, root: Int, slot: Int, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> Int32 {
        let k = Int(id) * 2 + slot
        if stamps[k] == generation { return values[k] }
        let n = nodes[Int(id)]
        let base = n.parent < 0 ? Int32(root) : resolve(n.parent, root: root, slot: slot, tape, buf)
        var result: Int32 = -1
        if base >= 0 {
            if n.index >= 0 {
                result = tape.element(Int(base), Int(n.index)).map(Int32.init) ?? -1
            } else {
                let key = UnsafeBufferPointer(rebasing: keys[Int(n.keyOffset)..<Int(n.keyOffset + n.keyLength)])
                result = tape.member(Int(base), key, in: buf).map(Int32.init) ?? -1
            }
        }
        stamps[k] = generation
        values[k] = result
        return result
    }

    /// Condition `ref` on the root in memo slot `slot`, evaluated at most once per body. Header
    /// tests are not memoised: they read the headers of the call, not the tape.
    @inline(__always)
    func test(_ ref: Int32, root: Int, slot: Int, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>,
              headers: [(name: String, value: String)], decoder: ErrorDecoder?) -> Bool
    {
        let c = conds[Int(ref)]
        if c.op == .header { return holds(c, root: root, slot: slot, tape, buf, headers: headers, decoder: decoder) }
        let k = Int(ref) &* 2 &+ slot
        if condStamps[k] == generation { return condValues[k] }
        let v = holds(c, root: root, slot: slot, tape, buf, headers: headers, decoder: decoder)
        condStamps[k] = generation
        condValues[k] = v
        return v
    }

    /// Whether the body's top-level key mask rules envelope `env` out (a key it needs is missing,
    /// or one it forbids is there; an all-ones mask means a key had escapes and decides nothing).
    @inline(__always) static func ruledOut(_ env: Envelope, _ mask: UInt64) -> Bool {
        env.requireMask & ~mask != 0 || (mask != ~0 && mask & env.forbidMask != 0)
    }

    @inline(__always)
    func holds(_ c: Cond, root: Int, slot: Int, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>,
               headers: [(name: String, value: String)], decoder: ErrorDecoder?) -> Bool
    {
        switch c.op {
        case .reference:
            if recording { noteSubtree(c.node < 0 ? root : Int(resolve(c.node, root: root, slot: slot, tape, buf)), tape) }
            return ConditionReference.holds(original[Int(c.arg)], tape: tape, root: root, buf: buf, headers: headers)
        case .header:
            guard let d = decoder else { return c.arg2 == 1 }  // no headers known: only `absent` holds
            return d.holds(original[Int(c.arg)], root: root, buf: buf, headers: headers)
        default: break
        }
        let n = resolve(c.node, root: root, slot: slot, tape, buf)
        switch c.op {
        case .present: return n >= 0
        case .absent: return n < 0
        default: break
        }
        guard n >= 0 else { return false }
        let e = tape.entry(Int(n))
        // A test on a scalar's bytes (a string's or a number's); kinds are the structure's.
        if recording, c.op != .kinds, c.op != .equalsBool, c.op != .equalsNull, e.kind == .string || e.kind == .number { noteRead(n) }
        switch c.op {
        case .kinds:
            let bit: Int32
            switch e.kind {
            case .string: bit = 1
            case .number: bit = e.flag ? 4 : 2
            case .object: bit = 8
            case .array: bit = 16
            case .true, .false: bit = 32
            case .null: bit = 64
            }
            return c.arg & bit != 0
        case .equalsString:
            return tape.stringEquals(Int(n), UnsafeBufferPointer(rebasing: keys[Int(c.arg)..<Int(c.arg + c.arg2)]), in: buf)
        case .equalsInt: return tape.int(Int(n), in: buf) == ints[Int(c.arg)]
        case .equalsBool: return (e.kind == .true && c.arg == 1) || (e.kind == .false && c.arg == 0)
        case .equalsNull: return e.kind == .null
        case .oneOfStrings:
            guard e.kind == .string else { return false }
            for i in Int(c.arg)..<Int(c.arg2) {
                let (o, l) = strings[i]
                if tape.stringEquals(Int(n), UnsafeBufferPointer(rebasing: keys[Int(o)..<Int(o + l)]), in: buf) { return true }
            }
            return false
        case .matches:
            guard e.kind == .string else { return false }
            return regexRefs[Int(c.arg)]._withUnsafeGuaranteedRef { re in
                e.flag ? re.matches(tape.string(Int(n), in: buf)) : re.matches(bytes: tape.rawBytes(Int(n), in: buf))
            }
        case .containsLower:
            guard e.kind == .string else { return false }
            let needle = UnsafeBufferPointer(rebasing: keys[Int(c.arg)..<Int(c.arg + c.arg2)])
            if e.flag {
                var v = tape.string(Int(n), in: buf).lowercased()
                return v.withUTF8 { RuleBank.find(needle, in: $0) }
            }
            return Self.containsIgnoringASCIICase(tape.rawBytes(Int(n), in: buf), needle)
        default: return false
        }
    }

    /// Whether `lowerNeedle` occurs in `hay`, ASCII letters compared without case.
    static func containsIgnoringASCIICase(_ hay: UnsafeBufferPointer<UInt8>, _ lowerNeedle: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = lowerNeedle.count
        guard n > 0 else { return true }
        guard hay.count >= n else { return false }
        let first = lowerNeedle[0]
        var i = 0
        while i <= hay.count - n {
            let c = hay[i]
            if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) == first {
                var k = 1
                while k < n {
                    let h = hay[i + k]
                    if (h >= 0x41 && h <= 0x5A ? h | 0x20 : h) != lowerNeedle[k] { break }
                    k += 1
                }
                if k == n { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether envelope `i` fits the parsed body, and its score.
    @inline(__always)
    func evaluate(_ i: Int, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>, headers: [(name: String, value: String)],
                  decoder: ErrorDecoder?, base: Int = 0) -> (root: Int, score: Int)?
    {
        // `base`: the body's node on the tape (a log line's `body` field); 0 for a whole body.
        // The memo has one slot for the body and one for its unwrapped array element.
        let env = envelopes[i]
        var root = base, slot = 0
        if env.unwrap, tape.kind(base) == .array, tape.count(base) == 1 { root = base + 1; slot = 1 }
        guard tape.kind(root) == .object else { return nil }
        let mask = rootMask(root, slot: slot, tape, buf)
        if Self.ruledOut(env, mask) { return nil }
        var k = Int(env.requireStart)
        while k < Int(env.requireEnd) {
            if !test(refs[k], root: root, slot: slot, tape, buf, headers: headers, decoder: decoder) { return nil }
            k += 1
        }
        var score = 0
        if env.preferMask != 0, env.preferMask & mask == 0 { return (root, 0) }
        k = Int(env.preferStart)
        while k < Int(env.preferEnd) {
            if test(refs[k], root: root, slot: slot, tape, buf, headers: headers, decoder: decoder) { score += 2 }
            k += 1
        }
        return (root, score)
    }

    /// `evaluate` for envelopes `range` in one call (the summary's hot loop: the tape and the
    /// buffer are passed once, not once per envelope). Writes the score, or -1 when an envelope
    /// does not fit, and the root it was read at.
    func evaluateAll(_ range: Range<Int>, _ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>, base: Int,
                     scores: UnsafeMutablePointer<Int32>, roots: UnsafeMutablePointer<Int32>) {
        let baseIsArray1 = tape.kind(base) == .array && tape.count(base) == 1
        let baseIsObject = tape.kind(base) == .object
        let unwrappedIsObject = baseIsArray1 && tape.kind(base + 1) == .object
        for i in range {
            let env = envelopes[i]
            var root = base, slot = 0
            var isObject = baseIsObject
            if env.unwrap, baseIsArray1 { root = base + 1; slot = 1; isObject = unwrappedIsObject }
            scores[i - range.lowerBound] = -1
            roots[i - range.lowerBound] = Int32(root)
            guard isObject else { continue }
            let mask = rootMask(root, slot: slot, tape, buf)
            if Self.ruledOut(env, mask) { continue }
            var k = Int(env.requireStart)
            var fits = true
            while k < Int(env.requireEnd) {
                if !test(refs[k], root: root, slot: slot, tape, buf, headers: [], decoder: nil) { fits = false; break }
                k += 1
            }
            guard fits else { continue }
            var score: Int32 = 0
            if env.preferMaskNoHeaders != 0, env.preferMaskNoHeaders & mask == 0 { scores[i - range.lowerBound] = 0; continue }
            k = Int(env.preferStart)
            while k < Int(env.preferEnd) {
                if test(refs[k], root: root, slot: slot, tape, buf, headers: [], decoder: nil) { score += 2 }
                k += 1
            }
            scores[i - range.lowerBound] = score
        }
    }
}
