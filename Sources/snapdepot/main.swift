import SnapdepotCLI

await SnapdepotCommand.runMain()
