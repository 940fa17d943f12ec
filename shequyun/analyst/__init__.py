"""Analysts' access to the thematic database: tags list, person show, read-only query, street extract."""
