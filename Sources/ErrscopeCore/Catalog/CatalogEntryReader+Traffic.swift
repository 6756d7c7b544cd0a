import Foundation

/// The catalog's real-traffic data: categories and what to do, message rules, fingerprints,
/// retry-delay sources and SDK rules (docs/CATALOG.md).
extension CatalogBuild {
    mutating func loadTraffic<N: DocNode>(_ members: [(key: String, value: N)], file: String) {
        for (key, node) in members {
            switch key {
            case "categories":
                for c in node.elements() {
                    guard let idText = stringField(c, "id", file: file, required: true) else { continue }
                    guard let id = ErrorCategory(rawValue: idText) else {
                        report(file, c, .error, "category `\(idText)` is not one of \(ErrorCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                        continue
                    }
                    let info = CategoryInfo(id: id, title: stringField(c, "title", file: file) ?? idText,
                                            whatToDo: stringField(c, "what_to_do", file: file, required: true) ?? "")
                    traffic.categories.removeAll { $0.id == id }
                    traffic.categories.append(info)
                }
            case "message_rules":
                traffic.messageRules += node.elements().compactMap { loadMessageRule($0, system: nil, file: file) }
            case "retry_delays":
                for d in node.elements() { if let s = loadDelaySource(d, file: file) { traffic.delaySources.append(s) } }
            case "sdks":
                for s in node.elements() {
                    if let rule = loadSDK(s, file: file) {
                        traffic.sdks.removeAll { $0.id == rule.id }
                        traffic.sdks.append(rule)
                    }
                }
            default: break
            }
        }
    }

    mutating func httpMatchers<N: DocNode>(_ v: N?, file: String) -> [HTTPMatcher]? {
        guard let v else { return [] }
        var out: [HTTPMatcher] = []
        for item in v.kind == .seq ? v.elements() : [v] {
            let text = item.integer.map { String($0) } ?? item.text ?? ""
            guard let h = HTTPMatcher.parse(text) else {
                report(file, item, .error, "`\(text)` is not an HTTP status (100-599), class (4xx) or lower bound (>=500)")
                return nil
            }
            out.append(h)
        }
        return out
    }

    mutating func loadMessageRule<N: DocNode>(_ node: N, system: String?, file: String) -> MessageRule? {
        guard node.kind == .map else {
            report(file, node, .error, "a message rule must be a mapping")
            return nil
        }
        let id = stringField(node, "id", file: file, required: true) ?? "?"
        guard let catText = stringField(node, "category", file: file, required: true) else { return nil }
        guard let category = ErrorCategory(rawValue: catText) else {
            report(file, node.member("category")!, .error, "category `\(catText)` is not one of \(ErrorCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        var rule = MessageRule(id: id, system: system, category: category)
        if let m = node.member("match") {
            for (k, v) in m.members() {
                switch k {
                case "code": rule.codes = stringList(v)
                case "type": rule.types = stringList(v)
                case "envelope": rule.envelopes = stringList(v)
                case "http":
                    guard let h = httpMatchers(v, file: file) else { return nil }
                    rule.http = h
                case "system" where system == nil: rule.system = v.text
                default: report(file, v, .warning, "unknown match key `\(k)` in message rule `\(id)`")
                }
            }
        }
        if let c = node.member("contains") { rule.contains = stringList(c).map { $0.lowercased() }.filter { !$0.isEmpty } }
        if let m = node.member("matches"), let pattern = m.text {
            do {
                rule.regex = try SharedRegex(pattern.hasPrefix("(?i)") ? pattern : "(?i)" + pattern, icuOnly: true, check: checkPatterns)
            } catch {
                report(file, m, .error, "`\(pattern)` is not a valid regular expression")
                return nil
            }
        }
        if rule.contains.isEmpty && rule.regex == nil {
            report(file, node, .error, "message rule `\(id)` needs `contains` (a list of message texts) or `matches` (a regular expression)")
            return nil
        }
        rule.code = stringField(node, "code", file: file)
        if let r = node.member("retry") {
            guard let retry = retryValue(r) else {
                report(file, r, .error, "`retry` must be \"yes\", \"no\", \"sometimes\" or \"once\"")
                return nil
            }
            rule.retry = retry
        }
        rule.note = stringField(node, "note", file: file)
        rule.source = stringField(node, "source", file: file)
        rule.fallback = node.member("fallback")?.boolean ?? false
        rule.wrapsClass = node.member("wraps_class")?.boolean ?? false
        return rule
    }

    mutating func loadFingerprint<N: DocNode>(_ node: N, file: String) -> Fingerprint? {
        if let m = node.member("message") {
            // {message: contains, text: "..."} or {message: "..."}
            let text = stringField(node, "text", file: file) ?? (m.text == "contains" ? nil : m.text)
            guard let t = text, !t.isEmpty else {
                report(file, node, .error, "a message fingerprint needs `text`")
                return nil
            }
            return Fingerprint(test: .message(t.lowercased()))
        }
        guard let c = condition(node, file: file) else { return nil }
        return Fingerprint(test: .condition(c))
    }

    mutating func loadDelaySource<N: DocNode>(_ node: N, file: String) -> DelaySource? {
        let id = stringField(node, "id", file: file) ?? ""
        guard let formatText = stringField(node, "format", file: file, required: true) else { return nil }
        guard let format = DelaySource.Format(rawValue: formatText) else {
            report(file, node.member("format")!, .error, "delay format `\(formatText)` must be seconds-or-date, seconds, ms, duration, rfc3339 or epoch-or-delta")
            return nil
        }
        let kind: DelaySource.Kind
        var label: String
        if let h = stringField(node, "header", file: file) {
            kind = .header(h.lowercased())
            label = h
        } else if let f = stringField(node, "field", file: file) {
            kind = .field(f)
            label = f
        } else if let m = node.member("message"), let pattern = m.text {
            do {
                kind = .message(try SharedRegex(pattern, icuOnly: true, check: checkPatterns))
            } catch {
                report(file, m, .error, "`\(pattern)` is not a valid regular expression")
                return nil
            }
            label = "message"
        } else {
            report(file, node, .error, "a retry delay source needs `header`, `field` or `message`")
            return nil
        }
        if let l = stringField(node, "label", file: file) { label = l }
        return DelaySource(id: id.isEmpty ? label : id, kind: kind, format: format, label: label)
    }

    mutating func loadSDK<N: DocNode>(_ node: N, file: String) -> SDKRule? {
        guard let id = stringField(node, "id", file: file, required: true) else { return nil }
        func exceptionList(_ key: String) -> [SDKRule.ExceptionRule] {
            var out: [SDKRule.ExceptionRule] = []
            for e in node.member(key)?.elements() ?? [] {
                guard let name = stringField(e, "exception", file: file, required: true) else { continue }
                let otherwise = e.member("otherwise")?.boolean ?? false
                guard let http = httpMatchers(e.member("http"), file: file) else { continue }
                out.append(SDKRule.ExceptionRule(http: http, otherwise: otherwise, exception: name, errorCode: stringField(e, "error_code", file: file)))
            }
            return out
        }
        let exceptions = exceptionList("exceptions")
        let retry = node.member("retry")
        let backoff = retry?.member("backoff")
        func number(_ n: N?) -> Double? { n.flatMap { $0.integer.map(Double.init) ?? $0.text.flatMap(Double.init) } }
        let stream = node.member("stream_error")
        let optIn = node.member("retry_opt_in")
        var rule = SDKRule(
            id: id, name: stringField(node, "name", file: file) ?? id, version: stringField(node, "version", file: file),
            source: stringField(node, "source", file: file), verified: node.member("verified")?.boolean ?? true,
            exceptions: exceptions, streamErrorException: stringField(node, "stream_error_exception", file: file),
            maxRetries: Int(retry?.member("max_retries")?.integer ?? 0),
            retryStatuses: httpMatchers(retry?.member("statuses"), file: file) ?? [],
            shouldRetryHeader: retry.flatMap { stringField($0, "should_retry_header", file: file) }?.lowercased(),
            delayHeaders: retry?.member("delay_headers").map(stringList)?.map { $0.lowercased() } ?? [],
            maxHeaderDelay: number(retry?.member("max_header_delay_seconds")),
            aboveMax: retry.flatMap { stringField($0, "above_max", file: file) },
            backoffInitial: number(backoff?.member("initial_seconds")), backoffMax: number(backoff?.member("max_seconds")),
            notes: node.member("notes").map(stringList) ?? [])
        rule.exceptionsByErrorCode = exceptionList("exceptions_by_error_code")
        rule.errorCodePath = stringField(node, "error_code_path", file: file)
        rule.streamTriggers = stream?.member("triggers")?.elements().map { t in
            SDKRule.StreamTrigger(event: t.member("event")?.text, dataKey: t.member("data_key")?.text, firstKey: t.member("first_key")?.boolean ?? false)
        } ?? []
        rule.streamClassifyBy = stream?.member("classify_by")?.text
        rule.streamEventLineException = stream?.member("event_line_exception")?.text
        if let ex = stream?.member("exception")?.text { rule.streamErrorException = ex }
        rule.retryEnabled = retry?.member("enabled")?.boolean ?? true
        rule.optInMaxRetries = optIn?.member("max_retries")?.integer.map(Int.init)
        rule.optInStatuses = httpMatchers(optIn?.member("statuses"), file: file) ?? []
        rule.minHeaderDelay = number(retry?.member("min_header_delay_exclusive"))
        return rule
    }
}
