"""The parts of a generated tenant, one module per kind of thing it holds.

`trainproof.simulator.generator.generate_tenant` runs them in order on one `Draft` (the tenant being
built and the people behind it). Each part draws from its own random stream (`Draft.rng`), so changing
one part leaves the others' data unchanged.
"""
