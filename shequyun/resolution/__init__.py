"""Person resolution: name romanisation, Fellegi–Sunter EM, constrained clustering, evaluation against truth.

The dbt models in dbt_project/models/intermediate/person/ call these functions from dbt Python models;
everything here is plain Python on small tables (distinct names, comparison patterns, links)."""
