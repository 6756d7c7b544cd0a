import ErrscopeCLI

ErrscopeCommand.runFromCommandLine()
