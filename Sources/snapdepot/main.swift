import SnapdepotCLI

SnapdepotCommand.runMain()
