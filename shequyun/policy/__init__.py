"""Policy finds people (政策找人): policies as YAML over tags and person conditions, matched per committee."""
