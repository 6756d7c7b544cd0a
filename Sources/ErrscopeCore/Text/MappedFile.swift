import Foundation

/// A file mapped read-only into memory, for inputs read once front to back (catalogs, JSON
/// lines): no copy into the heap, and pages already read can be given back with `release(upTo:)`.
/// Returns nil for what cannot be mapped (pipes, empty files, `/proc`); read those instead.
// @unchecked Sendable: a read-only mapping; only its owner calls `release(upTo:)` (madvise), which never changes the bytes.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Open while the mapping is (O_CLOEXEC).
    public let fd: Int32

    public init?(path: String, maxSize: Int = .max) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0, Int(st.st_size) <= maxSize,
            let m = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED
        else {
            close(fd)
            return nil
        }
        _ = madvise(m, Int(st.st_size), MADV_SEQUENTIAL)
        self.fd = fd
        bytes = UnsafeBufferPointer(start: m.assumingMemoryBound(to: UInt8.self), count: Int(st.st_size))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        close(fd)
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Drops the pages before `offset` from memory (they are read again from the file if used).
    public func release(upTo offset: Int) {
        let end = min(offset, bytes.count) / Self.pageSize * Self.pageSize
        if end > 0 { _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress), end, MADV_DONTNEED) }
    }
}
