import Foundation
import GRDB

/// A journal that cannot be opened, read or written; the message names the file.
public struct JournalError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "journal \(path): \(message)" }
    public var errorDescription: String? { description }

    /// Turns a GRDB/SQLite error into a message a user can act on.
    static func wrap(_ error: any Error, path: String, doing what: String) -> JournalError {
        if let e = error as? JournalError { return e }
        guard let db = error as? DatabaseError else {
            return JournalError(path: path, message: "cannot \(what): \(error.localizedDescription)")
        }
        let detail = db.message.map { " (\($0))" } ?? ""
        switch db.resultCode {
        case .SQLITE_NOTADB:
            return JournalError(path: path, message: "not an SQLite database (corrupt, or not an errscope journal); move it aside to start a new journal")
        case .SQLITE_CORRUPT:
            return JournalError(path: path, message: "the journal is corrupt\(detail); move it aside to start a new journal")
        case .SQLITE_CANTOPEN:
            return JournalError(path: path, message: "cannot open the file\(detail); check that it is a file and that its folder is readable and writable")
        case .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
            return JournalError(path: path, message: "permission denied\(detail); check the permissions of the file and its folder")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return JournalError(path: path, message: "locked by another process for more than \(Int(Journal.busyTimeout)) s; try again")
        case .SQLITE_FULL:
            return JournalError(path: path, message: "the disk is full")
        case .SQLITE_IOERR:
            return JournalError(path: path, message: "input/output error\(detail)")
        default:
            return JournalError(path: path, message: "cannot \(what): \(db.message ?? "\(db.resultCode)")")
        }
    }
}

/// Every probe, in SQLite, for incident timelines.
///
/// Durability: the database is in WAL mode and every `record` is its own committed write
/// transaction. When `record` returns, SQLite has `write()`n the transaction's frames, commit
/// mark included, to the `-wal` file: they are in the operating system's page cache, which
/// outlives the process. A process killed with SIGKILL right after `record` returns therefore
/// loses nothing; the next connection replays the WAL. `synchronous=NORMAL` skips the fsync at
/// each commit (WAL frames are fsynced at checkpoints instead): only a power loss or kernel
/// crash can drop the last few probes, and even then the file stays consistent. `FULL` would
/// add an fsync to every probe to cover power loss too; a diagnostic journal does not need it.
///
/// Concurrency: a `DatabasePool` serializes this instance's writes and lets reads run beside
/// them; other processes (the TUI recording while `errscope journal list` reads) wait on
/// SQLite's locks for up to `busyTimeout` seconds.
public final class Journal: Sendable {
    /// Where the journal is.
    public let path: String
    /// The most body bytes kept per probe.
    public let bodyCap: Int
    let pool: DatabasePool

    /// How long a write waits for another process's lock, in seconds.
    public static let busyTimeout: TimeInterval = 2

