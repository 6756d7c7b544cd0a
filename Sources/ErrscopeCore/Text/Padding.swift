extension String {
    /// Right-aligns in `n` characters (longer strings are left alone).
    public func leftPad(_ n: Int) -> String {
        let c = count
        return c >= n ? self : String(repeating: " ", count: n - c) + self
    }

    /// Pads with spaces to `n` characters, cutting anything longer: what Foundation's
    /// `padding(toLength:withPad:startingAt:)` does, without bridging to NSString on a cold start.
    public func rightPad(_ n: Int) -> String {
        let c = count
        return c == n ? self : c > n ? String(prefix(n)) : self + String(repeating: " ", count: n - c)
    }
}
