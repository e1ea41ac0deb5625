from gwlint.cli import main

main()