    /// `$ERRSCOPE_STATE_DIR/journal.sqlite`, else `$XDG_STATE_HOME/errscope/journal.sqlite`,
    /// else `~/.local/state/errscope/journal.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["ERRSCOPE_STATE_DIR"], !dir.isEmpty {
            return join(dir, "journal.sqlite")
        }
        // The XDG spec says relative values are invalid and must be ignored.
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return join(state, "errscope/journal.sqlite")
        }
        var home = environment["HOME"] ?? ""
        if home.isEmpty { home = NSHomeDirectory() }
        return join(home, ".local/state/errscope/journal.sqlite")
    }

    private static func join(_ dir: String, _ rest: String) -> String {
        dir.hasSuffix("/") ? dir + rest : dir + "/" + rest
    }

    /// Opens the journal, creating its folder (0700), the file (0600) and the schema as needed.
    public init(path: String, bodyCap: Int = 256 * 1024) throws {
        self.path = path
        self.bodyCap = max(0, bodyCap)
        try Self.prepareFile(path)

        var config = Configuration()
        config.label = "errscope.journal"
        config.busyMode = .timeout(Self.busyTimeout)
        config.prepareDatabase { db in
            // See the type's comment. DatabasePool also sets it when it enables WAL; stating it
            // here keeps the durability choice explicit and applies it to every connection.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw JournalError.wrap(error, path: path, doing: "open the journal")
        }
        do {
            try Self.migrate(pool)
        } catch {
            throw JournalError.wrap(error, path: path, doing: "set up the journal's tables")
        }
    }

    /// Creates the folder (0700) and an empty file (0600: bodies and headers are private) if
    /// missing. O_EXCL never clobbers a file another process has just created.
    private static func prepareFile(_ path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if !dir.isEmpty && !fm.fileExists(atPath: dir, isDirectory: &isDir) {
            do {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw JournalError(path: path, message: "cannot create the folder \(dir): \(error.localizedDescription)")
            }
        } else if !dir.isEmpty && !isDir.boolValue {
            throw JournalError(path: path, message: "\(dir) is not a folder")
        }
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw JournalError(path: path, message: "is a folder, not a journal file") }
            return
        }
        if let reason = createPrivateFile(path) {
            throw JournalError(path: path, message: "cannot create the file: \(reason)")
        }
    }

    private static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            // time: Unix seconds (UTC), for queries and for anyone opening the file with sqlite3.
            // time_ref: Date.timeIntervalSinceReferenceDate, so a Date round-trips exactly.
            // Headers are JSON arrays of [name, value] pairs; body is the capped raw bytes and
            // body_bytes the full size received; verdict is the decoder's JSON.
            try db.execute(sql: """
                CREATE TABLE probe (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    time_ref REAL NOT NULL,
                    endpoint TEXT,
                    method TEXT NOT NULL,
                    url TEXT NOT NULL,
                    request_headers TEXT NOT NULL DEFAULT '[]',
                    request_body TEXT,
                    status INTEGER,
                    failure TEXT,
                    connect_ms REAL,
                    first_byte_ms REAL,
                    total_ms REAL,
                    response_headers TEXT NOT NULL DEFAULT '[]',
                    body BLOB NOT NULL DEFAULT x'',
                    body_bytes INTEGER NOT NULL DEFAULT 0,
                    system TEXT,
                    envelope TEXT,
                    code TEXT,
                    known INTEGER NOT NULL DEFAULT 0,
                    summary TEXT NOT NULL DEFAULT '',
                    verdict TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX probe_time ON probe(time);
                CREATE INDEX probe_endpoint_time ON probe(endpoint, time);
                """)
        }
        m.registerMigration("v2-incident") { db in
            // What the incident pane counted, per system/code and about ten seconds of a log.
            try db.execute(sql: """
                CREATE TABLE incident (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    source TEXT NOT NULL,
                    label TEXT NOT NULL,
                    system TEXT,
                    code TEXT,
                    category TEXT,
                    http INTEGER,
                    count INTEGER NOT NULL
                );
                CREATE INDEX incident_time ON incident(time);
                """)
        }
        return m
    }()

    /// Two processes opening a new journal at once may both try to apply a migration; the
    /// loser fails on "table exists", sees the winner's work and carries on.
    private static func migrate(_ pool: DatabasePool) throws {
        if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
        do {
            try migrator.migrate(pool)
        } catch {
            if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
            throw error
        }
    }

    /// Records a probe in its own committed transaction and returns its id. The body is cut
    /// to `bodyCap` bytes; `bodyBytes` keeps the full size.
    @discardableResult
    public func record(_ entry: JournalEntry) throws -> Int64 {
        let body = entry.body.count > bodyCap ? Data(entry.body.prefix(bodyCap)) : entry.body
        let arguments: StatementArguments = [
            entry.time.timeIntervalSince1970,
            entry.time.timeIntervalSinceReferenceDate,
            entry.endpoint,
            entry.method,
            entry.url,
            Self.encode(entry.requestHeaders),
            entry.requestBody,
            entry.status,
            entry.failure,
            entry.connectMs,
            entry.firstByteMs,
            entry.totalMs,
            Self.encode(entry.responseHeaders),
            body,
            max(entry.bodyBytes, entry.body.count),
            entry.system,
            entry.envelope,
            entry.code,
            entry.known,
            entry.summary,
            entry.verdict,
        ]
        do {
            return try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO probe (time, time_ref, endpoint, method, url, request_headers, request_body,
                            status, failure, connect_ms, first_byte_ms, total_ms, response_headers, body, body_bytes,
                            system, envelope, code, known, summary, verdict)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: arguments)
                return db.lastInsertedRowID
            }
        } catch {
            throw JournalError.wrap(error, path: path, doing: "record the probe")
        }
    }

    /// Recorded probes, newest first: at most `limit` (all when `limit` < 1), only `endpoint`'s
    /// when given, only those sent at or after `since` when given.
    public func list(limit: Int = 50, endpoint: String? = nil, since: Date? = nil) throws -> [JournalEntry] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let endpoint {
            conditions.append("endpoint = ?")
            arguments += [endpoint]
        }
        if let since {
            conditions.append("time >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        var sql = "SELECT * FROM probe"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY time DESC, id DESC LIMIT ?"
        arguments += [limit < 1 ? -1 : limit]
        let query = sql, args = arguments
        return try read("list the probes") { db in
            try Row.fetchAll(db, sql: query, arguments: args).map(Self.entry)
        }
    }

    /// The probe with this id, or nil.
    public func entry(id: Int64) throws -> JournalEntry? {
        try read("read probe \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM probe WHERE id = ?", arguments: [id]).map(Self.entry)
        }
    }

    /// How many probes are recorded.
    public func count() throws -> Int {
        try read("count the probes") { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM probe") ?? 0
        }
    }

    /// Closes the database connections; later calls throw. Deinit closes too.
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw JournalError.wrap(error, path: path, doing: "close the journal")
        }
    }

    func readIncident<T>(_ body: @Sendable (Database) throws -> T) throws -> T { try read("read the incident log", body) }

    private func read<T>(_ what: String, _ body: @Sendable (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw JournalError.wrap(error, path: path, doing: what)
        }
    }

    // MARK: - Rows

    private static func encode(_ headers: [[String]]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(headers) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func decodeHeaders(_ text: String?) -> [[String]] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([[String]].self, from: data)) ?? []
    }

    /// Reads leniently: a value of an unexpected type becomes the field's default rather than
    /// an error, so one odd row never hides the rest of the timeline.
    private static func entry(_ row: Row) -> JournalEntry {
        func value<T: DatabaseValueConvertible>(_ column: String, _ type: T.Type = T.self) -> T? {
            (try? row.decode(T?.self, forColumn: column)) ?? nil
        }
        let time: Date
        if let ref = value("time_ref", Double.self) {
            time = Date(timeIntervalSinceReferenceDate: ref)
        } else {
            time = Date(timeIntervalSince1970: value("time", Double.self) ?? 0)
        }
        let body = value("body", Data.self) ?? value("body", String.self).map { Data($0.utf8) } ?? Data()
        return JournalEntry(
            id: value("id", Int64.self),
            time: time,
            endpoint: value("endpoint"),
            method: value("method") ?? "",
            url: value("url") ?? "",
            requestHeaders: decodeHeaders(value("request_headers")),
            requestBody: value("request_body"),
            status: value("status", Int.self),
            failure: value("failure"),
            connectMs: value("connect_ms"),
            firstByteMs: value("first_byte_ms"),
            totalMs: value("total_ms"),
            responseHeaders: decodeHeaders(value("response_headers")),
            body: body,
            bodyBytes: max(value("body_bytes", Int.self) ?? 0, body.count),
            system: value("system"),
            envelope: value("envelope"),
            code: value("code"),
            known: value("known", Bool.self) ?? false,
            summary: value("summary") ?? "",
            verdict: value("verdict") ?? "")
    }
}

/// Creates an empty file readable by its owner only, unless it exists; nil or the reason it
/// failed. (A free function: inside `Journal`, `close` would mean `Journal.close()`.)
private func createPrivateFile(_ path: String) -> String? {
    let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    if fd >= 0 {
        close(fd)
        return nil
    }
    return errno == EEXIST ? nil : String(cString: strerror(errno))
}
