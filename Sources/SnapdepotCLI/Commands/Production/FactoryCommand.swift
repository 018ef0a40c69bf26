import ArgumentParser
import Assertions
import DeviceAgent
import Foundation

/// The production model's factory step: flash devices from an image and give each its identity.
struct FactoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factory",
        abstract: "Flash devices from an image: each gets a device key and a serial from the store's vault.",
        subcommands: [Flash.self]
    )

    struct Flash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make N device state folders from an image built with `image build --tar`.",
            discussion: """
                Each device gets the image's seeded snaps installed, its model, the trusted roots, a fresh \
                RSA device key, and a serial obtained over HTTP from the store's serial vault exactly as \
                snapd asks for one (request-id, a serial-request signed with the device key, the model; \
                202 means come back). The serial and its chain are verified against the roots before the \
                folder DIR/device-NNNN is renamed into place. With --register-at first-boot the factory \
                leaves that to the device, as real devices do: `agent boot` registers it. RSA-4096 keys (snapd's size) take about a \
                second each per core: use --key-bits 2048 or 1024 for large simulated fleets.
                """)

        @Argument(help: "The image archive (`image build … --tar FILE`).") var image: String
        @Option(help: "How many devices to flash.") var devices: Int
        @Option(help: "Folder to put the devices in; more devices are numbered after those there.") var out: String
        @Option(help: "Size of each device key (snapd uses 4096).") var keyBits: Int = 4096
        @Option(help: "The store the devices register with (default: the one you are logged in to).") var store: String?
        @Option(help: "Root assertions the devices trust (default: the store's own).") var trusted: String?
        @Option(help: "Devices flashed at once (default: one per core).") var jobs: Int?
        @Option(help: "Longest wait, in seconds, between two tries when the vault answers 202.") var retryWait: Int = 60
        @Option(help: "Seconds to keep coming back to a vault that answers 202 before a device fails.")
        var approvalTimeout: Int = 900
        @Option(
            help: ArgumentHelp(
                "When a device gets its serial: in the factory, or from the vault at its first boot.",
                valueName: "factory|first-boot")) var registerAt: RegistrationTime = .factory
        @Option(
            help: ArgumentHelp(
                "A file holding the brand's serial vault API key (`snapdepot vault policy --api-key`).",
                discussion: "Sent in an api-key header, as snapd sends a gadget's device-service.headers."))
        var vaultAPIKeyFile: String?
        @Option(help: "Devices propose the serial PREFIX-NNNN, NNNN being their folder's number.")
        var serialPrefix: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        enum RegistrationTime: String, ExpressibleByArgument {
            case factory
            case firstBoot = "first-boot"
        }

        struct Flashed: Encodable {
            let folder: String
            let serial: String?
            let deviceKeyID: String
        }

        func validate() throws {
            guard devices > 0 else { throw ValidationError("--devices must be at least 1") }
            guard [1024, 2048, 3072, 4096].contains(keyBits) else {
                throw ValidationError("--key-bits must be 1024, 2048, 3072 or 4096")
            }
            if let serialPrefix, serialPrefix.isEmpty || serialPrefix.contains("/") {
                throw ValidationError("--serial-prefix must be non-empty and hold no \"/\"")
            }
        }

        func run() async throws {
            let client = try storeClient()
            // Before any key is made: a store that is not there fails the run once, not per device.
            let reachable = try await client.device.send("/", method: .HEAD)
            guard reachable.status == 200 else {
                throw CLIError(
                    "\(client.credentials.url) does not answer as a snapdepot store (HTTP \(reachable.status))")
            }
            let output = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let unpacked = output.appendingPathComponent(".image-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: unpacked) }
            let factoryImage = try SeedImage.unpack(image, into: unpacked)
            let roots = try await client.trustedRoots(file: trusted)
            // What snapd does at seeding: the model and the seed's assertions must verify.
            var trust = try TrustDatabase(trusted: roots)
            for failure in trust.addAll(factoryImage.assertions + [factoryImage.model.assertion])
            where failure.assertion.type == .model {
                throw CLIError("the image's model does not verify against the roots: \(failure.error.message)")
            }
            let first = try nextNumber(in: output)
            var serviceHeaders: [String: String] = [:]
            if let vaultAPIKeyFile {
                let key = try String(contentsOfFile: vaultAPIKeyFile, encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                guard !key.isEmpty else { throw CLIError("\(vaultAPIKeyFile) holds no API key") }
                serviceHeaders["api-key"] = key
            }
            let headers = serviceHeaders
            let progress = ProgressBar(label: "flashing", enabled: !json)
            let parallel = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            let storeURL = client.credentials.url
            let snapshot = trust
            var flashed: [Flashed] = []
            var failures: [String] = []
            try await withThrowingTaskGroup(of: Result<Flashed, CLIError>.self) { group in
                var next = first
                func startOne() {
                    let number = next
                    next += 1
                    group.addTask { [keyBits, registerAt, serialPrefix, retryWait, approvalTimeout] in
                        let folder = output.appendingPathComponent(String(format: "device-%04d", number))
                        let proposed = serialPrefix.map { $0 + String(format: "-%04d", number) }
                        let registration = SerialRegistration(
                            connection: client.device, model: factoryImage.model, maximumRetryWait: retryWait,
                            giveUpAfter: approvalTimeout, proposedSerial: proposed, serviceHeaders: headers)
                        do {
                            let key = try PrivateKey.generate(bits: keyBits)
                            // A device registered at first boot leaves the factory without a serial.
                            let registered =
                                registerAt == .factory
                                ? try await registration.register(deviceKey: key, trust: snapshot) : nil
                            let device = DeviceState(
                                brandID: factoryImage.model.brandID, model: factoryImage.model.model,
                                serial: registered?.serial.serial, deviceKeyID: key.id, store: storeURL,
                                flashedAt: Timestamp.now().text, snaps: factoryImage.snaps.map(\.installed))
                            try device.write(
                                to: folder, key: key, image: factoryImage, roots: roots,
                                serialStream: registered?.stream ?? [])
                            if registered == nil, !headers.isEmpty || proposed != nil {
                                // What the gadget's prepare-device hook would give snapd at first boot.
                                let agent = try Agent.open(folder: folder, storeURL: storeURL)
                                if !headers.isEmpty {
                                    let json = try JSONEncoder().encode(headers)
                                    try agent.set("device-service.headers", String(decoding: json, as: UTF8.self))
                                }
                                if let proposed { try agent.set("registration.proposed-serial", proposed) }
                            }
                            return .success(Flashed(folder: folder.path, serial: device.serial, deviceKeyID: key.id))
                        } catch {
                            return .failure(CLIError("\(folder.lastPathComponent): \(error)"))
                        }
                    }
                }
                for _ in 0..<min(parallel, devices) { startOne() }
                while let result = try await group.next() {
                    switch result {
                    case .success(let device): flashed.append(device)
                    case .failure(let error): failures.append(error.description)
                    }
                    progress.update(UInt64(flashed.count + failures.count), UInt64(devices))
                    if next < first + devices { startOne() }
                }
            }
            progress.finish()
            flashed.sort { $0.folder < $1.folder }
            if json {
                try JSONOutput.print(flashed)
            } else if !flashed.isEmpty {
                print(
                    Table.render(
                        ["device", "serial", "device key"],
                        flashed.map {
                            [
                                URL(fileURLWithPath: $0.folder).lastPathComponent, $0.serial ?? "at first boot",
                                $0.deviceKeyID,
                            ]
                        }))
                print(
                    "\(flashed.count) \(factoryImage.model.brandID)/\(factoryImage.model.model) device"
                        + "\(flashed.count == 1 ? "" : "s") flashed into \(output.path)")
            }
            if !failures.isEmpty {
                throw CLIError("\(failures.count) of \(devices) devices failed:\n" + failures.joined(separator: "\n"))
            }
        }

        /// The store to register with needs no token: devices have none.
        private func storeClient() throws -> StoreClient {
            if let store { return StoreClient(Credentials(url: store, token: (try? Credentials.load())?.token ?? "")) }
            return try StoreClient.fromEnvironment()
        }

        /// One past the highest device-NNNN already in the folder.
        private func nextNumber(in folder: URL) throws -> Int {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            let numbers = names.compactMap { name -> Int? in
                guard name.hasPrefix("device-") else { return nil }
                return Int(name.dropFirst(7))
            }
            return (numbers.max() ?? 0) + 1
        }
    }
}
