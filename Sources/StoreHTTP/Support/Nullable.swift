/// A key that snapcraft's strict models require to be present, written as `null` when there is no
/// value: Codable leaves out a nil Optional, which craft-store's pydantic models refuse.
struct Nullable<Wrapped: Encodable & Sendable>: Encodable, Sendable, ExpressibleByNilLiteral {
    let value: Wrapped?

    init(_ value: Wrapped?) {
        self.value = value
    }

    init(nilLiteral: ()) {
        self.value = nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// An empty JSON object, `{}`.
struct EmptyObject: Encodable, Sendable {}
