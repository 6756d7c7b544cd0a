import ErrscopeCLI

ErrscopeCommand.main()
