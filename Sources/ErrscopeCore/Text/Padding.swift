extension String {
    /// Terminal columns (`DisplayWidth`): a wide character is two, a combining mark none.
    public var columns: Int { DisplayWidth.of(self) }

    /// Right-aligns in `n` terminal columns (longer strings are left alone).
    public func leftPad(_ n: Int) -> String {
        let c = columns
        return c >= n ? self : String(repeating: " ", count: n - c) + self
    }

    /// Pads with spaces to `n` terminal columns, cutting anything wider (a wide character that
    /// would straddle the edge becomes a space): tables line up whatever script the text is in.
    public func rightPad(_ n: Int) -> String {
        let c = columns
        if c == n { return self }
        if c < n { return self + String(repeating: " ", count: n - c) }
        var out = "", w = 0
        for ch in self {
            let cw = DisplayWidth.of(ch)
            if w + cw > n { break }
            out.append(ch)
            w += cw
        }
        return out + String(repeating: " ", count: n - w)
    }
}
