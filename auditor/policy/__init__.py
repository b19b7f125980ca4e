"""Rules: the format, loading packs, compiling conditions, evaluating them, waivers."""
