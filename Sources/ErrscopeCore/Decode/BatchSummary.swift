import Foundation

/// Counts a stream of error bodies by system, envelope and code: the "what is failing and how
/// much" view of a log. Built for throughput: a body is parsed onto a reused tape, its envelope
/// chosen and its code looked up by hashing bytes in place, so the common case allocates nothing.
public struct BatchSummary {
    let decoder: ErrorDecoder
    let catalog: Catalog
    let systemHint: Int?
    /// Per envelope: which systems emit it (bit per system slot; 64 systems suffice for a hint).
    let emitters: [UInt64]
    /// Per envelope, the paths that identify a body (code, then type, then status), with the
    /// salt of each kind.
    let fieldPaths: PathTable
    let fieldSalts: [UInt64]

    /// Per envelope: where a status in the body is (Gemini's error.code) and where the message is.
    let httpPaths: PathTable
    let messagePaths: PathTable
    let typePaths: PathTable
    let fields: LogFields
    /// Log field names as bytes, for the wrapper test on the tape.
    let wrapperNames: WrapperNames
    let ruleBank: RuleBank
    let innerTape = JSONTape()
    var lowered: [UInt8] = []
    /// Per-body scores and roots of the envelopes and fingerprints (allocated once).
    let scratch32: Scratch32
    var scratchScores: UnsafeMutableBufferPointer<Int32> { scratch32.scores }
    var scratchRoots: UnsafeMutableBufferPointer<Int32> { scratch32.roots }

    // @unchecked Sendable: raw buffers owned by one worker thread at a time (each thread of the batch takes its own).
    final class Scratch32: @unchecked Sendable {
        let scores: UnsafeMutableBufferPointer<Int32>
        let roots: UnsafeMutableBufferPointer<Int32>
        /// An escaped log time and a body held in a JSON string, unescaped (one line's worth each).
        @exclusivity(unchecked) private var time = Room(64)
        @exclusivity(unchecked) private var body = Room(4096)
        /// Per system slot, its fingerprint score on the current body.
        let systemScores: UnsafeMutableBufferPointer<Int32>
        init(_ n: Int, systems: Int) {
            scores = .allocate(capacity: max(1, n)); roots = .allocate(capacity: max(1, n))
            systemScores = .allocate(capacity: max(1, systems))
        }
        deinit { scores.deallocate(); roots.deallocate(); systemScores.deallocate(); time.free(); body.free() }
        /// Room for `n` bytes (what was there is not kept).
        func timeRoom(_ n: Int) -> UnsafeMutablePointer<UInt8> { time.take(n) }
        func bodyRoom(_ n: Int) -> UnsafeMutablePointer<UInt8> { body.take(n) }

        struct Room {
            var base: UnsafeMutablePointer<UInt8>
            var capacity: Int
            init(_ n: Int) { capacity = n; base = .allocate(capacity: n) }
            mutating func take(_ n: Int) -> UnsafeMutablePointer<UInt8> {
                if n > capacity {
                    base.deallocate()
                    capacity = max(n, capacity * 2)
                    base = .allocate(capacity: capacity)
                }
                return base
            }
            func free() { base.deallocate() }
        }
    }
    /// Reference verdicts of bare lines the fast path cannot read (a proxy's HTML page, cut JSON),
    /// by the line's bytes: the same line decodes the same way, and such lines repeat.
    var memo: [MemoHit] = []
    var memoIndex = U64Index()
    /// A memoised reference verdict: the line it was for (its time cut out) and what counting
    /// it touches (its row is in `groups` under `row` from its first count on).
    struct MemoHit {
        var key: [UInt8]
        var row: UInt64
        var http: Int?
        var envelopeIndex: Int
        var systemSlot: Int
        var recognised: Bool
        var known: Bool
    }
    static let memoLimit = 4096, memoLineLimit = 1024

    /// Per envelope: the slot of the system with the envelope's id (openai for openai), or -1.
    let homeSystem: [Int]
    /// Per envelope: the slot of the only system that sends it, or -1.
    let singleEmitter: [Int]
    let upstreamPaths: PathTable

    /// Per envelope, a list of field paths, each also interned in the detector's path table
    /// (`node` >= 0), so reading a field is a memoised lookup on the body the detector just
    /// read; a path it cannot intern (`*`) is resolved the reference way.
    struct PathTable {
        var paths: [FieldPath] = []
        var start: [Int] = [0]
        var nodes: [Int32] = []
        init(_ lists: [[FieldPath]]) {
            for l in lists { paths += l; start.append(paths.count) }
        }
        @inline(__always) func range(_ envelope: Int) -> Range<Int> { start[envelope]..<start[envelope + 1] }
    }

    /// Entry `k` of `table` on the body at `root` (memo slot `slot`), or nil.
    @inline(__always)
    func resolve(_ table: PathTable, _ k: Int, _ tape: JSONTape, root: Int, slot: Int, _ body: UnsafeBufferPointer<UInt8>) -> Int? {
        let id = table.nodes[k]
        if id >= 0 {
            let n = fingerprints.resolve(id, root: root, slot: slot, tape, body)
            return n >= 0 ? Int(n) : nil
        }
        return table.paths[k].resolve(tape, root: root, in: body)
    }
    /// The envelopes, then the fingerprints compiled as pseudo-envelopes (their path
    /// conditions, one per system with any), in one table; and the message texts, lowercased.
    let fingerprints: CompiledDetector
    let fingerprintSlots: [Int]
    /// The message fingerprints' texts, found in one pass over the message, and each one's system.
    let messageFingerprints: SubstringSet
    let messageFingerprintSlots: [Int]
    let envelopeCount: Int
    /// Detection verdicts by what detection read (nil: every body is detected afresh, the
    /// reference the memo is tested against).
    let detectionMemo: DetectionMemo?
    public private(set) var total = 0
    /// The row the last line added went to (its key in `group(_:)`), for a live view that keeps
    /// its own per-row history (the incident pane's rate sparklines).
    public private(set) var lastKey: UInt64 = 0
    /// The row with `key`, if any line went to it.
    public func group(_ key: UInt64) -> Group? { groups[key] }
    /// Every row with its key, in no order.
    public var keyedRows: [(key: UInt64, group: Group)] { groups.map { ($0.key, $0.value) } }
    public private(set) var recognised = 0
    public private(set) var known = 0
    /// Lines the fast path handed to the reference decoder.
    public private(set) var referenceLines = 0
    /// Why lines went to the reference decoder, by `Fallback`.
    var fallbacks = [Int](repeating: 0, count: Fallback.allCases.count)
    enum Fallback: Int, CaseIterable {
        case notJSON, stringBodyNotJSON, scalarBody, noEnvelope, noCode, upstream, bodyInMessage, unknownCode, regexRule
        var name: String {
            ["not_json", "string_body_not_json", "scalar_body", "no_envelope", "no_code", "upstream", "body_in_message", "unknown_code", "regex_rule"][rawValue]
        }
    }
    var envelopeCounts: [Int]
    var systemCounts: [Int]
    var unknownSystem = 0
    var groups: [UInt64: Group] = [:]

