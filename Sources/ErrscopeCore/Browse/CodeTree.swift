import Foundation

/// Systems → domains → codes, grouped once from the catalog (in catalog order) for browsing.
/// Built on hashed bytes, so a million codes group without a String per row.
public final class CodeTree: Sendable {
    public struct Domain: Sendable {
        public let id: String
        public let title: String?
        public let section: String?
        public let rows: [Int32]
    }
    public struct System: Sendable {
        public let id: String
        public let name: String
        public let domains: [Domain]
        public var codeCount: Int { domains.reduce(0) { $0 + $1.rows.count } }
    }

    public let catalog: Catalog
    public let systems: [System]
    /// For each catalog row: (system index, domain index) in `systems`.
    let position: [(Int32, Int32)]

    public init(catalog: Catalog) {
        self.catalog = catalog
        let store = catalog.store
        var perSystem: [[(key: UInt64, name: String, rows: [Int32])]] = Array(repeating: [], count: catalog.systems.count)
        var slotIndex: [[UInt64: Int]] = Array(repeating: [:], count: catalog.systems.count)
        for row in 0..<store.count {
            let s = Int(store.system[row])
            let h = store.hash(store.domain[row])
            if let i = slotIndex[s][h] {
                perSystem[s][i].rows.append(Int32(row))
            } else {
                slotIndex[s][h] = perSystem[s].count
                perSystem[s].append((h, store.string(store.domain[row]), [Int32(row)]))
            }
        }
        var systems: [System] = []
        var position = [(Int32, Int32)](repeating: (0, 0), count: store.count)
        for (si, info) in catalog.systems.enumerated() {
            // Declared domain order first, then the order codes name them.
            var groups = perSystem[si]
            let declared = info.domains.map(\.id)
            groups.sort { a, b in
                let ia = declared.firstIndex(of: a.name) ?? Int.max, ib = declared.firstIndex(of: b.name) ?? Int.max
                return ia != ib ? ia < ib : false
            }
            let domains = groups.enumerated().map { di, g -> Domain in
                for r in g.rows { position[Int(r)] = (Int32(si), Int32(di)) }
                let d = info.domains.first { $0.id == g.name }
                return Domain(id: g.name, title: d?.title, section: d?.section, rows: g.rows)
            }
            systems.append(System(id: info.id, name: info.name, domains: domains))
        }
        self.systems = systems
        self.position = position
    }

    /// Where a catalog row sits in the tree.
    public func location(of row: Int) -> (system: Int, domain: Int) {
        let p = position[row]
        return (Int(p.0), Int(p.1))
    }
}
