import Foundation

/// `snap pack` without snapd: validates `meta/snap.yaml`, then writes the directory as a snap.
public struct SnapPacker {
    public var writer = SquashfsWriter()

    public init() {}

    /// Packs `directory`; `output` is a file path or a folder (then the default name is used).
    /// Returns the written snap, opened and checked.
    public func pack(directory: String, output: String?) throws(SnapFileError) -> SnapFile {
        let yamlPath = directory + "/meta/snap.yaml"
        guard let data = FileManager.default.contents(atPath: yamlPath) else {
            throw SnapFileError(.invalidMetadata, "cannot pack \(directory): it has no meta/snap.yaml")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SnapFileError(.invalidMetadata, "cannot pack \(directory): meta/snap.yaml is not UTF-8")
        }
        let metadata: SnapMetadata
        do {
            metadata = try SnapMetadata.parse(yaml: text)
        } catch {
            throw SnapFileError(error.kind, "cannot pack \(directory): \(error.message)")
        }
        if metadata.type == .gadget {
            guard let gadget = FileManager.default.contents(atPath: directory + "/meta/gadget.yaml") else {
                throw SnapFileError(.invalidMetadata, "cannot pack \(directory): a gadget snap needs meta/gadget.yaml")
            }
            _ = try GadgetMetadata.parse(yaml: String(decoding: gadget, as: UTF8.self))
        }
        var destination = output ?? metadata.defaultFileName
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            destination += "/" + metadata.defaultFileName
        }
        _ = try writer.write(directory: directory, to: destination)
        return try SnapFile.open(path: destination)
    }
}
