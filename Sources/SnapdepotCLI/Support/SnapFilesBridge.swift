import SnapFiles

/// Reads what the CLI needs from a local snap before talking to the store.
enum SnapFilesBridge {
    static func name(of file: String) throws -> String {
        let yaml = try SquashfsImage(path: file).readFile(atPath: "meta/snap.yaml", limit: 1 << 20)
        return try SnapMetadata.parse(yaml: String(decoding: yaml, as: UTF8.self)).name
    }
}
