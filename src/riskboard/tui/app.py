def run(config) -> int:  # placeholder until the TUI lands
    raise SystemExit("the meeting TUI is not built yet")
