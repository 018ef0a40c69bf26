import Foundation

/// libFuzzer's driver (part of `-sanitize=fuzzer`'s runtime), declared by hand: the C ABI types
/// map one to one.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The executable's entry: SwiftPM links an executable target's `main` to `MODULE_main`, so the
/// program starts here and hands its arguments to libFuzzer rather than libFuzzer's own `main`.
@_cdecl("SnapdepotFuzz_main")
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}

/// libFuzzer's entry point: each input goes to the target named by `SNAPDEPOT_FUZZ_TARGET`.
/// A target returns normally for input it accepts or refuses with an error; anything else (a
/// trap, a sanitizer report, a hang past `-timeout`) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}

enum FuzzTarget: String, CaseIterable {
    case squashfs
    case snapYAML = "snap-yaml"
    case gadgetYAML = "gadget-yaml"
    case assertion
    case assertionStream = "assertion-stream"
    case snapAction = "snap-action"
    case macaroon

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["SNAPDEPOT_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let known = allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("SNAPDEPOT_FUZZ_TARGET must be one of: \(known)\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .squashfs: SquashfsFuzz.run(bytes)
        case .snapYAML: MetadataFuzz.snapYAML(bytes)
        case .gadgetYAML: MetadataFuzz.gadgetYAML(bytes)
        case .assertion: AssertionFuzz.single(bytes)
        case .assertionStream: AssertionFuzz.stream(bytes)
        case .snapAction: SnapActionFuzz.run(bytes)
        case .macaroon: MacaroonFuzz.run(bytes)
        }
    }
}
