/// Builds and signs assertions exactly as snapd's `assembleAndSign` does (`asserts/asserts.go`),
/// so that the same headers, body, key and signing time give the same bytes as snapd's signer.
public enum AssertionSigner {
    /// Signs `headers` (which must include `type`) and `body` with `key`.
    /// `signingTime` is the OpenPGP signature's creation time; it defaults to now.
    public static func sign(
        headers: Headers, body: [UInt8] = [], key: PrivateKey, signingTime: Timestamp = .now()
    ) throws(AssertionError) -> Assertion {
        guard let typeValue = headers["type"] else {
            throw AssertionError(.signing, "missing assertion type header")
        }
        guard let typeName = typeValue.stringValue else {
            throw AssertionError(.signing, "assertion type must be a string")
        }
        guard let type = AssertionType.named(typeName) else {
            throw AssertionError(.signing, "invalid assertion type: \(typeName)")
        }
        return try sign(type: type, headers: headers, body: body, key: key, signingTime: signingTime)
    }

    public static func sign(
        type: AssertionType, headers: Headers, body: [UInt8] = [], key: PrivateKey, signingTime: Timestamp = .now()
    ) throws(AssertionError) -> Assertion {
        let content = try content(type: type, headers: headers, body: body, signKeyID: key.id)
        guard signingTime.seconds >= 0, signingTime.seconds <= Int64(UInt32.max) else {
            throw AssertionError(.signing, "signing time \(signingTime) cannot be written in an OpenPGP signature")
        }
        let signature: String
        do {
            signature = try key.signature(for: content, creationTime: UInt32(signingTime.seconds))
        } catch {
            throw AssertionError(.signing, "cannot sign assertion: \(error)")
        }
        // Decoding the result applies every rule of the type, the same way a consumer will.
        return try prefixed("cannot assemble assertion \(type.name)") { () throws(AssertionError) in
            try Assertion.decode(content + Assertion.separator + Array(signature.utf8) + [0x0a])
        }
    }

    /// The lowest `format` these headers can be signed with (snapd's `SuggestFormat`).
    public static func minimumFormat(of type: AssertionType, headers: Headers) throws(AssertionError) -> Int {
        try type.minimumFormat(headers)
    }

    /// The signed content snapd's signer writes for these headers and body: `type`, `format` (> 0),
    /// `authority-id`, `revision` (> 0), the primary key, the other headers sorted, `body-length`
    /// (> 0), `sign-key-sha3-384`, then the body.
    public static func content(type: AssertionType, headers: Headers, body: [UInt8], signKeyID: String)
        throws(AssertionError) -> [UInt8]
    {
        guard String(validating: body, as: UTF8.self) != nil else {
            throw AssertionError(.signing, "assertion body is not utf8")
        }
        for name in headers.keys where !HeaderName.isValid(name) {
            throw AssertionError(.signing, "invalid header name: \(HeaderParser.quoted(name))")
        }
        if headers["signatory-id"] != nil {
            throw AssertionError(.signing, "\"signatory-id\" (authority delegation) is not supported")
        }
        var final = headers
        final["type"] = .string(type.name)
        final["body-length"] = .string(String(body.count))
        final["sign-key-sha3-384"] = .string(signKeyID)
        let checks = HeaderChecks(final)
        if type.hasAuthority {
            _ = try checks.notEmptyString("authority-id")
        } else if final["authority-id"] != nil {
            throw AssertionError(.signing, "\"\(type.name)\" assertion cannot have authority-id set")
        }
        let format = try checks.integer("format", default: 0)
        guard format >= 0 else { throw AssertionError(.signing, "format should be positive: \(format)") }
        guard format <= type.maxSupportedFormat else {
            throw AssertionError(
                .signing,
                "cannot sign \"\(type.name)\" assertion with format \(format) higher than max supported format \(type.maxSupportedFormat)"
            )
        }
        let suggested = try prefixed("assertion \(type.name)") { () throws(AssertionError) in
            try type.minimumFormat(final)
        }
        guard suggested <= format else {
            throw AssertionError(
                .signing,
                "cannot sign \"\(type.name)\" assertion with format set to \(format) lower than min format \(suggested) covering included features"
            )
        }
        let revision = try checks.integer("revision", default: 0)
        guard revision >= 0 else { throw AssertionError(.signing, "revision should be positive: \(revision)") }

        var buffer = Array("type: \(type.name)".utf8)
        func write(_ name: String) {
            if let value = final[name] {
                HeaderEncoder.appendEntry(&buffer, intro: "\(name):", value, baseIndent: 0)
            }
        }
        var written: Set<String> = ["type", "format", "authority-id", "revision", "body-length", "sign-key-sha3-384"]
        if format > 0 { write("format") }
        if type.hasAuthority { write("authority-id") }
        if revision > 0 { write("revision") }
        for key in type.primaryKey {
            let fallback = type.optionalPrimaryKeyDefaults[key]
            if final[key] == nil, let fallback {
                // snapd's quirk: a defaulted optional key it was not given is written among the others.
                final[key] = .string(fallback)
                continue
            }
            let value = try HeaderChecks(final).primaryKeyValue(key)
            if value != fallback { write(key) }
            written.insert(key)
        }
        for name in final.keys.filter({ !written.contains($0) }).sorted(by: HeaderEncoder.bytewiseLess) {
            write(name)
        }
        if !body.isEmpty { write("body-length") }
        write("sign-key-sha3-384")
        if !body.isEmpty {
            buffer += Assertion.separator + body
        }
        return buffer
    }
}
