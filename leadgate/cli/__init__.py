"""The `leadgate` command line: serve, db, demo, users, tokens, leads."""
