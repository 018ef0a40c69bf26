import ArgumentParser

/// The `snapdepot` command line: one subcommand per job, each in `Commands/`.
public struct SnapdepotCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "snapdepot",
        abstract: "A self-hosted Snap Store and device-update agent that snapd's own tools accept.",
        discussion: """
            Start a store with `snapdepot serve`; the other store commands talk to it through its admin API \
            (set up with `snapdepot login`). Assertions are signed and verified exactly as snapd does. Keys \
            live in $SNAPDEPOT_KEYS (default ~/.local/share/snapdepot/keys), one 0600 PEM file per key.
            """,
        subcommands: [
            ServeCommand.self, TrustCommand.self, LoginCommand.self, AccountsCommand.self, RegisterCommand.self,
            UploadCommand.self, ReleaseCommand.self, CloseCommand.self, ProgressiveCommand.self, TracksCommand.self,
            StatusCommand.self, RevisionsCommand.self, ImportCommand.self, AssertionsCommand.self,
            ValidationSetCommand.self, BrandCommand.self, ModelCommand.self, ImageCommand.self, SeedDataCommand.self,
            VaultCommand.self, DevicesCommand.self, FactoryCommand.self, DemoCommand.self,
            KeyCommand.self, SignCommand.self, VerifyCommand.self, PackCommand.self, SnapCommand.self,
        ]
    )

    public init() {}

    /// Sets up logging, then parses the command line and runs the command.
    public static func runMain() async {
        LogSetup.bootstrap()
        await main()
    }
}
