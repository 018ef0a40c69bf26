/// A snap's epoch: which data formats a revision can read and write (`snap/epoch.go`).
/// In snap.yaml it is `N`, `N*` (reads N-1 and N) or `{read: [...], write: [...]}`.
public struct Epoch: Sendable, Hashable, Codable, CustomStringConvertible {
    public let read: [UInt32]
    public let write: [UInt32]

    public static let zero = Epoch(read: [0], write: [0])

    public init(read: [UInt32], write: [UInt32]) {
        self.read = read
        self.write = write
    }

    /// The short form snapd prints: "0", "5", "5*", or the lists.
    public var description: String {
        if read == write, read.count == 1 { return String(read[0]) }
        if write.count == 1, read.count == 2, read[1] == write[0], read[0] + 1 == write[0] { return "\(write[0])*" }
        return "{read: \(read), write: \(write)}"
    }

    /// Whether a revision with this epoch can be installed over data written at `installed`.
    public func canRead(_ installed: Epoch) -> Bool {
        installed.write.contains { read.contains($0) }
    }

    /// snapd's JSON form (`snap/epoch.go` `UnmarshalJSON`): the short string or the lists, with the
    /// same rules as snap.yaml, so `"0*"` is refused here as snapd refuses it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            // Lists first: snapd always writes them, and a failed decode (the string form tried
            // first) cost a refresh more than the rest of its context entry.
            let lists: Lists
            do {
                lists = try container.decode(Lists.self)
            } catch {
                guard let text = try? container.decode(String.self) else { throw error }
                self = try Self.parse(text)
                return
            }
            self = try Self.structured(read: lists.read, write: lists.write)
        } catch let error as SnapFileError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    /// Always the lists, as snapd writes an epoch (`MarshalJSON`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Lists(read: read, write: write))
    }

    private struct Lists: Codable {
        let read: [UInt32]?
        let write: [UInt32]?
    }

    /// The short form (`"1"`, `"2*"`), as snap.yaml and snapd's JSON write it.
    public static func parse(_ text: String) throws(SnapFileError) -> Epoch {
        if text.isEmpty || text == "0" { return .zero }
        var digits = Substring(text)
        let star = digits.hasSuffix("*")
        if star { digits = digits.dropLast() }
        let number = try parseNumber(String(digits))
        if star {
            guard number > 0 else { throw invalid("0* is an invalid epoch") }
            return Epoch(read: [number - 1, number], write: [number])
        }
        return Epoch(read: [number], write: [number])
    }

    /// The lists form, a missing list taking snapd's default from the other.
    public static func structured(read: [UInt32]?, write: [UInt32]?) throws(SnapFileError) -> Epoch {
        var read = read
        var write = write
        if read == nil {
            read = write ?? [0]
            if write == nil { write = [0] }
        } else if read?.isEmpty == true {
            throw invalid("epoch list cannot be explicitly empty")
        }
        if write == nil {
            write = read.map { Array($0.suffix(1)) }
        } else if write?.isEmpty == true {
            throw invalid("epoch list cannot be explicitly empty")
        }
        let epoch = Epoch(read: read ?? [0], write: write ?? [0])
        try epoch.validate()
        return epoch
    }

    func validate() throws(SnapFileError) {
        if self == .zero { return }
        guard read.count <= 10, write.count <= 10 else {
            throw Self.invalid("epoch list must not have more than 10 entries")
        }
        guard Self.isIncreasing(read), Self.isIncreasing(write) else {
            throw Self.invalid("epoch list must be a strictly increasing sequence")
        }
        guard read.contains(where: write.contains) else {
            throw Self.invalid("epoch read and write lists must have a non-empty intersection")
        }
    }

    static func parseNumber(_ text: String) throws(SnapFileError) -> UInt32 {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            !(text.count > 1 && text.hasPrefix("0"))
        else {
            throw invalid("epoch numbers must be base 10 with no zero padding, but got \"\(text)\"")
        }
        guard let value = UInt32(text) else {
            throw invalid("epoch numbers must be less than 2³², but got \"\(text)\"")
        }
        return value
    }

    private static func isIncreasing(_ list: [UInt32]) -> Bool {
        zip(list, list.dropFirst()).allSatisfy { $0 < $1 }
    }

    static func invalid(_ message: String) -> SnapFileError {
        SnapFileError(.invalidMetadata, message)
    }
}
