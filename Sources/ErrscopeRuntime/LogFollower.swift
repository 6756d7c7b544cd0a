import ErrscopeTUI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Follows a log like `tail -F` on its own thread and posts what it reads as `.logData` events:
/// the end of the file first (the last 16 MiB, from a line start), then what is appended. When
/// the path names another file (rotation), the old one is read to its end and the new one from
/// its start; when the file shrinks (truncation), reading starts again at 0; when it is gone, it
/// waits for it to come back. `-` reads standard input (a descriptor the runtime kept before the
/// terminal took fd 0) until it ends. Reads are batched about every 100 ms so a fast log costs
/// one decode and one frame per batch, not per line.
final class LogFollower: @unchecked Sendable {
    static let initialTail: off_t = 16 << 20
    static let chunk = 256 << 10
    let source: String
    let stdinFD: Int32?
    let post: @Sendable (Event) -> Void
    private let lock = NSLock()
    private var stopped = false

    init(source: String, stdinFD: Int32?, post: @escaping @Sendable (Event) -> Void) {
        self.source = source
        self.stdinFD = stdinFD
        self.post = post
    }

    var isStopped: Bool { lock.withLock { stopped } }
    func stop() { lock.withLock { stopped = true } }

    func start() {
        let t = Thread { [self] in
            if source == "-" { followStdin() } else { followFile() }
        }
        t.name = "errscope-log"
        t.start()
    }

    private func status(_ text: String, error: Bool = false) { post(.logStatus(text, isError: error)) }

    /// Reads `fd` to its end, posting what it read in batches of at most 4 MiB; returns how many bytes.
    @discardableResult
    private func readAll(_ fd: Int32, _ buf: UnsafeMutableRawPointer, skippingToLine: Bool = false) -> Int {
        var total = 0
        var data: [UInt8] = []
        var skipping = skippingToLine
        while !isStopped {
            let n = read(fd, buf, Self.chunk)
            if n > 0 {
                var chunk = UnsafeRawBufferPointer(start: buf, count: n)
                total += n
                if skipping {
                    // Started mid-file: drop the partial line before the first newline.
                    guard let nl = chunk.firstIndex(of: 0x0A) else { continue }
                    chunk = UnsafeRawBufferPointer(rebasing: chunk[(nl + 1)...])
                    skipping = false
                }
                data.append(contentsOf: chunk)
                if data.count >= 4 << 20 { post(.logData(data, now: Clock.nanos())); data = [] }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            break
        }
        if !data.isEmpty { post(.logData(data, now: Clock.nanos())) }
        return total
    }

    private func followStdin() {
        guard let fd = stdinFD else { status("no standard input to read", error: true); return }
        let buf = UnsafeMutableRawPointer.allocate(byteCount: Self.chunk, alignment: 8)
        defer { buf.deallocate() }
        status("following standard input")
        while !isStopped {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = read(fd, buf, Self.chunk)
            if n > 0 {
                var data = [UInt8](UnsafeRawBufferPointer(start: buf, count: n))
                // Take what else is there now, then hand it over in one batch.
                usleep(50_000)
                while poll(&p, 1, 0) > 0, p.revents & Int16(POLLIN) != 0, data.count < 4 << 20 {
                    let m = read(fd, buf, Self.chunk)
                    if m <= 0 { break }
                    data.append(contentsOf: UnsafeRawBufferPointer(start: buf, count: m))
                }
                post(.logData(data, now: Clock.nanos()))
            } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                status("standard input ended")
                return
            }
        }
    }

    private func followFile() {
        let buf = UnsafeMutableRawPointer.allocate(byteCount: Self.chunk, alignment: 8)
        defer { buf.deallocate() }
        var fd: Int32 = -1
        var inode: (UInt64, UInt64) = (0, 0)
        var offset: off_t = 0
        var missingSaid = false
        var first = true
        var skipToLine = false
        defer { if fd >= 0 { close(fd) } }
        while !isStopped {
            if fd < 0 {
                fd = open(source, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                if fd < 0 {
                    if !missingSaid { status("\(source): \(String(cString: strerror(errno))); waiting for it to appear", error: true); missingSaid = true }
                    usleep(250_000)
                    continue
                }
                missingSaid = false
                var st = stat()
                fstat(fd, &st)
                inode = (UInt64(st.st_dev), UInt64(st.st_ino))
                offset = 0
                if first, st.st_size > Self.initialTail {
                    // A long log: its last 16 MiB, from the start of a line (readAll skips the rest of
                    // the line it lands in).
                    offset = lseek(fd, st.st_size - Self.initialTail, SEEK_SET)
                    skipToLine = true
                    status("following \(source) (from its last 16 MiB)")
                } else {
                    status(first ? "following \(source)" : "following \(source) (a new file)")
                }
                first = false
            }
            offset += off_t(readAll(fd, buf, skippingToLine: skipToLine))
            skipToLine = false
            // What is at the path now?
            var now = stat()
            if stat(source, &now) != 0 {
                if !missingSaid { status("\(source) is gone (rotated or deleted); waiting for it to come back"); missingSaid = true }
            } else if (UInt64(now.st_dev), UInt64(now.st_ino)) != inode {
                // Rotated: finish the old file, then the new one from its start.
                readAll(fd, buf)
                close(fd)
                fd = -1
                status("\(source) was rotated: reading the new file")
                continue
            } else if now.st_size < offset {
                lseek(fd, 0, SEEK_SET)
                offset = 0
                status("\(source) was truncated: reading it from the start")
                continue
            }
            usleep(100_000)
        }
    }
}