    /// One row of the summary: a system/code (and the message rule that refined it).
    public struct Group: Sendable {
        public var system: String?
        public var code: String?
        /// The string the wire carried.
        public var wire: String
        public var envelope: String
        public var label = ""
        public var category: ErrorCategory?
        public var retry: Retryability?
        public var rule: String?
        public var count = 0
        /// Lines by HTTP status.
        public var statuses: [Int: Int] {
            get {
                var d = counted
                if pendingCount > 0 { d[pendingStatus, default: 0] += pendingCount }
                return d
            }
            set { counted = newValue; pendingCount = 0 }
        }
        /// Counted statuses, and a run of one status not yet added to them: a row's lines mostly
        /// share a status, so the dictionary is touched when it changes, not on every line.
        var counted: [Int: Int] = [:]
        var pendingStatus = 0, pendingCount = 0
        /// The earliest and latest time seen, as the log wrote them (bytes: a sorted log moves
        /// `last` on every line, and a String of a timestamp is a heap allocation).
        public var first: String? {
            get { firstBytes.map { String(decoding: $0, as: UTF8.self) } }
            set { firstBytes = newValue.map { Array($0.utf8) } }
        }
        public var last: String? {
            get { lastBytes.map { String(decoding: $0, as: UTF8.self) } }
            set { lastBytes = newValue.map { Array($0.utf8) } }
        }
        var firstBytes: [UInt8]?
        var lastBytes: [UInt8]?
        public internal(set) var known = true
        public internal(set) var recognised = true
        var memoKey: UInt64 = 0
        var envelopeIndex = 0
        var systemSlot = -1

        init(system: String?, code: String?, wire: String, envelope: String) {
            self.system = system; self.code = code; self.wire = wire; self.envelope = envelope
            label = system.map { s in "\(s)/\(code == wire || code == nil ? wire : "\(wire) (\(code!))")" } ?? wire
        }

        mutating func add(http: Int?, time: UnsafeBufferPointer<UInt8>?) {
            count += 1
            if let h = http {
                if pendingCount > 0, h == pendingStatus {
                    pendingCount += 1
                } else {
                    if pendingCount > 0 { counted[pendingStatus, default: 0] += pendingCount }
                    pendingStatus = h
                    pendingCount = 1
                }
            }
            if let t = time {
                if firstBytes == nil || firstBytes!.withUnsafeBufferPointer({ Self.earlier(t, $0) }) { Self.replace(&firstBytes, t) }
                if lastBytes == nil || lastBytes!.withUnsafeBufferPointer({ Self.earlier($0, t) }) { Self.replace(&lastBytes, t) }
            }
        }

        /// Puts `t` in `slot`, reusing its storage.
        @inline(__always) static func replace(_ slot: inout [UInt8]?, _ t: UnsafeBufferPointer<UInt8>) {
            if slot == nil { slot = Array(t); return }
            slot!.removeAll(keepingCapacity: true)
            slot!.append(contentsOf: t)
        }

        mutating func merge(_ o: Group) {
            count += o.count
            var all = statuses
            for (h, n) in o.statuses { all[h, default: 0] += n }
            statuses = all
            if let f = o.firstBytes, firstBytes == nil || Self.earlier(f, firstBytes!) { firstBytes = f }
            if let l = o.lastBytes, lastBytes == nil || Self.earlier(lastBytes!, l) { lastBytes = l }
        }

