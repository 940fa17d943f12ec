"""Generator profile frozen2: the default population in a landscape of eight other department systems.

Spec (frozen, see README.md): profile.yaml (population additions, noise kinds, code tables) and systems/*.yaml (one
department system each: format and layout, headers and the truth field each carries, noise kinds and rates).
Modules: spec (loading), population (twins, foreign residents, corrected ID numbers, travel permits), builders (who
appears in which system), noise (the kinds), writers (the formats), generate (the city).
"""
