import ArgumentParser

/// The `snapdepot` command line: one subcommand per job, one file each in `Commands/GROUP/`, and
/// `--help` lists them by the same groups.
public struct SnapdepotCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "snapdepot",
        abstract: "A self-hosted Snap Store and device-update agent that snapd's own tools accept.",
        discussion: """
            Start a store with `snapdepot serve`; the other store commands talk to it through its admin API \
            (set up with `snapdepot login`). Assertions are signed and verified exactly as snapd does. Keys \
            live in $SNAPDEPOT_KEYS (default ~/.local/share/snapdepot/keys), one 0600 PEM file per key.
            """,
        groupedSubcommands: [
            CommandGroup(
                name: "Run a store",
                subcommands: [
                    DemoCommand.self, ServeCommand.self, SeedDataCommand.self, TrustCommand.self, LoginCommand.self,
                    AccountsCommand.self,
                    TokensCommand.self, DataCommand.self,
                ]),
            CommandGroup(
                name: "Publish snaps",
                subcommands: [
                    RegisterCommand.self, UploadCommand.self, ReleaseCommand.self, PromoteCommand.self,
                    CloseCommand.self,
                    ProgressiveCommand.self, RolloutCommand.self, FaultsCommand.self, TracksCommand.self,
                    StatusCommand.self,
                    RevisionsCommand.self, DeltasCommand.self,
                    ImportCommand.self, ExportCommand.self, AssertionsCommand.self, ValidationSetCommand.self,
                ]),
            CommandGroup(
                name: "Brands, keys and models",
                subcommands: [
                    BrandCommand.self, KeyCommand.self, ModelCommand.self, SignCommand.self, VerifyCommand.self,
                ]),
            CommandGroup(
                name: "Production: images, the factory, devices",
                subcommands: [
                    ImageCommand.self, FactoryCommand.self, VaultCommand.self, DevicesCommand.self, GroupsCommand.self,
                ]),
            CommandGroup(name: "Run devices", subcommands: [AgentCommand.self, FleetCommand.self]),
            CommandGroup(
                name: "Offline tools", subcommands: [PackCommand.self, SnapCommand.self]),
        ]
    )

    public init() {}

    /// Sets up logging, then parses the command line and runs the command.
    public static func runMain() async {
        LogSetup.bootstrap()
        await main()
    }
}
