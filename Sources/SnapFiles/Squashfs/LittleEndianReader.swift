/// Reads little-endian integers from a byte buffer, failing with a precise error rather than trapping.
struct LittleEndianReader {
    let bytes: [UInt8]
    var position: Int
    let what: String

    init(_ bytes: [UInt8], at position: Int = 0, what: String) {
        self.bytes = bytes
        self.position = position
        self.what = what
    }

    var remaining: Int { bytes.count - position }

    mutating func take(_ count: Int) throws(SnapFileError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw SnapFileError(.corrupt, "\(what) is truncated: needed \(count) more bytes, \(max(0, remaining)) left")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func u16() throws(SnapFileError) -> UInt16 {
        let raw = try take(2)
        return UInt16(raw[raw.startIndex]) | UInt16(raw[raw.startIndex + 1]) << 8
    }

    mutating func u32() throws(SnapFileError) -> UInt32 {
        let raw = try take(4)
        return raw.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func u64() throws(SnapFileError) -> UInt64 {
        let raw = try take(8)
        return raw.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Appends little-endian integers, for the writer.
struct LittleEndianWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) {
        bytes += [UInt8(value & 0xff), UInt8(value >> 8)]
    }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(value >> UInt32(shift) & 0xff)) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(value >> UInt64(shift) & 0xff)) }
    }
}
