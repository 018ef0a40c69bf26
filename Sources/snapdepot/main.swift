import SnapdepotCLI

SnapdepotCommand.main()
