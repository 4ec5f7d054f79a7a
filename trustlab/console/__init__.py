"""The sim as a Windows machine to type at: the command table every backend shares (commands), the screens in
English and Japanese (screens), the console as a state machine (machine) and its prompt_toolkit front end (app)."""
