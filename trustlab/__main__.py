from trustlab.cli import main

main()
