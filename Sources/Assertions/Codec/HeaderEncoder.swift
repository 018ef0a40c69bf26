/// Writes header entries exactly as snapd's `appendEntry` does: multi-line strings indented by four,
/// list items as `  -`, map keys sorted bytewise, empty lists and maps left out.
enum HeaderEncoder {
    static func appendEntry(_ buffer: inout [UInt8], intro: String, _ value: HeaderValue, baseIndent: Int) {
        switch value {
        case .string(let text):
            buffer.append(UInt8(ascii: "\n"))
            buffer.append(contentsOf: intro.utf8)
            if text.utf8.contains(UInt8(ascii: "\n")) {
                buffer.append(UInt8(ascii: "\n"))
                let prefix = String(repeating: " ", count: baseIndent) + "    "
                buffer.append(contentsOf: prefix.utf8)
                for byte in text.utf8 {
                    buffer.append(byte)
                    if byte == UInt8(ascii: "\n") { buffer.append(contentsOf: prefix.utf8) }
                }
            } else {
                buffer.append(UInt8(ascii: " "))
                buffer.append(contentsOf: text.utf8)
            }
        case .list(let items):
            guard !items.isEmpty else { return }
            buffer.append(UInt8(ascii: "\n"))
            buffer.append(contentsOf: intro.utf8)
            let prefix = String(repeating: " ", count: baseIndent) + "  -"
            for item in items {
                appendEntry(&buffer, intro: prefix, item, baseIndent: baseIndent + 2)
            }
        case .map(let entries):
            guard !entries.isEmpty else { return }
            buffer.append(UInt8(ascii: "\n"))
            buffer.append(contentsOf: intro.utf8)
            let prefix = String(repeating: " ", count: baseIndent) + "  "
            for key in entries.keys.sorted(by: bytewiseLess) {
                if let entry = entries[key] {
                    appendEntry(&buffer, intro: prefix + key + ":", entry, baseIndent: prefix.count)
                }
            }
        }
    }

    /// Go's `sort.Strings` order: by UTF-8 bytes, not by Unicode collation.
    static func bytewiseLess(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }
}
