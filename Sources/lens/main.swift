import LensCLI

Lens.main()