        /// Times as logs write them: epoch numbers compare as numbers, ISO 8601 texts as text
        /// (the String comparison is the reference: `earlierReference`).
        static func earlier(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            // Epoch numbers compare as numbers. No number has a ':' (every ISO or log time
            // does): that byte test spares two `strtod` calls a line.
            let colon = UInt8(ascii: ":")
            if !a.contains(colon), !b.contains(colon), let x = Double(String(decoding: a, as: UTF8.self)),
                let y = Double(String(decoding: b, as: UTF8.self))
            {
                return x < y
            }
            // ASCII texts compare as Strings do, byte by byte; anything else as Strings.
            if a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) {
                let n = min(a.count, b.count)
                let c = n == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, n)
                return c != 0 ? c < 0 : a.count < b.count
            }
            return String(decoding: a, as: UTF8.self) < String(decoding: b, as: UTF8.self)
        }

        static func earlier(_ a: [UInt8], _ b: [UInt8]) -> Bool {
            a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in earlier(x, y) } }
        }

        /// The plain comparison the byte one must agree with.
        static func earlierReference(_ a: String, _ b: String) -> Bool {
            if !a.contains(":"), !b.contains(":"), let x = Double(a), let y = Double(b) { return x < y }
            return a < b
        }

        /// The most frequent status.
        public var http: Int? { statuses.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key }
    }

    public init(catalog: Catalog, system: String? = nil, fields: LogFields = .auto) {
        self.init(catalog: catalog, system: system, fields: fields, memo: true)
    }

    init(catalog: Catalog, system: String? = nil, fields: LogFields = .auto, memo: Bool) {
        detectionMemo = memo ? DetectionMemo() : nil
        self.catalog = catalog
        self.fields = fields
        wrapperNames = WrapperNames(fields)
        ruleBank = RuleBank(catalog)
        decoder = ErrorDecoder(catalog: catalog)
        systemHint = system.flatMap { catalog.systemIDs.firstIndex(of: $0) }
        var em = [UInt64](repeating: 0, count: catalog.envelopes.count)
        for (si, sys) in catalog.systems.enumerated() where si < 64 {
            for e in sys.emits {
                if let ei = catalog.envelopes.firstIndex(where: { $0.id == e.envelope }) { em[ei] |= 1 << UInt64(si) }
            }
        }
        emitters = em
        homeSystem = catalog.envelopes.map { env in catalog.systemIDs.firstIndex(of: env.id) ?? -1 }
        singleEmitter = catalog.envelopes.map { env in
            let senders = catalog.systems.indices.filter { catalog.systems[$0].emission(for: env.id) != nil }
            return senders.count == 1 ? senders[0] : -1
        }
        var pseudo: [EnvelopeDefinition] = []
        var slots: [Int] = []
        var texts: [(slot: Int, text: [UInt8])] = []
        for (slot, sys) in catalog.systems.enumerated() where !sys.fingerprints.isEmpty {
            var conds: [EnvelopeCondition] = []
            for f in sys.fingerprints {
                switch f.test {
                case .condition(let c): conds.append(c)
                case .message(let t): texts.append((slot, Array(t.utf8)))
                }
            }
            pseudo.append(EnvelopeDefinition(id: "fingerprint:" + sys.id, name: sys.id, summary: nil, unwrapArray: true, mediaTypes: [],
                                             require: [], prefer: conds, fields: [], template: .null, translate: [], file: ""))
            slots.append(slot)
        }
        func paths(_ field: String) -> [[FieldPath]] {
            catalog.envelopes.map { env in
                env.sources(for: field).compactMap { if case .path(let p) = $0 { return p } else { return nil } }
            }
        }
        let code = paths("code"), type = paths("type"), status = paths("status")
        var http = PathTable(paths("http")), upstream = PathTable(paths("upstream")), message = PathTable(paths("message"))
        var types = PathTable(type)
        var ident: [[FieldPath]] = [], fs: [UInt64] = []
        for i in 0..<catalog.envelopes.count {
            var l: [FieldPath] = []
            for (list, salt) in [(code[i], UInt64(11)), (type[i], 13), (status[i], 17)] {
                for p in list { l.append(p); fs.append(salt) }
            }
            ident.append(l)
        }
        var field = PathTable(ident)
        // One table for the envelopes, the fingerprints and the fields read after detection: a
        // path several read (error.type, code) is resolved once per body.
        let all = field.paths + http.paths + upstream.paths + message.paths + types.paths
        fingerprints = CompiledDetector(catalog.envelopes + pseudo, paths: all)
        var ids = fingerprints.pathNodes[...]
        for t in [0, 1, 2, 3, 4] {
            func take(_ table: inout PathTable) { table.nodes = Array(ids.prefix(table.paths.count)); ids = ids.dropFirst(table.paths.count) }
            switch t {
            case 0: take(&field)
            case 1: take(&http)
            case 2: take(&upstream)
            case 3: take(&message)
            default: take(&types)
            }
        }
        fieldPaths = field
        fieldSalts = fs
        httpPaths = http
        upstreamPaths = upstream
        messagePaths = message
        typePaths = types
        scratch32 = Scratch32(catalog.envelopes.count + pseudo.count + 1, systems: catalog.systems.count)
        fingerprintSlots = slots
        messageFingerprints = SubstringSet(texts.map(\.text))
        messageFingerprintSlots = texts.map(\.slot)
        envelopeCount = catalog.envelopes.count
        envelopeCounts = [Int](repeating: 0, count: catalog.envelopes.count + 1)
        systemCounts = [Int](repeating: 0, count: catalog.systems.count)
    }

    /// Adds every non-blank line of `text` as one body.
    public mutating func add(lines text: UnsafeBufferPointer<UInt8>) {
        var start = 0
        let n = text.count
        while start < n {
            var end = start
            if let base = text.baseAddress, let p = memchr(base + start, 0x0A, n - start) {
                end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            } else {
                end = n
            }
            var s = start, e = end
            while s < e, text[s] == 0x20 || text[s] == 0x09 { s += 1 }
            while e > s, text[e - 1] == 0x0D || text[e - 1] == 0x20 || text[e - 1] == 0x09 { e -= 1 }
            if e > s { add(body: UnsafeBufferPointer(rebasing: text[s..<e])) }
            start = end + 1
        }
    }

    public mutating func add(body line: UnsafeBufferPointer<UInt8>) {
        total += 1
        let tape = decoder.tape
        do throws(JSONError) {
            try tape.parse(line)
        } catch {
            // Not JSON: a text line (an SDK's error print). The reference decoder reads it.
            fallbacks[Fallback.notJSON.rawValue] += 1; addByReference(line, wrapped: nil)
            return
        }
        // A log wrapper: the body under a field, with the status and time beside it.
        var status: Int?
        var time: UnsafeBufferPointer<UInt8>?
        var base = 0
        var bodyTape = tape
        var inner = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        if tape.kind(0) == .object {
            let p = wrapperParts(tape, line)
            if p.isWrapper, let b = p.body {
                status = LogLine.status(tape, p.status, line)
                time = timeBytes(tape, p.time, line)
                if p.bodyIsError {
                    base = 0
                } else if tape.kind(b) == .object || tape.kind(b) == .array {
                    base = b
                } else if tape.kind(b) == .string {
                    // JSON inside a JSON string: parse it on a second tape.
                    let raw = tape.rawBytes(b, in: line)
                    let room = scratch32.bodyRoom(raw.count + JSONTape.unescapeSlack)
                    inner = UnsafeBufferPointer(start: room, count: JSONTape.unescape(raw, to: room))
                    guard (try? innerTape.parse(inner)) != nil else {
                        fallbacks[Fallback.stringBodyNotJSON.rawValue] += 1; addByReference(line, wrapped: (status, time))
                        return
                    }
                    bodyTape = innerTape
                    base = 0
                } else {
                    fallbacks[Fallback.scalarBody.rawValue] += 1; addByReference(line, wrapped: (status, time))
                    return
                }
            }
        }
        if bodyTape !== tape {
            addParsed(bodyTape, inner, base: base, status: status, time: time, line: line)
        } else {
            addParsed(tape, line, base: base, status: status, time: time, line: line)
        }
    }

    /// A log line's time as `LogLine.time` reads it, as bytes: in place for a number or a plain
    /// string, unescaped into scratch memory (valid until the next line) otherwise.
    func timeBytes(_ tape: JSONTape, _ n: Int?, _ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let n else { return nil }
        switch tape.kind(n) {
        case .number: return tape.rawBytes(n, in: line)
        case .string:
            let raw = tape.rawBytes(n, in: line)
            if !tape.isEscaped(n) { return raw }
            let out = scratch32.timeRoom(raw.count + JSONTape.unescapeSlack)
            // Invalid UTF-8 stays as it is here: `Group.first`/`last` decode it as `LogLine.time`
            // does (U+FFFD), and `earlier` compares non-ASCII times as Strings.
            return UnsafeBufferPointer(start: out, count: JSONTape.unescape(raw, to: out))
        default: return nil
        }
    }

    /// The fast path over a parsed body; anything it cannot settle goes to the reference decoder.
    private mutating func addParsed(_ tape: JSONTape, _ body: UnsafeBufferPointer<UInt8>, base: Int, status: Int?, time: UnsafeBufferPointer<UInt8>?,
                                    line: UnsafeBufferPointer<UInt8>) {
        // Best envelope, without building the candidate list. The fingerprints are scored in
        // the same pass (after the envelopes' scores) when the system is not given.
        var best = -1, bestScore = Int.min, bestRoot = 0
        let detector = fingerprints
        detector.reset()
        let fpCount = systemHint == nil ? fingerprintSlots.count : 0
        let scores = scratchScores.baseAddress!, roots = scratchRoots.baseAddress!
        if let memo = detectionMemo, memo.prepare(tape, base: base, body) {
            if !memo.load(tape, body, scores: scores, roots: roots) {
                detector.recording = true
                detector.unreplayable = false
                detector.readCount = 0
                detect(tape, body, base: base, fingerprints: fpCount)
                detector.recording = false
                memo.store(detector, tape, body, scores: scores, scoreCount: envelopeCount + fpCount, roots: roots, rootCount: envelopeCount)
            }
        } else {
            detect(tape, body, base: base, fingerprints: fpCount)
        }
        for i in 0..<envelopeCount where scratchScores[i] >= 0 {
            var score = Int(scratchScores[i])
            if let h = systemHint, h < 64, emitters[i] & (1 << UInt64(h)) != 0 { score += 1 }
            if score > bestScore { best = i; bestScore = score; bestRoot = Int(scratchRoots[i]) }
        }
        guard best >= 0 else {
            fallbacks[Fallback.noEnvelope.rawValue] += 1; addByReference(line, wrapped: status != nil || time != nil ? (status, time) : nil)
            return
        }
        // The identifying string: code, else type, else gRPC status.
        var node: Int?
        var kindSalt: UInt64 = 0
        let slot = bestRoot == base ? 0 : 1
        for k in fieldPaths.range(best) {
            if let n = resolve(fieldPaths, k, tape, root: bestRoot, slot: slot, body), tape.kind(n) == .string, !tape.isEscaped(n),
                tape.entry(n).b > tape.entry(n).a
            {
                node = n
                kindSalt = fieldSalts[k]
                break
            }
        }
        guard let n = node else {
            fallbacks[Fallback.noCode.rawValue] += 1; addByReference(line, wrapped: status != nil || time != nil ? (status, time) : nil)
            return
        }
        let bytes = tape.rawBytes(n, in: body)
        var http = status
        if http == nil {
            for k in httpPaths.range(best) {
                if let hn = resolve(httpPaths, k, tape, root: bestRoot, slot: slot, body), let h = LogLine.status(tape, hn, body) { http = h; break }
            }
        }
        let wrapped = status != nil || time != nil ? (status, time) : nil
        // The message, lowercased, for fingerprints and rules. A wrapped upstream error (an
        // `upstream` field, a body inside the message) is the reference decoder's to read.
        var msg: UnsafeBufferPointer<UInt8>?
        for k in messagePaths.range(best) {
            if let mn = resolve(messagePaths, k, tape, root: bestRoot, slot: slot, body), tape.kind(mn) == .string { msg = tape.rawBytes(mn, in: body); break }
        }
        for k in upstreamPaths.range(best) where resolve(upstreamPaths, k, tape, root: bestRoot, slot: slot, body) != nil {
            fallbacks[Fallback.upstream.rawValue] += 1; addByReference(line, wrapped: wrapped)
            return
        }
        lowered.removeAll(keepingCapacity: true)
        if let m = msg, let mb = m.baseAddress {
            if memchr(mb, Int32(UInt8(ascii: "{")), m.count) != nil {
                fallbacks[Fallback.bodyInMessage.rawValue] += 1; addByReference(line, wrapped: wrapped)
                return
            }
            // Copied once, then lowered in place (an append per byte checked uniqueness per byte).
            lowered.append(contentsOf: m)
            lowered.withUnsafeMutableBufferPointer { low in
                for i in low.indices where low[i] >= 0x41 && low[i] <= 0x5A { low[i] |= 0x20 }
            }
        }
        // The system, decided as the reference decides it: given; else the one fingerprint that
        // holds best; else the envelope's only sender; else the best-scoring catalog rows.
        var sys = systemHint ?? -1
        if sys < 0 { sys = fingerprintWinner() }
        if sys < 0 { sys = singleEmitter[best] }
        var row = -1
        do {
            let store = catalog.store
            let baseScore = kindSalt == 11 ? 100 : kindSalt == 13 ? 60 : 45
            var bestRowScore = Int.min
            // The rows tied on the best score, without an array: the first, whether all are of
            // its system, and the first of the envelope's home system.
            var tiedFirst = -1, tiedOneSystem = true, tiedHome = -1
            var r = catalog.index.byCode.first(wordHashLower(bytes))
            while r >= 0 {
                let ri = Int(r)
                if store.equals(store.code[ri], bytes) {
                    let s = Int(store.system[ri])
                    if sys >= 0 {
                        if s == sys, row < 0 { row = ri }
                    } else {
                        var score = baseScore
                        if s < 64, emitters[best] & (1 << UInt64(s)) != 0 { score += 15 }
                        if let h = http, store.httpMatches(ri, h) { score += 5 }
                        if score > bestRowScore {
                            bestRowScore = score; tiedFirst = ri; tiedOneSystem = true; tiedHome = s == homeSystem[best] ? ri : -1
                        } else if score == bestRowScore {
                            if store.system[ri] != store.system[tiedFirst] { tiedOneSystem = false }
                            if tiedHome < 0, s == homeSystem[best] { tiedHome = ri }
                        }
                    }
                }
                r = catalog.index.byCode.next(ri)
            }
            if sys < 0, tiedFirst >= 0 {
                if tiedOneSystem { row = tiedFirst } else if tiedHome >= 0 { row = tiedHome }
            }
            if row < 0 && kindSalt == 11 && tiedFirst < 0 {
                for w in catalog.index.wildcardRows where sys < 0 || Int(store.system[w]) == sys {
                    let prefixOK = store.withBytes(store.code[w]) { c -> Bool in
                        let p = c.count - 1
                        return bytes.count > p && memcmp(c.baseAddress!, bytes.baseAddress!, p) == 0
                    }
                    if prefixOK { row = w; break }
                }
            }
        }
        guard row >= 0 else {
            // An unknown code, or systems the fast path cannot choose between: the reference decides.
            fallbacks[Fallback.unknownCode.rawValue] += 1; addByReference(line, wrapped: wrapped)
            return
        }
        let sysSlot = Int(catalog.store.system[row])
        // Message rules: the row's system's, then the global ones.
        var rule = -1
        let candidates = ruleBank.bySystem[sysSlot]
        if !candidates.isEmpty || !ruleBank.global.isEmpty {
            if msg != nil {
                // A rule on the type (Anthropic's invalid_request_error) reads the envelope's type field.
                var type: UnsafeBufferPointer<UInt8>?
                if ruleBank.typed[sysSlot] {
                    for k in typePaths.range(best) {
                        if let tn = resolve(typePaths, k, tape, root: bestRoot, slot: slot, body), tape.kind(tn) == .string { type = tape.rawBytes(tn, in: body); break }
                    }
                }
                rule = lowered.withUnsafeBufferPointer { low in
                    ruleBank.first(in: candidates, code: bytes, type: type, http: http, envelope: best, lowerMessage: low)
                        ?? ruleBank.first(in: ruleBank.global, code: bytes, type: type, http: http, envelope: best, lowerMessage: low)
                } ?? -1
                if rule < 0, ruleBank.regex[sysSlot] || ruleBank.globalRegex {
                    fallbacks[Fallback.regexRule.rawValue] += 1; addByReference(line, wrapped: status != nil || time != nil ? (status, time) : nil)
                    return
                }
            }
        }
        recognised += 1
        known += 1
        envelopeCounts[best] += 1
        systemCounts[sysSlot] += 1
        var key = wordHash(bytes, seed: kindSalt &* 0x9E37_79B9 &+ UInt64(best))
        key = key &+ UInt64(bitPattern: Int64(sysSlot)) &* 0x100_0000_01b3 &+ UInt64(bitPattern: Int64(rule + 1)) &* 0x9E37_79B9_7F4A_7C15
        if let i = groups.index(forKey: key) {
            groups.values[i].add(http: http, time: time)
        } else {
            let e = catalog.entry(row)
            let text = String(decoding: bytes, as: UTF8.self)
            var g = Group(system: e.system, code: e.code, wire: text, envelope: catalog.envelopes[best].id)
            if rule >= 0 {
                let r = ruleBank.rules[rule]
                g.category = r.category
                g.retry = r.retry ?? r.category.defaultRetry
                g.rule = r.id
                if let c = r.code, let sys = r.system ?? Optional(e.system) {
                    if let rr = catalog.rows(code: c).first(where: { catalog.entry($0).system == sys }) { g.code = catalog.entry(rr).code }
                }
            } else {
                g.category = e.category
                g.retry = e.retry
                if let c = e.category, c.neverRetryable { g.retry = .no }
            }
            g.add(http: http, time: time)
            groups[key] = g
        }
        lastKey = key
    }

    /// Lines the fast path does not settle: the reference decoder's verdict, grouped the same way.
    private mutating func addByReference(_ line: UnsafeBufferPointer<UInt8>, wrapped: (Int?, UnsafeBufferPointer<UInt8>?)?) {
        referenceLines += 1
        // The same line decodes the same way; a log line's time does not change the verdict, so
        // it is left out of the key (and counted from this line).
        let memoable = line.count <= Self.memoLineLimit
        // The key: the line without its time value, hashed in place (no copy unless it is new).
        var cut = 0..<0
        if memoable, let t = wrapped?.1, !t.isEmpty, let r = Self.range(of: t, in: line) { cut = r }
        let head = UnsafeBufferPointer(rebasing: line[..<cut.lowerBound]), tail = UnsafeBufferPointer(rebasing: line[cut.upperBound...])
        let hash = memoable ? wordHash(tail, seed: wordHash(head) &+ UInt64(head.count)) : 0
        let i = memoable ? Int(memoIndex.find(hash)) : -1
        if i >= 0 {
            let same = memo[i].key.withUnsafeBufferPointer { k in
                k.count == head.count + tail.count
                    && (head.isEmpty || memcmp(k.baseAddress!, head.baseAddress!, head.count) == 0)
                    && (tail.isEmpty || memcmp(k.baseAddress! + head.count, tail.baseAddress!, tail.count) == 0)
            }
            if same {
                let hit = memo[i]
                envelopeCounts[hit.envelopeIndex] += 1
                if hit.recognised { recognised += 1 }
                if hit.systemSlot >= 0 { systemCounts[hit.systemSlot] += 1 } else { unknownSystem += 1 }
                if hit.known { known += 1 }
                addToRow(hit.row, http: hit.http, time: wrapped?.1 ?? nil)
                lastKey = hit.row
                return
            }
        }
        let record = LogLine.read(Array(line), fields: fields, system: systemHint.map { catalog.systemIDs[$0] })
        let v = decoder.decode(record.input, sdks: false)
        let code = v.bestMatch.flatMap { $0.basis <= .messageRule ? $0.entry.code : nil } ?? v.code ?? v.type ?? v.status
        let label: String
        switch (v.system, code) {
        case (let s?, let c?): label = "\(s)/\(c)" + (v.known ? "" : " (unknown)")
        case (nil, let c?): label = "\(v.envelope): \(c)" + (v.known ? "" : " (unknown)")
        case (let s?, nil): label = "\(s): (no code)"
        case (nil, nil):
            switch v.bodyKind {
            case .json: label = v.envelope == ErrorDecoder.envelopeNone ? "(no known envelope)" : "\(v.envelope): (no code)"
            case .truncatedJSON: label = "(truncated JSON)"
            case .invalidJSON: label = "(not JSON)"
            default: label = v.category != nil ? "(text: \(v.category!.rawValue))" : "(not JSON)"
            }
        }
        var g = Group(system: v.system, code: code, wire: v.code ?? v.type ?? v.status ?? "", envelope: v.envelope)
        g.label = label
        g.category = v.category
        g.retry = v.retry.retryClass ?? v.retry.retryable.map { $0 ? .yes : .no }
        g.rule = v.messageRule?.id
        g.known = v.known
        g.recognised = v.envelope != ErrorDecoder.envelopeNone
        g = resolvedKeys(g)
        if var t = record.time {
            t.withUTF8 { count(g, http: v.http, time: $0) }
        } else {
            count(g, http: v.http, time: wrapped?.1 ?? nil)
        }
        if memoable, memo.count < Self.memoLimit {
            memoIndex.set(hash, Int32(memo.count))
            memo.append(MemoHit(key: Array(head) + Array(tail), row: g.memoKey, http: v.http, envelopeIndex: g.envelopeIndex,
                                 systemSlot: g.systemSlot, recognised: g.recognised, known: g.known))
        }
    }

    static func range(of needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard let n = needle.baseAddress, let h = hay.baseAddress, !needle.isEmpty, needle.count <= hay.count else { return nil }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            guard let p = memchr(h + i, Int32(n[0]), last - i + 1) else { return nil }
            let at = UnsafeRawPointer(h).distance(to: UnsafeRawPointer(p))
            if memcmp(h + at, n, needle.count) == 0 { return at..<(at + needle.count) }
            i = at + 1
        }
        return nil
    }

    /// `g` with its envelope index, system slot and row key worked out.
    func resolvedKeys(_ g: Group) -> Group {
        var g = g
        g.envelopeIndex = catalog.envelopes.firstIndex { $0.id == g.envelope } ?? catalog.envelopes.count
        g.systemSlot = g.system.flatMap { catalog.systemIDs.firstIndex(of: $0) } ?? -1
        var keyText = g.label + "|" + (g.category?.rawValue ?? "") + "|" + (g.rule ?? "")
        keyText.withUTF8 { g.memoKey = wordHash($0, seed: 0xcbf2_9ce4_8422_2325) | 1 }
        return g
    }

    /// Counts a line in row `key` (which exists), in place: `groups[key]!.add` copied the row out
    /// and back, retaining each of its strings, on every line.
    @inline(__always) private mutating func addToRow(_ key: UInt64, http: Int?, time: UnsafeBufferPointer<UInt8>?) {
        if let i = groups.index(forKey: key) { groups.values[i].add(http: http, time: time) }
    }

    /// Counts one line of the reference's verdict `g` (its totals and its row).
    private mutating func count(_ g: Group, http: Int?, time: UnsafeBufferPointer<UInt8>?) {
        let g = g.memoKey == 0 ? resolvedKeys(g) : g  // a memoised verdict has them already
        envelopeCounts[g.envelopeIndex] += 1
        if g.recognised { recognised += 1 }
        if g.systemSlot >= 0 { systemCounts[g.systemSlot] += 1 } else { unknownSystem += 1 }
        if g.known { known += 1 }
        let h = g.memoKey
        if groups[h] == nil { var fresh = g; fresh.count = 0; fresh.statuses = [:]; fresh.firstBytes = nil; fresh.lastBytes = nil; groups[h] = fresh }
        addToRow(h, http: http, time: time)
        lastKey = h
    }

    /// Summarises `text` on `threads` threads (split at line boundaries) and merges the counts.
    public static func summarize(lines text: UnsafeBufferPointer<UInt8>, catalog: Catalog, system: String? = nil,
                                 fields: LogFields = .auto,
                                 threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> BatchSummary
    {
        let parts = max(1, min(threads, text.count / (256 << 10)))
        if parts == 1 {
            var s = BatchSummary(catalog: catalog, system: system, fields: fields)
            s.add(lines: text)
            return s
        }
        // Chunks of about 256 KiB, cut at line ends, taken in turn by `parts` workers (each with
        // its own summary): a worker that meets slow lines takes fewer chunks, so both cores
        // finish together (halves were up to 5 % apart on the provider mix).
        var cuts = [0]
        let chunk = 256 << 10
        while cuts.last! < text.count {
            var c = min(text.count, cuts.last! + chunk)
            while c < text.count && text[c - 1] != 0x0A { c += 1 }
            cuts.append(c)
        }
        let results = UnsafeMutableBufferPointer<BatchSummary?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let out = results
        nonisolated(unsafe) let input = text
        let bounds = cuts
        let lock = NSLock()
        nonisolated(unsafe) var next = 0
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            var s = BatchSummary(catalog: catalog, system: system, fields: fields)
            while true {
                let k = lock.withLock { () -> Int in
                    defer { next += 1 }
                    return next
                }
                guard k < bounds.count - 1 else { break }
                s.add(lines: UnsafeBufferPointer(rebasing: input[bounds[k]..<bounds[k + 1]]))
            }
            out[p] = s
        }
        var merged = results[0]!
        for p in 1..<parts { merged.merge(results[p]!) }
        return merged
    }

    mutating func merge(_ o: BatchSummary) {
        total += o.total
        referenceLines += o.referenceLines
        for i in fallbacks.indices { fallbacks[i] += o.fallbacks[i] }
        recognised += o.recognised
        known += o.known
        unknownSystem += o.unknownSystem
        for i in envelopeCounts.indices { envelopeCounts[i] += o.envelopeCounts[i] }
        for i in systemCounts.indices { systemCounts[i] += o.systemCounts[i] }
        for (k, g) in o.groups {
            if groups[k] == nil { groups[k] = g } else { groups[k]!.merge(g) }
        }
    }

    // MARK: Results

    public var bySystem: [(String, Int)] {
        var out = zip(catalog.systems.map(\.id), systemCounts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
        if unknownSystem > 0 { out.append(("(unknown)", unknownSystem)) }
        return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public var byEnvelope: [(String, Int)] {
        let names = catalog.envelopes.map(\.id) + [ErrorDecoder.envelopeNone]
        return zip(names, envelopeCounts).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public var byCode: [(String, Int)] { rows.map { ($0.label, $0.count) } }

    /// The summary's rows, most frequent first; ties in a fixed order (one code can be two rows,
    /// refined by different message rules, so the label alone is not enough).
    public var rows: [Group] {
        groups.values.sorted { a, b in
            if a.count != b.count { return a.count > b.count }
            if a.label != b.label { return a.label < b.label }
            if a.envelope != b.envelope { return a.envelope < b.envelope }
            if a.category?.rawValue != b.category?.rawValue { return (a.category?.rawValue ?? "") < (b.category?.rawValue ?? "") }
            if a.rule != b.rule { return (a.rule ?? "") < (b.rule ?? "") }
            // Rows that read the same (one code by two paths): still one order on every run.
            if a.code != b.code { return (a.code ?? "") < (b.code ?? "") }
            if a.wire != b.wire { return a.wire < b.wire }
            if a.first != b.first { return (a.first ?? "") < (b.first ?? "") }
            return (a.last ?? "") < (b.last ?? "")
        }
    }

    public var byCategory: [(String, Int)] {
        var c: [String: Int] = [:]
        for g in groups.values { c[g.category?.rawValue ?? "(none)", default: 0] += g.count }
        return c.map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    public var json: JSONValue {
        func list(_ items: [(String, Int)]) -> JSONValue {
            .array(items.map { ["name": .string($0.0), "count": .int(Int64($0.1))] })
        }
        let codes: [JSONValue] = rows.map { g in
            var o = JSONObject()
            o["name"] = .string(g.label)
            o["system"] = g.system.map { .string($0) } ?? .null
            o["code"] = g.code.map { .string($0) } ?? .null
            o["envelope"] = .string(g.envelope)
            o["count"] = .int(Int64(g.count))
            o["share"] = .double(total > 0 ? (Double(g.count) / Double(total) * 10000).rounded() / 10000 : 0)
            o["category"] = g.category.map { .string($0.rawValue) } ?? .null
            o["http"] = g.http.map { .int(Int64($0)) } ?? .null
            o["statuses"] = .object(JSONObject(g.statuses.sorted { $0.key < $1.key }.map { (String($0.key), .int(Int64($0.value))) }))
            o["retry"] = g.retry.map { .string($0.rawValue) } ?? .null
            o["message_rule"] = g.rule.map { .string($0) } ?? .null
            o["first_seen"] = g.first.map { .string($0) } ?? .null
            o["last_seen"] = g.last.map { .string($0) } ?? .null
            return .object(o)
        }
        return [
            "total": .int(Int64(total)), "recognised": .int(Int64(recognised)), "known": .int(Int64(known)),
            "reference_lines": .int(Int64(referenceLines)),
            // Why those lines needed the reference decoder (the fast path's blind spots).
            "reference_reasons": .object(JSONObject(Fallback.allCases.filter { fallbacks[$0.rawValue] > 0 }
                .map { ($0.name, .int(Int64(fallbacks[$0.rawValue]))) })),
            "by_system": list(bySystem), "by_envelope": list(byEnvelope), "by_category": list(byCategory), "by_code": .array(codes),
        ]
    }

    // MARK: Fingerprints

    /// Scores every envelope, then (`fingerprints` > 0) every system's path fingerprints, into
    /// the scratch scores; the roots are the envelopes'. The table skips an envelope or a system
    /// whose conditions all start with top-level keys the body lacks.
    func detect(_ tape: JSONTape, _ body: UnsafeBufferPointer<UInt8>, base: Int, fingerprints n: Int) {
        let scores = scratchScores.baseAddress!, roots = scratchRoots.baseAddress!
        fingerprints.evaluateAll(0..<envelopeCount, tape, body, base: base, scores: scores, roots: roots)
        if n > 0 {
            fingerprints.evaluateAll(envelopeCount..<(envelopeCount + n), tape, body, base: base,
                                     scores: scores + envelopeCount, roots: roots + envelopeCount)
        }
    }

    /// The system whose fingerprints hold most on this body (`ErrorDecoder.fingerprintSystem`
    /// on the tape): its slot, or -1 for none or a tie. Reads `lowered` (the message) and the
    /// fingerprint scores `detect` left after the envelopes'.
    mutating func fingerprintWinner() -> Int {
        let scores = scratch32.systemScores
        scores.update(repeating: 0)
        let n = fingerprintSlots.count
        for i in 0..<n where scratchScores[envelopeCount + i] > 0 { scores[fingerprintSlots[i]] += scratchScores[envelopeCount + i] / 2 }
        if !lowered.isEmpty {
            let slots = messageFingerprintSlots
            lowered.withUnsafeBufferPointer { low in
                messageFingerprints.forEachMatch(in: low) { scores[slots[$0]] += 1 }
            }
        }
        var best = -1, bestScore: Int32 = 0, tie = false
        for slot in scores.indices where scores[slot] > 0 {
            let score = scores[slot]
            if score > bestScore { best = slot; bestScore = score; tie = false } else if score == bestScore { tie = true }
        }
        return tie ? -1 : best
    }

    // MARK: Log wrappers

    struct Wrapper {
        var body: Int?
        var bodyIsError = false
        var status: Int?
        var time: Int?
        var isWrapper = false
    }

    /// The log field names end to end, for one pass over a line's keys: each name's place in
    /// `bytes`, its kind (0 body, 1 status, 2 time) and its rank in its list (the first listed
    /// name present wins, as in `LogLine.parts`).
    struct WrapperNames {
        struct Name { var start: Int, count: Int, kind: UInt8, rank: Int }
        var bytes: [UInt8] = []
        var names: [Name] = []
        /// Per name length, a bit per first byte (mod 64) of the names of that length.
        var lengths = [UInt64](repeating: 0, count: 65)
        /// Per body name (by rank): it is `error` and was not named by the user, so it makes a
        /// wrapper only beside a status or a time.
        var bodyIsError: [Bool] = []
        init(_ fields: LogFields) {
            bodyIsError = fields.body.map { $0 == "error" && !fields.explicitBody }
            for (kind, list) in [fields.body, fields.status, fields.time].enumerated() {
                for (rank, name) in list.enumerated() {
                    let b = Array(name.utf8)
                    names.append(Name(start: bytes.count, count: b.count, kind: UInt8(kind), rank: rank))
                    bytes += b
                    if b.count < lengths.count { lengths[b.count] |= 1 << UInt64((b.first ?? 0) & 63) }
                }
            }
        }

        /// Calls `hit` with each name equal to `key` (length and first byte rule out most keys;
        /// a name past 64 bytes is always compared).
        @inline(__always) func forEachMatch(_ key: UnsafeBufferPointer<UInt8>, _ hit: (Name) -> Void) {
            let n = key.count
            if n < lengths.count, lengths[n] & (1 << UInt64((n > 0 ? key[0] : 0) & 63)) == 0 { return }
            bytes.withUnsafeBufferPointer { nb in
                names.withUnsafeBufferPointer { all in
                    for name in all where name.count == n && (n == 0 || memcmp(key.baseAddress!, nb.baseAddress! + name.start, n) == 0) {
                        hit(name)
                    }
                }
            }
        }
    }

    /// `LogLine.parts` in one pass over the top-level keys, without a copy or a retain; a line
    /// with an escaped key is read by `LogLine.parts` itself. A differential test compares them.
    func wrapperParts(_ tape: JSONTape, _ buf: UnsafeBufferPointer<UInt8>) -> Wrapper {
        var w = Wrapper()
        guard tape.kind(0) == .object else { return w }
        var found: (Int, Int, Int) = (-1, -1, -1)   // member value per kind
        var rank: (Int, Int, Int) = (.max, .max, .max)
        var k = 1
        let end = Int(tape.entry(0).b)
        while k < end {
            let e = tape.entry(k)
            let v = k + 1
            k = tape.next(v)
            if e.flag {
                let p = LogLine.parts(tape, buf, fields: fields)
                w.body = p.body; w.status = p.status; w.time = p.time; w.isWrapper = p.isWrapper
                w.bodyIsError = p.bodyName == "error" && !fields.explicitBody
                return w
            }
            wrapperNames.forEachMatch(tape.rawBytes(v - 1, in: buf)) { name in
                switch name.kind {
                case 0: if name.rank < rank.0 { rank.0 = name.rank; found.0 = v }
                case 1: if name.rank < rank.1 { rank.1 = name.rank; found.1 = v }
                default: if name.rank < rank.2 { rank.2 = name.rank; found.2 = v }
                }
            }
        }
        if found.0 >= 0 { w.body = found.0; w.bodyIsError = wrapperNames.bodyIsError[rank.0] }
        if found.1 >= 0 { w.status = found.1 }
        if found.2 >= 0 { w.time = found.2 }
        if w.body != nil { w.isWrapper = fields.explicitBody || !w.bodyIsError || w.status != nil || w.time != nil }
        return w
    }
}

/// Message rules compiled for the summary: substrings as lowercase bytes, conditions as bytes.
struct RuleBank: Sendable {
    let rules: [MessageRule]
    let codes: [[[UInt8]]]
    let types: [[[UInt8]]]
    /// Per system slot: a rule of it reads the type; one needs a regular expression.
    let typed: [Bool]
    let regex: [Bool]
    let globalRegex: Bool
    let envelopes: [Set<Int>]
    /// Per rule, what the hot loop reads, so it never copies a `MessageRule` (a copy retains
    /// each of its arrays and strings): left to the reference (a regular expression or a
    /// fallback), its HTTP matchers, whether it names envelopes.
    let skip: [Bool]
    let http: [[HTTPMatcher]]
    let namesEnvelopes: [Bool]
    /// Rule indices per system slot, and the global ones.
    let bySystem: [[Int]]
    let global: [Int]
    /// Every rule's texts end to end (`textBytes[textStart[k]..<textStart[k + 1]]`), and per rule
    /// its texts (`ruleText[i]..<ruleText[i + 1]`): read in place, nothing retained per line.
    let textBytes: [UInt8]
    let textStart: [Int]
    let ruleText: [Int]
    /// Per text, the index of its rarest byte (`RuleBank.anchor`).
    let textAnchor: [Int]

    init(_ catalog: Catalog) {
        var all: [MessageRule] = []
        var by: [[Int]] = []
        for sys in catalog.systems {
            var idx: [Int] = []
            for r in sys.messageRules { idx.append(all.count); all.append(r) }
            by.append(idx)
        }
        var g: [Int] = []
        for r in catalog.traffic.messageRules {
            g.append(all.count)
            all.append(r)
        }
        rules = all
        bySystem = by
        global = g
        codes = all.map { $0.codes.map { Array($0.utf8) } }
        types = all.map { $0.types.map { Array($0.utf8) } }
        typed = by.map { idx in idx.contains { !all[$0].types.isEmpty } }
        regex = by.map { idx in idx.contains { all[$0].regex != nil } }
        globalRegex = g.contains { all[$0].regex != nil && !all[$0].fallback }
        envelopes = all.map { r in Set(r.envelopes.compactMap { e in catalog.envelopes.firstIndex { $0.id == e } }) }
        skip = all.map { $0.regex != nil || $0.fallback }
        var tb: [UInt8] = [], ts = [0], rt = [0]
        for r in all {
            for t in r.contains { tb += Array(t.utf8); ts.append(tb.count) }
            rt.append(ts.count - 1)
        }
        textBytes = tb; textStart = ts; ruleText = rt
        textAnchor = (0..<(ts.count - 1)).map { k in tb.withUnsafeBufferPointer { Self.anchor(UnsafeBufferPointer(rebasing: $0[ts[k]..<ts[k + 1]])) } }
        http = all.map(\.http)
        namesEnvelopes = all.map { !$0.envelopes.isEmpty }
    }

    /// Whether `needle` occurs in `hay`.
    @inline(__always)
    static func find(_ needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        find(needle, in: hay, anchor: anchor(needle))
    }

    /// How common a byte is in an error message (higher is rarer): English letter frequency,
    /// space the most common; digits middling; punctuation and other bytes rare.
    static let byteRarity: [UInt8] = {
        var r = [UInt8](repeating: 30, count: 256)
        for (i, c) in " etaoinshrdlcumwfgypbvkjxqz".utf8.enumerated() { r[Int(c)] = UInt8(i) }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { r[Int(c)] = 14 }
        return r
    }()

    /// The index of the needle's rarest byte: the one `find` runs memchr for.
    static func anchor(_ needle: UnsafeBufferPointer<UInt8>) -> Int {
        var best = 0, rarest = -1
        for (i, c) in needle.enumerated() where Int(byteRarity[Int(c)]) > rarest { best = i; rarest = Int(byteRarity[Int(c)]) }
        return best
    }

    /// Whether `needle` occurs in `hay`, looking for its byte at `anchor` with memchr (its
    /// rarest: in English text the first byte of a text matched every few bytes, and a check
    /// per match was most of a rule's cost), then comparing the ends and the whole.
    @inline(__always)
    static func find(_ needle: UnsafeBufferPointer<UInt8>, in hay: UnsafeBufferPointer<UInt8>, anchor a: Int) -> Bool {
        guard let n = needle.baseAddress, let h = hay.baseAddress, needle.count > 0, needle.count <= hay.count else { return needle.isEmpty }
        let len = needle.count
        let target = Int32(n[a]), head = n[0], tail = n[len - 1]
        let lastAnchor = hay.count - len + a
        var i = a
        while i <= lastAnchor {
            guard let p = memchr(h + i, target, lastAnchor - i + 1) else { return false }
            let at = UnsafeRawPointer(h).distance(to: UnsafeRawPointer(p))
            let start = at - a
            if h[start] == head && h[start + len - 1] == tail && memcmp(h + start, n, len) == 0 { return true }
            i = at + 1
        }
        return false
    }

    static func equal(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.isEmpty || a.withUnsafeBufferPointer { memcmp($0.baseAddress!, b.baseAddress!, a.count) == 0 })
    }

    /// The first rule of `idx` that holds, as `MessageRule.holds` decides (rules with a regular
    /// expression are left to the reference decoder).
    func first(in idx: [Int], code: UnsafeBufferPointer<UInt8>, type: UnsafeBufferPointer<UInt8>?, http: Int?, envelope: Int,
               lowerMessage m: UnsafeBufferPointer<UInt8>) -> Int? {
        guard m.baseAddress != nil else { return nil }
        return textBytes.withUnsafeBufferPointer { tb in
            for i in idx {
                // The fast path only sees bodies with a catalog code, where fallbacks never speak.
                if skip[i] { continue }
                if !codes[i].isEmpty, !codes[i].contains(where: { Self.equal($0, code) }) { continue }
                if !types[i].isEmpty, let t = type, !types[i].contains(where: { Self.equal($0, t) }) { continue }
                if !self.http[i].isEmpty, let h = http, !self.http[i].contains(where: { $0.matches(h) }) { continue }
                if !envelopes[i].isEmpty, !envelopes[i].contains(envelope) { continue }
                if namesEnvelopes[i], envelopes[i].isEmpty { continue }
                for k in ruleText[i]..<ruleText[i + 1] {
                    let text = UnsafeBufferPointer(rebasing: tb[textStart[k]..<textStart[k + 1]])
                    if Self.find(text, in: m, anchor: textAnchor[k]) { return i }
                }
            }
            return nil
        }
    }
}
