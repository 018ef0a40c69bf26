import TestSupport
import Testing

@testable import SnapFiles

@Suite struct SnapMetadataTests {
    private func parse(_ yaml: String) throws -> SnapMetadata {
        try SnapMetadata.parse(yaml: yaml)
    }

    private func refusal(_ yaml: String) -> String? {
        do {
            _ = try parse(yaml)
            return nil
        } catch {
            return (error as? SnapFileError)?.message ?? "\(error)"
        }
    }

    @Test func defaultsAreSnapds() throws {
        let metadata = try parse("name: hello\nversion: '1'\n")
        #expect(metadata.type == .app)
        #expect(metadata.architectures == ["all"])
        #expect(metadata.epoch == .zero)
        #expect(metadata.confinement == .strict)
        #expect(metadata.provenance == "global-upload")
        #expect(metadata.grade == nil)
        #expect(metadata.defaultFileName == "hello_1_all.snap")
        #expect(try parse("name: snapd\nversion: '1'\ntype: app\n").type == .snapd)
        #expect(try parse("name: hello\nversion: 1.0\ntype: application\n").type == .app)
        #expect(try parse("name: hello\nversion: 1.0\n").version == "1.0")
    }

    @Test func readsEveryField() throws {
        let metadata = try parse(SampleTree.snapYAML)
        #expect(metadata.name == "hello-depot")
        #expect(metadata.version == "1.0+git3")
        #expect(metadata.base == "core22")
        #expect(metadata.architectures == ["amd64", "arm64"])
        #expect(metadata.defaultFileName == "hello-depot_1.0+git3_multi.snap")
        #expect(metadata.epoch == Epoch(read: [1, 2], write: [2]))
        #expect(metadata.apps == ["hello"])
        #expect(metadata.plugs == ["shared"])
        #expect(metadata.grade == "stable")
        #expect(metadata.rawYAML == SampleTree.snapYAML)
        #expect(metadata.supports(architecture: "arm64"))
        #expect(!metadata.supports(architecture: "armhf"))
    }

    @Test(arguments: [
        ("epoch: 0", Epoch.zero), ("epoch: 5", Epoch(read: [5], write: [5])),
        ("epoch: 1*", Epoch(read: [0, 1], write: [1])),
        ("epoch: {read: [1, 2]}", Epoch(read: [1, 2], write: [2])),
        ("epoch: {write: [3]}", Epoch(read: [3], write: [3])),
        ("epoch:\n  read: [1, 2, 3]\n  write: [2, 3]", Epoch(read: [1, 2, 3], write: [2, 3])),
    ])
    func readsEveryEpochForm(line: String, epoch: Epoch) throws {
        #expect(try parse("name: hello\nversion: '1'\n\(line)\n").epoch == epoch)
    }

    @Test(arguments: [
        ("name: Hello\nversion: '1'", "invalid snap name: \"Hello\""),
        ("name: h\nversion: '1'", "invalid snap name: \"h\""),
        ("name: hello--x\nversion: '1'", "invalid snap name: \"hello--x\""),
        ("version: '1'", "snap name cannot be empty"),
        ("name: hello", "invalid snap version: cannot be empty"),
        ("name: hello\nversion: -1", "must start with an ASCII alphanumeric (and not '-')"),
        ("name: hello\nversion: 1.0-", "must end with an ASCII alphanumeric or one of '+' or '~' (and not '-')"),
        ("name: hello\nversion: a_b_c", "contains invalid characters: \"__\""),
        ("name: hello\nversion: '1 0'", "must be printable, non-whitespace ASCII"),
        ("name: hello\nversion: 123456789012345678901234567890123", "cannot be longer than 32 characters (got: 33)"),
        ("name: hello\nversion: '1'\ntype: daemon", "invalid snap type: \"daemon\""),
        ("name: hello\nversion: '1'\nconfinement: loose", "invalid confinement type: \"loose\""),
        ("name: hello\nversion: '1'\nepoch: 0*", "0* is an invalid epoch"),
        ("name: hello\nversion: '1'\nepoch: 01", "epoch numbers must be base 10 with no zero padding"),
        ("name: hello\nversion: '1'\nepoch: {read: [2, 1]}", "epoch list must be a strictly increasing sequence"),
        (
            "name: hello\nversion: '1'\nepoch: {read: [1], write: [2]}",
            "epoch read and write lists must have a non-empty intersection"
        ),
        ("name: hello\nversion: '1'\nepoch: {read: []}", "epoch list cannot be explicitly empty"),
        (
            "name: hello\nversion: '1'\ntype: base\nbase: core22",
            "cannot have \"base\" field on \"base\" snap \"hello\""
        ),
        (
            "name: hello\nversion: '1'\nbase: none\napps: {a: {command: x}}",
            "cannot have apps or hooks with base \"none\""
        ),
        ("name: hello\nversion: '1'\nbase: core_22", "base cannot specify a snap instance name"),
        ("name: hello\nversion: '1'\napps: {my_app: {command: x}}", "cannot have \"my_app\" as app name"),
        ("name: hello\nversion: '1'\nhooks: {Configure: {}}", "invalid hook name: \"Configure\""),
        (
            "name: hello\nversion: '1'\nplugs: {net: {}}\nslots: {net: {}}",
            "cannot have plug and slot with the same name: \"net\""
        ),
        ("name: hello\nversion: '1'\nprovenance: bad_one", "invalid provenance: \"bad_one\""),
        ("name: hello\nversion: '1'\ngrade: beta", "grade must be \"stable\" or \"devel\""),
        ("name: hello\nversion: '1'\nlayouts: {}", "typo detected"),
        ("name: [a]\nversion: '1'", "\"name\" must be a string"),
        ("- just\n- a list", "not a map"),
        ("name: hello\nversion: '1\n", "cannot parse snap.yaml"),
    ])
    func refusesWhatSnapdRefuses(yaml: String, message: String) {
        let reason = refusal(yaml)
        #expect(reason?.contains(message) == true, "got \(reason ?? "acceptance")")
    }

    @Test func readsGadgetVolumes() throws {
        let gadget = try GadgetMetadata.parse(
            yaml: """
                volumes:
                  pi:
                    schema: mbr
                    bootloader: u-boot
                    structure:
                      - name: ubuntu-seed
                        type: 0C
                        size: 1200M
                """)
        #expect(gadget.volumes == [.init(name: "pi", bootloader: "u-boot", schema: "mbr", structureCount: 1)])
        #expect(throws: SnapFileError.self) { _ = try GadgetMetadata.parse(yaml: "volumes: {}") }
        #expect(throws: SnapFileError.self) { _ = try GadgetMetadata.parse(yaml: "volumes: {pc: {bootloader: lilo}}") }
        #expect(throws: SnapFileError.self) { _ = try GadgetMetadata.parse(yaml: "volumes: {pc: {schema: gpt}}") }
    }

    @Test func supportedHookNames() {
        for name in ["install", "configure", "connect-plug-network", "prepare-slot-x1", "gate-auto-refresh"] {
            #expect(SnapMetadata.isSupportedHook(name), "\(name)")
        }
        for name in ["random", "connect-network", "connect-plug-", "Install"] {
            #expect(!SnapMetadata.isSupportedHook(name), "\(name)")
        }
    }
}
