/// Where each pane goes for a terminal size. Wide terminals put tree and detail side by side
/// over a full-width mapping pane; narrow ones stack the tree over the pane in focus.
public struct Layout: Sendable, Equatable {
    public static let minWidth = 40
    public static let minHeight = 10
    /// From this width, tree and detail sit side by side over the lower place.
    public static let wideWidth = 100

    public var title: Rect
    public var tree: Rect
    public var detail: Rect
    /// The mapping pane; the probe pane shares this place (tabs).
    public var mapping: Rect
    public var status: Rect
    public var tooSmall: Bool
    /// Narrow: detail and mapping share one place, the focused one shows.
    public var stacked: Bool
    /// The pane that has the whole body (`z`), the others get no room; nil: the usual layout.
    public var zoom: Pane? = nil

    /// Everything between the title and the status line.
    public var body: Rect { Rect(x: 0, y: title.maxY, width: title.width, height: max(0, status.y - title.maxY)) }

    /// The rectangle of a place.
    public func rect(_ place: PanePlace) -> Rect {
        switch place {
        case .left: return tree
        case .side: return detail
        case .lower: return mapping
        }
    }

    public static let empty = Layout(title: .init(x: 0, y: 0, width: 0, height: 0), tree: .init(x: 0, y: 0, width: 0, height: 0),
                                     detail: .init(x: 0, y: 0, width: 0, height: 0), mapping: .init(x: 0, y: 0, width: 0, height: 0),
                                     status: .init(x: 0, y: 0, width: 0, height: 0), tooSmall: true, stacked: false)

    /// The layout with pane `zoom` (if any) given the whole body, title and status line kept.
    public static func compute(width w: Int, height h: Int, zoom: Pane?) -> Layout {
        var l = compute(width: w, height: h)
        guard let z = zoom, !l.tooSmall else { return l }
        let body = Rect(x: 0, y: 1, width: w, height: h - 2)
        let none = Rect(x: 0, y: 1, width: 0, height: 0)
        let place = z.spec.place
        l.tree = place == .left ? body : none
        l.detail = place == .side ? body : none
        l.mapping = place == .lower ? body : none
        l.stacked = false
        l.zoom = z
        return l
    }

    public static func compute(width w: Int, height h: Int) -> Layout {
        guard w >= minWidth, h >= minHeight else {
            var l = empty
            l.status = Rect(x: 0, y: max(0, h - 1), width: w, height: min(1, h))
            return l
        }
        let title = Rect(x: 0, y: 0, width: w, height: 1)
        let status = Rect(x: 0, y: h - 1, width: w, height: 1)
        let bodyY = 1, bodyH = h - 2
        if w >= wideWidth {
            // Tree and detail side by side on top; the mapping pane takes the full width below so
            // that four envelopes fit side by side at 120 columns.
            let topH = max(8, bodyH * 9 / 20)
            let treeW = max(34, w * 42 / 100)
            return Layout(title: title, tree: Rect(x: 0, y: bodyY, width: treeW, height: topH),
                          detail: Rect(x: treeW, y: bodyY, width: w - treeW, height: topH),
                          mapping: Rect(x: 0, y: bodyY + topH, width: w, height: bodyH - topH),
                          status: status, tooSmall: false, stacked: false)
        }
        let treeH = max(4, bodyH * 2 / 5)
        let rest = Rect(x: 0, y: bodyY + treeH, width: w, height: bodyH - treeH)
        return Layout(title: title, tree: Rect(x: 0, y: bodyY, width: w, height: treeH), detail: rest, mapping: rest,
                      status: status, tooSmall: false, stacked: true)
    }
}
