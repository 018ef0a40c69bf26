import Foundation

/// Writes the plain JSON objects of the snapd and publisher APIs straight into bytes, keys sorted.
/// corelibs Foundation's `JSONSerialization` first bridges every value to an `NS` object and sorts
/// keys with locale-aware comparisons: two fifths of a 20-snap refresh went there.
enum JSONObjectWriter {
    static func data(_ value: Any) throws -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        try write(value, into: &bytes)
        return Data(bytes)
    }

    // Dispatches on the exact dynamic type first: on Linux a failed `as? String` of a dictionary
    // bridges the whole dictionary to an NSDictionary just to find out.
    private static func write(_ value: Any, into bytes: inout [UInt8]) throws {
        let kind = type(of: value)
        if kind == String.self, let text = value as? String {
            writeString(text, into: &bytes)
        } else if kind == Bool.self, let flag = value as? Bool {
            bytes += Array((flag ? "true" : "false").utf8)
        } else if kind == Int.self, let number = value as? Int {
            bytes += Array(String(number).utf8)
        } else if kind == Int64.self, let number = value as? Int64 {
            bytes += Array(String(number).utf8)
        } else if kind == Double.self, let number = value as? Double {
            guard number.isFinite else { throw JSONWriteError(description: "\(number) is not a JSON number") }
            bytes += Array(
                (number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)).utf8)
        } else if kind == NSNull.self || kind is NSNumber.Type {
            try writeWithFoundation(value, into: &bytes)
        } else if let object = value as? [String: Any] {
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try write(object[key] as Any, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        } else if let array = value as? [Any] {
            bytes.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                try write(element, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        } else {
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                if let wrapped = mirror.children.first?.value {
                    try write(wrapped, into: &bytes)
                } else {
                    bytes += Array("null".utf8)
                }
            } else {
                try writeWithFoundation(value, into: &bytes)
            }
        }
    }

    private static func writeWithFoundation(_ value: Any, into bytes: inout [UInt8]) throws {
        let fragment = try JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])
        bytes += fragment.dropFirst().dropLast()
    }

    private static func writeString(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: bytes += Array(String(format: "\\u%04x", byte).utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

struct JSONWriteError: Error, CustomStringConvertible {
    let description: String
}
