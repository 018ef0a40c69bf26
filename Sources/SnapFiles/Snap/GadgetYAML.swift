import Yams

/// What the store needs from a gadget snap's `meta/gadget.yaml`: its volumes and their bootloaders
/// (image building checks the bootloader's marker file later).
public struct GadgetMetadata: Sendable, Equatable, Codable {
    public struct Volume: Sendable, Equatable, Codable {
        public let name: String
        public let bootloader: String
        public let schema: String
        public let structureCount: Int
    }

    public let volumes: [Volume]
    public let rawYAML: String

    static let bootloaders: Set<String> = ["grub", "u-boot", "android-boot", "lk", "piboot"]

    public static func parse(yaml text: String) throws(SnapFileError) -> GadgetMetadata {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw SnapFileError(.invalidMetadata, "cannot parse gadget.yaml: \(error)")
        }
        guard let map = node?.mapping, let volumesNode = map["volumes"], let volumesMap = volumesNode.mapping,
            !volumesMap.isEmpty
        else {
            throw SnapFileError(
                .invalidMetadata, "invalid gadget.yaml: it must define at least one volume under \"volumes\"")
        }
        var volumes: [Volume] = []
        for (key, value) in volumesMap {
            guard let name = key.scalar?.string, let volume = value.mapping else {
                throw SnapFileError(.invalidMetadata, "invalid gadget.yaml: volumes must be maps named by strings")
            }
            let bootloader = volume["bootloader"]?.scalar?.string ?? ""
            if !bootloader.isEmpty && !bootloaders.contains(bootloader) {
                throw SnapFileError(
                    .invalidMetadata,
                    "invalid gadget.yaml: volume \"\(name)\" has an unknown bootloader \"\(bootloader)\"")
            }
            let schema = volume["schema"]?.scalar?.string ?? "gpt"
            guard schema == "gpt" || schema == "mbr" else {
                throw SnapFileError(
                    .invalidMetadata, "invalid gadget.yaml: volume \"\(name)\" has an invalid schema \"\(schema)\"")
            }
            volumes.append(
                Volume(
                    name: name, bootloader: bootloader, schema: schema,
                    structureCount: volume["structure"]?.sequence?.count ?? 0))
        }
        guard volumes.contains(where: { !$0.bootloader.isEmpty }) else {
            throw SnapFileError(.invalidMetadata, "invalid gadget.yaml: no volume names a bootloader")
        }
        return GadgetMetadata(volumes: volumes.sorted { $0.name < $1.name }, rawYAML: text)
    }
}
