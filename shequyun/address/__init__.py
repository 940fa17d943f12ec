"""Shanghai addresses and houses: accuracy of the house resolution built by dbt (models/intermediate/house)."""
