"""Tags as data: the catalogue (tags/<level>/*.yaml), its rule language and its rendering into dbt."""
