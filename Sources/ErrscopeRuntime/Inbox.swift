import ErrscopeTUI
import Foundation

/// Events posted from other threads (probe results, the log follower), and the pipe that wakes
/// the loop when one arrives.
// @unchecked Sendable: `events` is only touched under `lock`; the pipe fds are immutable.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [Event] = []
    let readFD: Int32
    let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func post(_ e: Event) {
        lock.withLock { events.append(e) }
        var one: UInt8 = 1
        _ = write(writeFD, &one, 1)
    }

    func drain() -> [Event] {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buf, 64) > 0 {}
        return lock.withLock {
            defer { events.removeAll() }
            return events
        }
    }
}
